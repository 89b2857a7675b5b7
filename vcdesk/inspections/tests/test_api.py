"""The inspections API under /api/v1/: lists with filters and pagination, the inspection's
whole life (start, answer, attach, find, train, complete), and its refusals — 422 naming
the field, 409 for a step that cannot happen now, 403 for a write the user may not make."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from vcdesk.core.testing import persona_of
from vcdesk.inspections.models import Inspection, InspectionReport
from vcdesk.inspections.tests.factories import T0, installed_base, planned, started
from vcdesk.service.models import ServiceRecord

pytestmark = pytest.mark.django_db

URL = "/api/v1/inspections"


@pytest.fixture(autouse=True)
def _at_t0():
    """Today is Tuesday 2026-03-10 in Beijing: the inspections planned are not due yet."""
    with time_machine.travel(T0, tick=False):
        yield


def post_file(client, url: str, who, name: str, content: bytes):
    """A multipart upload of `file`, as a phone app or a script sends it."""
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, **who.auth)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_list_filters_and_paginates(api, service_manager, org_a, org_b, field_engineer):
    mine = planned(org_a, engineer=field_engineer.user)
    other = planned(org_b, suffix="B", per_year=2)

    everything = api.get(URL, service_manager).json()
    by_org = api.get(URL, service_manager, organisation=org_b.pk, limit=1).json()
    by_engineer = api.get(URL, service_manager, engineer=field_engineer.user.pk).json()
    by_method = api.get(URL, service_manager, method="phone").json()
    by_number = api.get(URL, service_manager, q=mine.number.lower()).json()

    assert everything["count"] == 3
    assert by_org["count"] == 2 and [i["id"] for i in by_org["items"]] == [other.pk]
    assert mine.pk in [i["id"] for i in by_engineer["items"]]
    assert [i["sequence"] for i in by_method["items"]] == [2]
    assert [i["number"] for i in by_number["items"]] == [mine.number]
    item = next(i for i in everything["items"] if i["id"] == mine.pk)
    assert item["status"] == "planned" and item["overdue"] is False
    assert item["report_url"] is None and item["items_total"] == 0


def test_the_overdue_filter_uses_beijings_today(api, service_manager, org_a):
    inspection = planned(org_a)
    service_manager = persona_of(service_manager.user, valid_for=dt.timedelta(days=365))

    with time_machine.travel(dt.datetime(2026, 5, 31, 15, 59, tzinfo=dt.UTC), tick=False):
        before = api.get(URL, service_manager, overdue="true").json()["count"]
    with time_machine.travel(dt.datetime(2026, 5, 31, 16, 0, tzinfo=dt.UTC), tick=False):
        after = api.get(URL, service_manager, overdue="true").json()

    assert inspection.due_on == dt.date(2026, 5, 31)
    assert before == 0 and after["count"] == 1 and after["items"][0]["overdue"] is True


def test_a_bad_filter_or_page_answers_422(api, service_manager):
    assert api.get(URL, service_manager, status="lost").status_code == 422
    assert api.get(URL, service_manager, limit=0).status_code == 422


def test_an_engineer_carries_an_inspection_through_the_api(api, client, field_engineer, org_a):
    inspection = planned(org_a, engineer=field_engineer.user)
    base = f"{URL}/{inspection.pk}"

    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        body = api.post(f"{base}/start", field_engineer, {}).json()
        assert body["status"] == "in_progress" and body["items_total"] == 17
        mcu = [a for a in body["answers"] if a["label_zh"] == "使用管理软件进行诊断"][0]
        assert mcu["label"] == "Diagnostics run with the management software"
        for answer in body["answers"]:
            result = "problem" if answer["id"] == mcu["id"] else "ok"
            note = "风扇告警" if result == "problem" else ""
            response = api.patch(
                f"{base}/items/{answer['id']}", field_engineer, {"result": result, "note": note}
            )
            assert response.status_code == 200, response.json()
        attached = post_file(
            client, f"{base}/items/{mcu['id']}/attachment", field_engineer, "fan.png", png()
        )
        assert attached.status_code == 200, attached.json()
        assert attached.json()["attachment_name"] == "fan.png"
        finding = api.post(
            f"{base}/findings",
            field_engineer,
            {
                "answer": mcu["id"],
                "fault_class": "hot_swap_part",
                "description": "风扇模块需更换",
                "caller_name": "张伟",
                "caller_phone": "13800001111",
            },
        )
        assert finding.status_code == 201, finding.json()
        training = api.post(
            f"{base}/trainings",
            field_engineer,
            {
                "topic": "多画面设置",
                "attendees": "李娜",
                "attendee_count": 1,
                "duration_minutes": 30,
            },
        )
        assert training.status_code == 201
        done = api.post(f"{base}/complete", field_engineer, {"summary": "运行正常"})

    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["status"] == "completed"
    assert body["report_url"] == f"/inspections/{inspection.pk}/report.pdf"
    record = ServiceRecord.objects.get()
    assert body["findings"][0]["service_record"] == record.pk
    assert body["findings"][0]["service_number"] == record.number
    assert [e["type"] for e in body["events"]] == ["planned", "started", "completed"]
    assert api.get(f"{base}/trainings", field_engineer).json()[0]["topic"] == "多画面设置"
    assert InspectionReport.objects.filter(inspection=inspection).exists()
    found = api.get("/api/v1/inspection-findings", field_engineer, service_record=record.pk)
    assert found.json()["count"] == 1


def test_completing_with_unanswered_items_answers_409_with_the_reason(api, field_engineer, org_a):
    inspection = started(org_a, engineer=field_engineer.user)

    response = api.post(f"{URL}/{inspection.pk}/complete", field_engineer, {"summary": "x"})

    assert response.status_code == 409
    assert "17 checklist items are not answered yet" in response.json()["detail"]


def test_starting_twice_answers_409(api, field_engineer, org_a):
    inspection = started(org_a, engineer=field_engineer.user)

    response = api.post(f"{URL}/{inspection.pk}/start", field_engineer, {})

    assert response.status_code == 409
    assert response.json()["detail"] == "The inspection has already started."


def test_a_problem_without_a_note_answers_422_naming_the_field(api, field_engineer, org_a):
    inspection = started(org_a, engineer=field_engineer.user)
    answer = inspection.answers.first()

    response = api.patch(
        f"{URL}/{inspection.pk}/items/{answer.pk}", field_engineer, {"result": "problem"}
    )
    bad_value = api.patch(
        f"{URL}/{inspection.pk}/items/{answer.pk}", field_engineer, {"result": "broken"}
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "note"], "msg": "Describe the problem.", "type": "invalid"}
    ]
    assert bad_value.status_code == 422
    assert bad_value.json()["detail"][0]["loc"][-1] == "result"


def test_a_bad_attachment_answers_422_naming_the_field(api, client, field_engineer, org_a):
    inspection = started(org_a, engineer=field_engineer.user)
    answer = inspection.answers.first()
    api.patch(f"{URL}/{inspection.pk}/items/{answer.pk}", field_engineer, {"result": "ok"})

    response = post_file(
        client,
        f"{URL}/{inspection.pk}/items/{answer.pk}/attachment",
        field_engineer,
        "photo.jpg",
        b"MZ not a jpeg",
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "attachment"]


def test_a_manager_moves_and_reassigns_with_a_reason_kept_as_events(
    api, service_manager, support_engineer, org_a, field_engineer
):
    inspection = planned(org_a, engineer=field_engineer.user)

    with time_machine.travel(T0, tick=False):
        response = api.post(
            f"{URL}/{inspection.pk}/reschedule",
            service_manager,
            {
                "due_on": "2026-04-15",
                "method": "phone",
                "engineer": support_engineer.user.pk,
                "reason": "客户要求提前，改为电话巡检",
            },
        )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["due_on"], body["method"], body["engineer"]) == (
        "2026-04-15",
        "phone",
        support_engineer.user.pk,
    )
    moved, method, reassigned = body["events"][1:]
    assert (moved["type"], moved["due_on_before"], moved["due_on_after"]) == (
        "moved",
        "2026-05-31",
        "2026-04-15",
    )
    assert (method["method_before"], method["method_after"]) == ("on_site", "phone")
    assert (reassigned["engineer_before"], reassigned["engineer_after"]) == (
        field_engineer.user.pk,
        support_engineer.user.pk,
    )
    assert {e["reason"] for e in (moved, method, reassigned)} == {"客户要求提前，改为电话巡检"}
    history = Inspection.objects.get(pk=inspection.pk).history.order_by("history_date")
    assert [h.due_on for h in history] == [dt.date(2026, 5, 31), dt.date(2026, 4, 15)]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"due_on": "2026-03-01", "reason": "x"}, "due_on"),
        ({"engineer": 999999, "reason": "x"}, "engineer"),
        ({"due_on": "2026-05-31", "reason": "nothing changes"}, "due_on"),
        ({"due_on": "2026-04-01", "reason": ""}, "reason"),
    ],
)
def test_a_bad_reschedule_answers_422_naming_the_field(api, service_manager, org_a, payload, field):
    inspection = planned(org_a)

    with time_machine.travel(T0, tick=False):
        response = api.post(f"{URL}/{inspection.pk}/reschedule", service_manager, payload)

    assert response.status_code == 422
    assert field in {loc for item in response.json()["detail"] for loc in item["loc"]}


def test_only_a_manager_moves_and_only_the_assigned_engineer_or_support_carries_out(
    api, field_engineer, support_engineer, contact_of_a, org_a
):
    inspection = planned(org_a)  # nobody assigned: no field engineer existed when planned
    Inspection.objects.filter(pk=inspection.pk).update(engineer=None)
    base = f"{URL}/{inspection.pk}"

    moved = api.post(f"{base}/reschedule", field_engineer, {"due_on": "2026-04-01", "reason": "x"})
    not_mine = api.post(f"{base}/start", field_engineer, {})
    customer = api.post(f"{base}/start", contact_of_a, {})
    support = api.post(f"{base}/start", support_engineer, {})

    assert (moved.status_code, not_mine.status_code, customer.status_code) == (403, 403, 403)
    assert support.status_code == 200


def test_a_manager_plans_a_contract_once(api, service_manager, org_a):
    contract = installed_base(org_a, per_year=2)

    with time_machine.travel(T0, tick=False):
        first = api.post(
            "/api/v1/inspection-plans/generate", service_manager, {"contract": contract.pk}
        )
        again = api.post(
            "/api/v1/inspection-plans/generate", service_manager, {"contract": contract.pk}
        )
    plans = api.get("/api/v1/inspection-plans", service_manager, contract=contract.pk).json()

    assert first.status_code == 200 and len(first.json()) == 2
    assert again.status_code == 200 and again.json() == []
    assert plans["count"] == 1
    assert plans["items"][0]["inspections_planned"] == 2
    assert plans["items"][0]["inspections_done"] == 0
