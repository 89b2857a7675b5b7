"""Inspection plans per contract year (R5.1): counted from the acceptance date, spread over
the year, on site and by phone, assigned, generated once however often asked."""

import datetime as dt

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from vcdesk.accounts.choices import Role
from vcdesk.contracts.services import contract_create, contract_update
from vcdesk.contracts.tests.factories import ContractFactory
from vcdesk.core.testing import persona
from vcdesk.inspections import planning, services
from vcdesk.inspections.choices import InspectionEventType, InspectionMethod
from vcdesk.inspections.models import Inspection, InspectionPlan
from vcdesk.inspections.sweep import inspections_sweep, plans_sweep

pytestmark = pytest.mark.django_db


def plan_on(contract, day: dt.date) -> list[Inspection]:
    return services.inspection_plans_ensure(contract=contract, today=day)


def test_each_contract_year_runs_from_the_acceptance_date_to_the_day_before_its_anniversary():
    year = planning.contract_year(dt.date(2025, 3, 1), 2)

    assert (year.starts_on, year.ends_on) == (dt.date(2026, 3, 1), dt.date(2027, 2, 28))


def test_a_contract_accepted_on_29_february_starts_its_years_on_28_february_in_common_years():
    accepted = dt.date(2024, 2, 29)

    years = [planning.contract_year(accepted, n) for n in (1, 2, 3, 4, 5)]

    assert [(y.starts_on, y.ends_on) for y in years] == [
        (dt.date(2024, 2, 29), dt.date(2025, 2, 27)),
        (dt.date(2025, 2, 28), dt.date(2026, 2, 27)),
        (dt.date(2026, 2, 28), dt.date(2027, 2, 27)),
        (dt.date(2027, 2, 28), dt.date(2028, 2, 28)),
        (dt.date(2028, 2, 29), dt.date(2029, 2, 27)),
    ]


def test_the_inspections_of_a_year_are_spread_evenly_and_the_last_is_due_on_its_last_day():
    year = planning.contract_year(dt.date(2025, 1, 1), 1)

    assert planning.due_dates(year, 1) == [dt.date(2025, 12, 31)]
    assert planning.due_dates(year, 2) == [dt.date(2025, 6, 30), dt.date(2025, 12, 31)]
    assert planning.due_dates(year, 4) == [
        dt.date(2025, 3, 31),
        dt.date(2025, 6, 30),
        dt.date(2025, 9, 30),
        dt.date(2025, 12, 31),
    ]


@given(
    accepted_on=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)),
    count=st.integers(min_value=1, max_value=52),
)
def test_every_due_date_falls_in_its_year_in_order_and_the_last_on_the_years_last_day(
    accepted_on, count
):
    year = planning.contract_year(accepted_on, 1)

    dates = planning.due_dates(year, count)

    assert len(dates) == count
    assert all(year.starts_on <= d <= year.ends_on for d in dates)
    assert dates == sorted(dates) and dates[-1] == year.ends_on


def test_a_new_contract_gets_its_first_years_inspections_on_site_and_by_phone_in_turn(org_a):
    contract = ContractFactory(organisation=org_a, accepted_on=dt.date(2025, 3, 1))
    contract.inspections_per_year = 3
    contract.save()

    created = plan_on(contract, dt.date(2025, 3, 1))

    plan = InspectionPlan.objects.get(contract=contract)
    assert (plan.year, plan.starts_on, plan.ends_on) == (
        1,
        dt.date(2025, 3, 1),
        dt.date(2026, 2, 28),
    )
    assert [(i.sequence, i.due_on, i.method) for i in created] == [
        (1, dt.date(2025, 6, 30), InspectionMethod.ON_SITE),
        (2, dt.date(2025, 10, 31), InspectionMethod.PHONE),
        (3, dt.date(2026, 2, 28), InspectionMethod.ON_SITE),
    ]
    assert [i.number for i in created] == [f"XJ-{contract.number}-1-{n}" for n in (1, 2, 3)]
    assert {i.organisation_id for i in created} == {org_a.pk}


def test_planning_again_creates_nothing_and_changes_nothing(org_a):
    contract = ContractFactory(organisation=org_a, accepted_on=dt.date(2025, 3, 1))
    first = plan_on(contract, dt.date(2025, 4, 1))

    again = plan_on(contract, dt.date(2025, 4, 1))
    swept = plans_sweep(today=dt.date(2025, 9, 1))

    assert again == [] and swept == 0
    assert list(Inspection.objects.values_list("pk", flat=True)) == [i.pk for i in first]
    assert InspectionPlan.objects.count() == 1


def test_the_sweep_plans_the_next_year_on_its_first_day_and_not_before(org_a):
    contract = ContractFactory(organisation=org_a, accepted_on=dt.date(2024, 2, 29))
    plan_on(contract, dt.date(2024, 2, 29))

    assert plans_sweep(today=dt.date(2025, 2, 27)) == 0
    assert plans_sweep(today=dt.date(2025, 2, 28)) == 1

    second = Inspection.objects.get(plan__year=2)
    assert (second.plan.starts_on, second.due_on) == (dt.date(2025, 2, 28), dt.date(2026, 2, 27))
    assert plans_sweep(today=dt.date(2026, 2, 28)) == 1
    assert Inspection.objects.get(plan__year=3).due_on == dt.date(2027, 2, 27)


def test_a_contract_entered_in_its_second_year_is_planned_from_that_year_on(org_a):
    contract = ContractFactory(organisation=org_a, accepted_on=dt.date(2024, 2, 29))

    created = plan_on(contract, dt.date(2025, 6, 1))

    assert [(i.plan.year, i.due_on) for i in created] == [(2, dt.date(2026, 2, 27))]


def test_a_contract_accepted_in_the_future_shows_its_first_year_at_once(org_a):
    contract = ContractFactory(organisation=org_a, accepted_on=dt.date(2026, 9, 1))

    created = plan_on(contract, dt.date(2026, 3, 10))

    assert [(i.plan.year, i.due_on) for i in created] == [(1, dt.date(2027, 8, 31))]


def test_no_inspection_is_planned_after_the_warranty_years(org_a):
    contract = ContractFactory(organisation=org_a, accepted_on=dt.date(2020, 1, 1))

    assert plan_on(contract, dt.date(2026, 3, 10)) == []
    assert plans_sweep(today=dt.date(2026, 3, 10)) == 0


def test_inspections_go_to_the_field_engineer_with_the_fewest_unfinished(org_a, org_b):
    first = persona("field1", Role.FIELD_ENGINEER).user
    second = persona("field2", Role.FIELD_ENGINEER).user
    persona("support1", Role.SUPPORT_ENGINEER)
    busy = ContractFactory(organisation=org_a, accepted_on=dt.date(2025, 3, 1))
    busy.inspections_per_year = 2
    busy.save()
    plan_on(busy, dt.date(2025, 3, 1))  # one each
    other = ContractFactory(organisation=org_b, accepted_on=dt.date(2025, 3, 1))
    other.inspections_per_year = 3
    other.save()

    created = plan_on(other, dt.date(2025, 3, 1))

    assert [i.engineer for i in created] == [first, second, first]


def test_with_no_field_engineer_the_inspection_waits_for_a_manager_to_assign_it(org_a):
    contract = ContractFactory(organisation=org_a, accepted_on=dt.date(2025, 3, 1))

    [inspection] = plan_on(contract, dt.date(2025, 3, 1))

    assert inspection.engineer is None
    event = inspection.events.get()
    assert event.type == InspectionEventType.PLANNED and event.due_on_after == inspection.due_on


def test_creating_a_contract_plans_its_inspections_once_the_transaction_commits(
    org_a, service_manager, django_capture_on_commit_callbacks
):
    with time_machine.travel(dt.datetime(2026, 3, 10, 1, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            contract = contract_create(
                actor=service_manager.user,
                number="HT-2026-0099",
                organisation=org_a,
                signed_on=dt.date(2025, 12, 1),
                accepted_on=dt.date(2026, 1, 15),
                inspections_per_year=2,
            )
        assert [i.due_on for i in Inspection.objects.filter(contract=contract)] == [
            dt.date(2026, 7, 14),
            dt.date(2027, 1, 14),
        ]
        with django_capture_on_commit_callbacks(execute=True):
            contract_update(contract, actor=service_manager.user, free_upgrades=False)
        assert Inspection.objects.filter(contract=contract).count() == 2


def test_the_periodic_sweep_plans_reminds_and_is_idempotent(org_a, field_engineer):
    contract = ContractFactory(organisation=org_a, accepted_on=dt.date(2025, 3, 1))
    now = dt.datetime(2025, 3, 2, 1, tzinfo=dt.UTC)

    first = inspections_sweep(now=now)
    second = inspections_sweep(now=now)

    assert first == {"planned": 1, "reminded": 0, "overdue": 0}
    assert second == {"planned": 0, "reminded": 0, "overdue": 0}
    assert Inspection.objects.get(contract=contract).engineer == field_engineer.user
