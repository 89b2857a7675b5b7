"""The quota: `assurance_visits_per_year` per contract year counted from acceptance; bookings
beyond it are made but flagged extra; cancelling frees the slot (R6.1)."""

from datetime import date

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from vcdesk.assurance import quota, services
from vcdesk.assurance.selectors import quota_use
from vcdesk.assurance.tests.factories import beijing, book, contract_with_sites

pytestmark = pytest.mark.django_db

NOW = beijing(2026, 3, 10, 9, 0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_contract_year_runs_from_one_anniversary_of_acceptance_to_the_next():
    accepted = date(2025, 3, 1)
    assert quota.contract_year_bounds(accepted, 1) == (date(2025, 3, 1), date(2026, 3, 1))
    assert quota.contract_year_of(accepted, date(2025, 3, 1)) == 1
    assert quota.contract_year_of(accepted, date(2026, 2, 28)) == 1
    assert quota.contract_year_of(accepted, date(2026, 3, 1)) == 2


def test_a_contract_accepted_on_29_february_starts_its_years_on_28_february_in_common_years():
    leap = date(2024, 2, 29)
    assert quota.contract_year_bounds(leap, 1) == (date(2024, 2, 29), date(2025, 2, 28))
    assert quota.contract_year_bounds(leap, 2) == (date(2025, 2, 28), date(2026, 2, 28))
    assert quota.contract_year_bounds(leap, 5) == (date(2028, 2, 29), date(2029, 2, 28))
    assert quota.contract_year_of(leap, date(2025, 2, 27)) == 1
    assert quota.contract_year_of(leap, date(2025, 2, 28)) == 2
    assert quota.contract_year_of(leap, date(2028, 2, 28)) == 4
    assert quota.contract_year_of(leap, date(2028, 2, 29)) == 5


@given(
    accepted=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    offset=st.integers(min_value=0, max_value=20 * 366),
)
def test_every_day_after_acceptance_falls_in_exactly_the_year_whose_bounds_hold_it(
    accepted, offset
):
    day = date.fromordinal(accepted.toordinal() + offset)
    year = quota.contract_year_of(accepted, day)
    first, next_first = quota.contract_year_bounds(accepted, year)
    assert first <= day < next_first


def test_a_day_before_acceptance_has_no_contract_year():
    with pytest.raises(ValueError):
        quota.contract_year_of(date(2025, 3, 1), date(2025, 2, 28))


def test_bookings_beyond_the_quota_are_made_but_flagged_extra(org_a, duty_officer):
    contract, sites = contract_with_sites(org_a, per_year=4)
    bookings = [
        book(contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 4, d, 9))
        for d in range(1, 7)
    ]

    assert [b.extra for b in bookings] == [False] * 4 + [True] * 2
    assert {b.contract_year for b in bookings} == {2}
    use = quota_use(contract=contract, on=date(2026, 4, 1))
    assert (use.included, use.in_quota, use.extra, use.used, use.remaining) == (4, 4, 2, 6, 0)


def test_cancelling_a_booking_frees_its_slot_for_the_next_one(org_a, duty_officer):
    contract, sites = contract_with_sites(org_a, per_year=2)
    first, _second = (
        book(contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 5, d, 9))
        for d in (1, 2)
    )

    services.booking_cancel(first, actor=duty_officer.user, reason="会议延期")
    third = book(contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 5, 3, 9))

    assert third.extra is False
    use = quota_use(contract=contract, on=date(2026, 5, 1))
    assert (use.in_quota, use.extra, use.remaining) == (2, 0, 0)
    booked, cancelled = first.history.order_by("history_date", "history_id")
    assert (booked.cancelled_at, cancelled.cancel_reason) == (None, "会议延期")
    assert cancelled.history_user == duty_officer.user


def test_each_contract_year_has_its_own_quota(org_a, duty_officer):
    contract, sites = contract_with_sites(org_a, per_year=1)
    this_year = book(
        contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 2, 20, 9)
    )
    next_year = book(contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 3, 2, 9))
    again = book(contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 3, 5, 9))

    assert (this_year.contract_year, next_year.contract_year) == (1, 2)
    assert (this_year.extra, next_year.extra, again.extra) == (False, False, True)


def test_a_contract_accepted_on_29_february_counts_28_february_in_the_new_year(org_a, duty_officer):
    contract, sites = contract_with_sites(org_a, accepted_on=date(2024, 2, 29), per_year=1)
    with time_machine.travel(beijing(2025, 1, 10, 9), tick=False):
        last_day = book(
            contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2025, 2, 27, 20)
        )
        anniversary = book(
            contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2025, 2, 28, 9)
        )
        late_evening = book(
            contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2025, 2, 28, 23)
        )

    assert (last_day.contract_year, last_day.extra) == (1, False)
    assert (anniversary.contract_year, anniversary.extra) == (2, False)
    assert (late_evening.contract_year, late_evening.extra) == (2, True)
    use = quota_use(contract=contract, on=date(2025, 2, 28))
    assert (use.starts_on, use.ends_on, use.used) == (date(2025, 2, 28), date(2026, 2, 28), 2)


def test_moving_a_meeting_into_another_contract_year_counts_it_there(org_a, duty_officer):
    contract, sites = contract_with_sites(org_a, per_year=1)
    book(contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 4, 1, 9))
    moved = book(contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 4, 2, 9))
    assert moved.extra is True

    services.booking_update(
        moved,
        actor=duty_officer.user,
        starts_at=beijing(2027, 3, 2, 9),
        ends_at=beijing(2027, 3, 2, 11),
    )

    moved.refresh_from_db()
    assert (moved.contract_year, moved.extra) == (3, False)


def test_a_meeting_before_the_contracts_acceptance_is_refused(org_a, duty_officer):
    contract, sites = contract_with_sites(org_a, accepted_on=date(2026, 6, 1))
    with pytest.raises(services.ValidationError) as refused:
        book(contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 5, 20, 9))
    assert "starts_at" in refused.value.message_dict


def test_cancelling_an_included_booking_brings_the_earliest_booked_extra_into_the_quota(
    org_a, duty_officer
):
    contract, sites = contract_with_sites(org_a, per_year=2)
    included, _kept = (
        book(contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 5, d, 9))
        for d in (1, 2)
    )
    # Booked in this order, but the later-booked one meets first: booking order decides.
    first_extra = book(
        contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 6, 9, 9)
    )
    second_extra = book(
        contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 6, 1, 9)
    )
    assert (first_extra.extra, second_extra.extra) == (True, True)

    services.booking_cancel(included, actor=duty_officer.user, reason="会议取消")

    first_extra.refresh_from_db()
    second_extra.refresh_from_db()
    assert (first_extra.extra, second_extra.extra) == (False, True)
    use = quota_use(contract=contract, on=date(2026, 5, 1))
    assert (use.in_quota, use.extra, use.remaining) == (2, 1, 0)
    latest = first_extra.history.order_by("-history_date", "-history_id").first()
    assert (latest.extra, latest.history_user) == (False, duty_officer.user)


def test_cancelling_an_extra_booking_promotes_nobody(org_a, duty_officer):
    contract, sites = contract_with_sites(org_a, per_year=1)
    book(contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 5, 1, 9))
    extra, other_extra = (
        book(contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 5, d, 9))
        for d in (2, 3)
    )

    services.booking_cancel(extra, actor=duty_officer.user)

    other_extra.refresh_from_db()
    assert other_extra.extra is True
    use = quota_use(contract=contract, on=date(2026, 5, 1))
    assert (use.in_quota, use.extra) == (1, 1)


def test_moving_an_included_meeting_into_another_year_brings_an_extra_into_the_quota(
    org_a, duty_officer
):
    contract, sites = contract_with_sites(org_a, per_year=1)
    moved = book(contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 4, 1, 9))
    waiting = book(contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 4, 2, 9))

    services.booking_update(
        moved,
        actor=duty_officer.user,
        starts_at=beijing(2027, 3, 2, 9),
        ends_at=beijing(2027, 3, 2, 11),
    )

    waiting.refresh_from_db()
    moved.refresh_from_db()
    assert (waiting.contract_year, waiting.extra) == (2, False)
    assert (moved.contract_year, moved.extra) == (3, False)
