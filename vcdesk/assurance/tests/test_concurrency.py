"""Parallel requests: two bookings cannot both take the last included slot, and one engineer
cannot be put on two overlapping meetings at once.

Each request runs in its own thread on its own database connection, all released at the same
instant. On PostgreSQL they race for row locks (the contract's, the engineer's); on SQLite
for the database's write lock (IMMEDIATE transactions).
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from vcdesk.assurance import services
from vcdesk.assurance.choices import Importance
from vcdesk.assurance.models import Assignment, Booking
from vcdesk.assurance.services import BookingRefused
from vcdesk.assurance.tests.factories import book, contract_with_sites, senior_engineer
from vcdesk.spares.tests.test_stock_concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def unexpected(outcomes: list) -> list[Exception]:
    """Anything but a result or a clean refusal: a deadlock, a constraint error, a lock."""
    return [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, BookingRefused)]


def test_parallel_bookings_take_no_more_included_slots_than_the_contract_has(org_a, duty_officer):
    contract, sites = contract_with_sites(org_a, per_year=4)
    start = timezone.now() + timedelta(days=10)

    outcomes = at_once(
        [
            lambda i=i: book(
                contract, sites[:1], actor=duty_officer.user, starts_at=start + timedelta(hours=i)
            )
            for i in range(10)
        ]
    )

    assert unexpected(outcomes) == []
    assert all(isinstance(o, Booking) for o in outcomes)
    flags = sorted(Booking.objects.values_list("extra", flat=True))
    assert flags == [False] * 4 + [True] * 6


def test_parallel_assignments_of_one_engineer_to_overlapping_meetings_let_one_through(
    org_a, service_manager
):
    contract, sites = contract_with_sites(org_a, n_sites=1)
    manager = service_manager.user
    chen = senior_engineer("chen")
    start = timezone.now() + timedelta(days=10)

    for round_ in range(3):
        bookings = [
            book(
                contract,
                sites,
                actor=manager,
                starts_at=start + timedelta(days=round_, minutes=30 * i),
                hours=2,
            )
            for i in range(4)
        ]

        outcomes = at_once(
            [
                lambda b=b: services.booking_assign(b, actor=manager, engineers=[chen])
                for b in bookings
            ]
        )

        assert unexpected(outcomes) == []
        refused = [o for o in outcomes if isinstance(o, BookingRefused)]
        assert len(refused) == 3
        # Refused by the service under the engineer's lock, naming the other meeting (not by
        # PostgreSQL's constraint, the backstop).
        assert all("“全省视频工作会议”" in str(r) for r in refused)
    assert Assignment.objects.filter(engineer=chen, released_at__isnull=True).count() == 3


def test_parallel_automatic_staffing_never_picks_an_engineer_twice(org_a, service_manager):
    contract, sites = contract_with_sites(org_a, n_sites=1)
    manager = service_manager.user
    engineers = [senior_engineer(f"eng{i}") for i in range(3)]
    start = timezone.now() + timedelta(days=10)
    bookings = [
        book(contract, sites, actor=manager, starts_at=start, importance=Importance.NORMAL)
        for _ in range(5)
    ]

    outcomes = at_once([lambda b=b: services.booking_assign(b, actor=manager) for b in bookings])

    assert unexpected(outcomes) == []
    assert sum(isinstance(o, BookingRefused) for o in outcomes) == 2
    live = Assignment.objects.filter(released_at__isnull=True)
    assert sorted(live.values_list("engineer_id", flat=True)) == sorted(e.pk for e in engineers)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="exclusion constraints are PostgreSQL's"
)
def test_postgresql_itself_refuses_an_overlapping_assignment_written_past_the_service(
    org_a, service_manager
):
    contract, sites = contract_with_sites(org_a, n_sites=1)
    chen = senior_engineer("chen")
    start = timezone.now() + timedelta(days=10)
    first = book(contract, sites, actor=service_manager.user, starts_at=start)
    second = book(contract, sites, actor=service_manager.user, starts_at=start + timedelta(hours=1))
    services.booking_assign(first, actor=service_manager.user, engineers=[chen])

    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            booking=second,
            engineer=chen,
            starts_at=second.starts_at,
            ends_at=second.ends_at,
            assigned_at=timezone.now(),
        )
