"""Staffing (R6.2): one senior engineer, two for a critical meeting or more than N sites;
only senior field engineers; nobody guards two meetings at once."""

import pytest
import time_machine

from vcdesk.assurance import services
from vcdesk.assurance.choices import Importance, Staffing
from vcdesk.assurance.models import Assignment
from vcdesk.assurance.selectors import booking_detail, engineers_free
from vcdesk.assurance.services import BookingRefused
from vcdesk.assurance.tests.factories import beijing, book, contract_with_sites, senior_engineer

pytestmark = pytest.mark.django_db

NOW = beijing(2026, 3, 10, 9, 0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def manager(service_manager):
    return service_manager.user


@pytest.fixture
def setup(org_a):
    return contract_with_sites(org_a, n_sites=7)


def staffing_of(booking):
    return booking_detail(user=booking.booked_by, pk=booking.pk).staffing


def test_a_normal_meeting_needs_one_senior_engineer(setup, manager):
    contract, sites = setup
    booking = book(contract, sites[:5], actor=manager, starts_at=beijing(2026, 4, 1, 9))
    senior_engineer("chen")

    assert booking.engineers_required == 1
    assert staffing_of(booking) == Staffing.UNDERSTAFFED
    services.booking_assign(booking, actor=manager)
    assert staffing_of(booking) == Staffing.STAFFED


@pytest.mark.parametrize(
    ("importance", "n_sites", "required"),
    [
        (Importance.NORMAL, 5, 1),
        (Importance.IMPORTANT, 5, 1),
        (Importance.CRITICAL, 1, 2),
        (Importance.NORMAL, 6, 2),
    ],
)
def test_a_critical_meeting_or_more_than_five_sites_needs_two(
    setup, manager, importance, n_sites, required
):
    contract, sites = setup
    booking = book(
        contract,
        sites[:n_sites],
        actor=manager,
        starts_at=beijing(2026, 4, 1, 9),
        importance=importance,
    )
    assert booking.engineers_required == required


def test_the_number_of_sites_that_calls_for_a_second_engineer_is_a_setting(
    setup, manager, settings
):
    settings.VCDESK_ASSURANCE_SECOND_ENGINEER_SITES = 2
    contract, sites = setup
    booking = book(contract, sites[:3], actor=manager, starts_at=beijing(2026, 4, 1, 9))
    assert booking.engineers_required == 2


def test_making_a_meeting_critical_raises_the_engineers_it_needs(setup, manager):
    contract, sites = setup
    booking = book(contract, sites[:1], actor=manager, starts_at=beijing(2026, 4, 1, 9))
    senior_engineer("chen")
    services.booking_assign(booking, actor=manager)

    services.booking_update(booking, actor=manager, importance=Importance.CRITICAL)

    assert staffing_of(booking) == Staffing.UNDERSTAFFED


def test_a_critical_meeting_gets_two_engineers_picked_automatically(setup, manager):
    contract, sites = setup
    booking = book(
        contract,
        sites[:1],
        actor=manager,
        starts_at=beijing(2026, 4, 1, 9),
        importance=Importance.CRITICAL,
    )
    chen, wang = senior_engineer("chen"), senior_engineer("wang")

    assigned = services.booking_assign(booking, actor=manager)

    assert {a.engineer for a in assigned} == {chen, wang}
    assert staffing_of(booking) == Staffing.STAFFED


def test_only_senior_field_engineers_may_guard_a_meeting(setup, manager, field_engineer):
    contract, sites = setup
    booking = book(contract, sites[:1], actor=manager, starts_at=beijing(2026, 4, 1, 9))
    junior = senior_engineer("junior", senior=False)

    for not_senior in (junior, field_engineer.user, manager):
        with pytest.raises(services.ValidationError) as refused:
            services.booking_assign(booking, actor=manager, engineers=[not_senior])
        assert "engineers" in refused.value.message_dict
    assert not Assignment.objects.exists()


def test_only_a_field_engineer_can_be_marked_senior(db):
    from vcdesk.accounts.choices import Role
    from vcdesk.accounts.services import user_create
    from vcdesk.core.testing import PERSONA_PASSWORD

    with pytest.raises(services.ValidationError) as refused:
        user_create(
            username="duty2",
            password=PERSONA_PASSWORD,
            full_name="值班",
            role=Role.DUTY_OFFICER,
            is_senior=True,
        )
    assert "is_senior" in refused.value.message_dict


def test_nobody_free_is_a_clear_refusal(setup, manager):
    contract, sites = setup
    chen = senior_engineer("chen", full_name="陈志强")
    first = book(contract, sites[:1], actor=manager, starts_at=beijing(2026, 4, 1, 9))
    services.booking_assign(first, actor=manager, engineers=[chen])
    overlapping = book(contract, sites[1:2], actor=manager, starts_at=beijing(2026, 4, 1, 10))

    with pytest.raises(BookingRefused, match="没有空闲的资深现场工程师"):
        services.booking_assign(overlapping, actor=manager)


def test_an_engineer_is_never_on_two_overlapping_meetings(setup, manager):
    contract, sites = setup
    chen = senior_engineer("chen", full_name="陈志强")
    first = book(contract, sites[:1], actor=manager, starts_at=beijing(2026, 4, 1, 9), hours=3)
    services.booking_assign(first, actor=manager, engineers=[chen])
    overlapping = book(contract, sites[1:2], actor=manager, starts_at=beijing(2026, 4, 1, 11))
    back_to_back = book(contract, sites[1:2], actor=manager, starts_at=beijing(2026, 4, 1, 12))

    with pytest.raises(BookingRefused, match="陈志强 在 .* 已负责"):
        services.booking_assign(overlapping, actor=manager, engineers=[chen])
    services.booking_assign(back_to_back, actor=manager, engineers=[chen])

    assert list(engineers_free(start=beijing(2026, 4, 1, 10), end=beijing(2026, 4, 1, 11))) == []
    assert Assignment.objects.filter(engineer=chen).count() == 2


def test_moving_a_meeting_onto_its_engineers_other_meeting_is_refused(setup, manager):
    contract, sites = setup
    chen = senior_engineer("chen", full_name="陈志强")
    morning = book(contract, sites[:1], actor=manager, starts_at=beijing(2026, 4, 1, 9))
    afternoon = book(contract, sites[1:2], actor=manager, starts_at=beijing(2026, 4, 1, 14))
    for booking in (morning, afternoon):
        services.booking_assign(booking, actor=manager, engineers=[chen])

    with pytest.raises(BookingRefused, match="陈志强 在 .* 已负责"):
        services.booking_update(
            afternoon,
            actor=manager,
            starts_at=beijing(2026, 4, 1, 10),
            ends_at=beijing(2026, 4, 1, 12),
        )
    afternoon.refresh_from_db()
    assert afternoon.starts_at == beijing(2026, 4, 1, 14)


def test_a_cancelled_meetings_engineer_is_free_again(setup, manager):
    contract, sites = setup
    chen = senior_engineer("chen")
    first = book(contract, sites[:1], actor=manager, starts_at=beijing(2026, 4, 1, 9))
    services.booking_assign(first, actor=manager, engineers=[chen])
    services.booking_cancel(first, actor=manager)

    again = book(contract, sites[:1], actor=manager, starts_at=beijing(2026, 4, 1, 9))
    services.booking_assign(again, actor=manager, engineers=[chen])

    assert Assignment.objects.get(booking=first).released_at is not None


def test_more_engineers_than_the_meeting_needs_are_refused(setup, manager):
    contract, sites = setup
    booking = book(contract, sites[:1], actor=manager, starts_at=beijing(2026, 4, 1, 9))
    chen, wang = senior_engineer("chen"), senior_engineer("wang")

    with pytest.raises(BookingRefused, match="只需再安排 1 名"):
        services.booking_assign(booking, actor=manager, engineers=[chen, wang])
    services.booking_assign(booking, actor=manager, engineers=[chen])
    with pytest.raises(BookingRefused, match="已配齐"):
        services.booking_assign(booking, actor=manager, engineers=[wang])


def test_the_least_busy_free_engineer_is_picked(setup, manager):
    contract, sites = setup
    busy, idle = senior_engineer("a_busy"), senior_engineer("b_idle")
    earlier = book(contract, sites[:1], actor=manager, starts_at=beijing(2026, 3, 20, 9))
    services.booking_assign(earlier, actor=manager, engineers=[busy])
    booking = book(contract, sites[:1], actor=manager, starts_at=beijing(2026, 4, 1, 9))

    [assignment] = services.booking_assign(booking, actor=manager)

    assert assignment.engineer == idle
