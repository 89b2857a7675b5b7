"""The meeting assurance API: a booking from request to outcome, the quota, and the answers
to bad input (422), impossible steps (409) and other organisations' bookings (404)."""

from datetime import timedelta

import pytest
import time_machine

from vcdesk.assurance.tests.factories import beijing, book, contract_with_sites, senior_engineer
from vcdesk.core.testing import persona_of
from vcdesk.service.models import ServiceRecord
from vcdesk.spares.services import stock_receive
from vcdesk.spares.tests.factories import PartModelFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

NOW = beijing(2026, 3, 10, 9, 0)
URL = "/api/v1/assurance/bookings"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def setup(org_a):
    return contract_with_sites(org_a, n_sites=3)


def payload(contract, sites, **overrides):
    return {
        "contract": contract.pk,
        "sites": [s.pk for s in sites],
        "title": "全省安全生产视频会议",
        "starts_at": "2026-04-01T09:00:00+08:00",
        "ends_at": "2026-04-01T11:30:00+08:00",
        "importance": "important",
        "expected_participants": 200,
        "contact_name": "张伟",
        "contact_phone": "13800000001",
    } | overrides


def test_a_customer_contact_books_and_staff_carry_the_meeting_through(
    api, clock, setup, contact_of_a, service_manager
):
    contract, sites = setup
    # Tokens that outlive the three weeks the clock moves on.
    chen = persona_of(senior_engineer("chen", full_name="陈志强"), valid_for=timedelta(days=60))
    contact_of_a = persona_of(contact_of_a.user, valid_for=timedelta(days=60))

    created = api.post(URL, contact_of_a, payload(contract, sites[:2]))
    assert created.status_code == 201, created.json()
    booking = created.json()
    assert (booking["organisation"], booking["extra"], booking["contract_year"]) == (
        contract.organisation_id,
        False,
        2,
    )
    assert (booking["staffing"], booking["engineers_required"]) == ("understaffed", 1)
    assert booking["status"] == "booked"
    path = f"{URL}/{booking['id']}"

    assigned = api.post(f"{path}/engineers", service_manager, {"engineers": []})
    assert assigned.status_code == 201
    assert [e["engineer_name"] for e in assigned.json()["engineers"]] == ["陈志强"]
    assert assigned.json()["staffing"] == "staffed"

    for site in sites[:2]:
        checked = api.post(
            f"{path}/checks", chen, {"site": site.pk, "result": "passed", "note": "音视频正常"}
        )
        assert checked.status_code == 201
    rehearsed = api.post(f"{path}/rehearsal", chen, {"result": "problem", "note": "分会场回声"})
    assert [c["kind"] for c in rehearsed.json()["checks"]] == [
        "device_check",
        "device_check",
        "rehearsal",
    ]

    clock.move_to(beijing(2026, 4, 1, 8, 30))
    checked_in = api.post(f"{path}/check-in", chen, {})
    assert checked_in.status_code == 201
    assert checked_in.json()["status"] == "under_way"
    assert checked_in.json()["engineers"][0]["checked_in_at"] is not None

    clock.move_to(beijing(2026, 4, 1, 10, 0))
    incident = api.post(
        f"{path}/incidents",
        chen,
        {
            "description": "分会场终端掉线",
            "device": sites[1].devices.first().pk,
            "open_service_record": True,
            "fault_class": "node_down",
        },
    )
    assert incident.status_code == 201, incident.json()
    [recorded] = incident.json()["incidents"]
    record = ServiceRecord.objects.get(pk=recorded["service_record"])
    assert recorded["service_number"] == record.number
    assert record.assurance_incident.pk == recorded["id"]

    clock.move_to(beijing(2026, 4, 1, 12, 0))
    done = api.post(f"{path}/outcome", chen, {"outcome": "with_incidents", "note": "会议完成"})
    assert done.status_code == 201
    assert (done.json()["status"], done.json()["outcome"]) == ("done", "with_incidents")

    read = api.get(path, contact_of_a)
    assert read.status_code == 200
    assert read.json()["outcome"] == "with_incidents"


def test_the_quota_answers_used_included_and_extra_for_the_current_contract_year(
    api, clock, setup, duty_officer, contact_of_a
):
    contract, sites = setup
    contract.assurance_visits_per_year = 1
    contract.save()
    for day in (1, 2, 3):
        book(contract, sites[:1], actor=duty_officer.user, starts_at=beijing(2026, 4, day, 9))

    answer = api.get("/api/v1/assurance/quota", contact_of_a, contract=contract.pk)

    assert answer.status_code == 200
    assert answer.json() | {"contract_number": ""} == {
        "contract": contract.pk,
        "contract_number": "",
        "organisation": contract.organisation_id,
        "contract_year": 2,
        "starts_on": "2026-03-01",
        "ends_on": "2027-03-01",
        "included": 1,
        "used": 3,
        "in_quota": 1,
        "extra": 2,
        "remaining": 0,
    }
    before = api.get("/api/v1/assurance/quota", contact_of_a, contract=contract.pk, on="2020-01-01")
    assert before.status_code == 422


def test_the_list_filters_and_pages(api, clock, setup, duty_officer):
    contract, sites = setup
    for day in range(1, 6):
        book(
            contract,
            sites[:1],
            actor=duty_officer.user,
            starts_at=beijing(2026, 4, day, 9),
            importance="critical" if day == 3 else "normal",
        )

    page = api.get(URL, duty_officer, limit=2, offset=1)
    assert page.json()["count"] == 5
    assert [b["starts_at"][:10] for b in page.json()["items"]] == ["2026-04-04", "2026-04-03"]
    critical = api.get(URL, duty_officer, importance="critical")
    assert [b["importance"] for b in critical.json()["items"]] == ["critical"]
    ranged = api.get(URL, duty_officer, starts_from="2026-04-02", starts_until="2026-04-03")
    assert ranged.json()["count"] == 2
    extra = api.get(URL, duty_officer, extra="true")
    assert [b["starts_at"][:10] for b in extra.json()["items"]] == ["2026-04-05"]
    understaffed = api.get(URL, duty_officer, staffing="understaffed")
    assert understaffed.json()["count"] == 5


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": "2026-04-01T08:00:00+08:00"}, "ends_at"),
        ({"starts_at": "2026-03-01T09:00:00+08:00"}, "starts_at"),
        ({"sites": []}, "sites"),
        ({"title": ""}, "title"),
        ({"expected_participants": 0}, "expected_participants"),
        ({"importance": "urgent"}, "importance"),
        ({"contract": 999_999}, "contract"),
    ],
)
def test_bad_input_answers_422_naming_the_field(api, clock, setup, contact_of_a, overrides, field):
    contract, sites = setup

    answer = api.post(URL, contact_of_a, payload(contract, sites[:1]) | overrides)

    assert answer.status_code == 422, answer.json()
    assert any(item["loc"][-1] == field for item in answer.json()["detail"]), answer.json()


def test_a_site_the_contract_does_not_cover_is_refused_on_the_contract(
    api, clock, setup, org_a, contact_of_a
):
    from vcdesk.customers.tests.factories import SiteFactory

    contract, sites = setup
    bare_room = SiteFactory(organisation=org_a)

    answer = api.post(URL, contact_of_a, payload(contract, [sites[0], bare_room]))

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "contract"]
    assert bare_room.name in answer.json()["detail"][0]["msg"]


def test_impossible_steps_answer_409_with_the_reason(
    api, clock, setup, contact_of_a, service_manager
):
    contract, sites = setup
    booking = api.post(URL, contact_of_a, payload(contract, sites[:1])).json()
    path = f"{URL}/{booking['id']}"

    nobody = api.post(f"{path}/engineers", service_manager, {"engineers": []})
    assert nobody.status_code == 409
    assert "没有空闲的资深现场工程师" in nobody.json()["detail"]
    too_early = api.post(f"{path}/outcome", service_manager, {"outcome": "successful"})
    assert too_early.status_code == 409
    assert api.post(f"{path}/cancel", contact_of_a, {"reason": "改期"}).status_code == 201
    again = api.post(f"{path}/cancel", contact_of_a, {})
    assert again.status_code == 409
    check = api.post(f"{path}/rehearsal", service_manager, {"result": "passed"})
    assert check.status_code == 409


def test_a_customer_contact_may_not_staff_or_record_checks(api, clock, setup, contact_of_a):
    contract, sites = setup
    booking = api.post(URL, contact_of_a, payload(contract, sites[:1])).json()
    path = f"{URL}/{booking['id']}"

    assert api.post(f"{path}/engineers", contact_of_a, {"engineers": []}).status_code == 403
    assert api.post(f"{path}/rehearsal", contact_of_a, {"result": "passed"}).status_code == 403


def test_another_organisations_booking_and_contract_are_not_there(
    api, clock, setup, org_b, contact_of_a, contact_of_b, duty_officer
):
    contract, sites = setup
    booking = book(contract, sites[:1], actor=duty_officer.user, starts_at=NOW + timedelta(days=5))
    path = f"{URL}/{booking.pk}"

    assert api.get(path, contact_of_b).status_code == 404
    assert api.patch(path, contact_of_b, {"title": "改"}).status_code == 404
    assert api.post(f"{path}/cancel", contact_of_b, {}).status_code == 404
    assert api.get(URL, contact_of_b).json()["count"] == 0
    assert api.get(URL, contact_of_a).json()["count"] == 1
    quota = api.get("/api/v1/assurance/quota", contact_of_b, contract=contract.pk)
    assert quota.status_code == 404
    other = api.post(URL, contact_of_b, payload(contract, sites[:1]))
    assert other.status_code == 422
    assert other.json()["detail"][0]["loc"] == ["body", "contract"]
    b_contract, _b_sites = contract_with_sites(org_b)
    foreign_sites = api.post(URL, contact_of_b, payload(b_contract, sites[:1]))
    assert foreign_sites.json()["detail"][0]["loc"] == ["body", "sites"]


def test_a_customer_changes_the_time_but_not_into_the_past(api, clock, setup, contact_of_a):
    contract, sites = setup
    booking = api.post(URL, contact_of_a, payload(contract, sites[:1])).json()
    path = f"{URL}/{booking['id']}"

    moved = api.patch(
        path,
        contact_of_a,
        {"starts_at": "2026-04-02T14:00:00+08:00", "ends_at": "2026-04-02T16:00:00+08:00"},
    )
    assert moved.status_code == 200
    assert moved.json()["starts_at"].startswith("2026-04-02T06:00:00")
    past = api.patch(path, contact_of_a, {"starts_at": "2026-03-01T14:00:00+08:00"})
    assert past.status_code == 422


def test_a_spare_kit_is_reserved_from_stock_and_released_on_cancel(
    api, clock, setup, contact_of_a, spares_keeper
):
    contract, sites = setup
    warehouse, part = WarehouseFactory(city="北京"), PartModelFactory()
    stock_receive(warehouse=warehouse, part_model=part, quantity=2, actor=spares_keeper.user)
    booking = api.post(URL, contact_of_a, payload(contract, sites[:1])).json()
    path = f"{URL}/{booking['id']}"

    kit = api.post(
        f"{path}/kit",
        spares_keeper,
        {"warehouse": warehouse.pk, "part_model": part.pk, "quantity": 2, "site": sites[0].pk},
    )
    assert kit.status_code == 201
    assert kit.json()["kit"][0]["reserved"] is True
    too_many = api.post(
        f"{path}/kit", spares_keeper, {"warehouse": warehouse.pk, "part_model": part.pk}
    )
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["body", "quantity"]

    api.post(f"{path}/cancel", contact_of_a, {})

    after = api.get(path, spares_keeper).json()
    assert after["kit"][0]["reserved"] is False
    level = warehouse.levels.get(part_model=part)
    assert (level.on_hand, level.reserved) == (2, 0)


def test_a_change_to_nothing_or_to_null_writes_nothing(api, clock, setup, contact_of_a):
    contract, sites = setup
    booking = api.post(URL, contact_of_a, payload(contract, sites[:1])).json()
    path = f"{URL}/{booking['id']}"

    assert api.patch(path, contact_of_a, {}).status_code == 200
    for field in ("sites", "starts_at", "title", "importance"):
        answer = api.patch(path, contact_of_a, {field: None})
        assert answer.status_code == 422, (field, answer.json())
        assert answer.json()["detail"][0]["loc"][-1] == field
    assert api.get(path, contact_of_a).json()["title"] == "全省安全生产视频会议"
