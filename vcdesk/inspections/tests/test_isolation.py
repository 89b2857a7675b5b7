"""Organisation isolation (X3): a customer contact sees their own organisation's inspections,
checklists, photos, findings, trainings and reports — in the API, on the pages, in the PDF
and on the calendar — and another organisation's answer 404 everywhere."""

from dataclasses import dataclass

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from vcdesk.inspections import services
from vcdesk.inspections.models import Inspection
from vcdesk.inspections.tests.factories import DAY, T0, completed, started

pytestmark = pytest.mark.django_db


@dataclass
class Holdings:
    inspection: Inspection
    answer_id: int


@pytest.fixture
def of_a(org_a, field_engineer) -> Holdings:
    inspection = completed(org_a, engineer=field_engineer.user, suffix="A")
    return Holdings(inspection=inspection, answer_id=inspection.answers.first().pk)


@pytest.fixture
def of_b(org_b, field_engineer) -> Holdings:
    """Org B's inspection with a file on an item, a finding and a training."""
    inspection = started(org_b, engineer=field_engineer.user, suffix="B")
    actor = field_engineer.user
    with time_machine.travel(T0 + 2 * DAY, tick=False):
        answers = list(inspection.answers.all())
        for answer in answers[1:]:
            services.checklist_answer_record(answer, result="ok", actor=actor)
        services.checklist_answer_record(
            answers[0],
            result="problem",
            note="UPS 告警",
            attachment=SimpleUploadedFile("ups.txt", b"UPS alarm log"),
            actor=actor,
        )
        services.finding_open(
            inspection=inspection,
            answer=answers[0],
            device=answers[3].device,
            fault_class="full_outage",
            description="UPS 需更换",
            caller_name="钱明",
            caller_phone="13900002222",
            actor=actor,
        )
        services.training_record(
            inspection=inspection,
            topic="培训",
            attendees="钱明",
            attendee_count=1,
            duration_minutes=20,
            actor=actor,
        )
        services.inspection_complete(inspection, summary="完成", actor=actor)
    return Holdings(inspection=inspection, answer_id=answers[0].pk)


@pytest.fixture(autouse=True)
def _at_t0():
    with time_machine.travel(T0, tick=False):
        yield


def test_a_customer_contact_lists_only_their_own_organisations(api, contact_of_a, of_a, of_b):
    plans = api.get("/api/v1/inspection-plans", contact_of_a).json()
    assert [p["id"] for p in plans["items"]] == [of_a.inspection.plan_id]
    inspections = api.get("/api/v1/inspections", contact_of_a).json()
    assert [i["id"] for i in inspections["items"]] == [of_a.inspection.pk]
    assert api.get("/api/v1/inspection-findings", contact_of_a).json()["count"] == 0


def test_no_filter_widens_a_customer_contacts_view(api, contact_of_a, of_a, of_b, org_b):
    body = api.get("/api/v1/inspections", contact_of_a, organisation=org_b.pk).json()
    findings = api.get(
        "/api/v1/inspection-findings", contact_of_a, inspection=of_b.inspection.pk
    ).json()

    assert body["count"] == 0 and findings["count"] == 0


def test_another_organisations_inspection_answers_404_in_the_api(api, contact_of_a, of_a, of_b):
    base = f"/api/v1/inspections/{of_b.inspection.pk}"
    plan = of_b.inspection.plan_id

    assert api.get(base, contact_of_a).status_code == 404
    assert api.get(f"{base}/trainings", contact_of_a).status_code == 404
    assert api.get(f"/api/v1/inspection-plans/{plan}", contact_of_a).status_code == 404
    assert api.post(f"{base}/start", contact_of_a, {}).status_code == 404
    assert api.post(f"{base}/complete", contact_of_a, {"summary": "x"}).status_code == 404
    assert api.post(f"{base}/reschedule", contact_of_a, {"reason": "x"}).status_code == 404
    assert (
        api.patch(f"{base}/items/{of_b.answer_id}", contact_of_a, {"result": "ok"}).status_code
        == 404
    )
    generate = api.post(
        "/api/v1/inspection-plans/generate", contact_of_a, {"contract": of_b.inspection.contract_id}
    )
    assert generate.status_code == 404
    # Their own: readable, with its checklist.
    own = api.get(f"/api/v1/inspections/{of_a.inspection.pk}", contact_of_a).json()
    assert own["items_total"] == 17 and own["status"] == "completed"


def test_another_organisations_pages_pdf_and_files_answer_404(client, contact_of_a, of_a, of_b):
    client.force_login(contact_of_a.user)
    pk = of_b.inspection.pk
    for url in (
        f"/inspections/{pk}/",
        f"/inspections/{pk}/report.pdf",
        f"/inspections/{pk}/checklist/",
        f"/inspections/{pk}/reschedule/",
        f"/inspections/{pk}/complete/",
        f"/inspections/items/{of_b.answer_id}/file",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/inspections/{pk}/start/").status_code == 404

    listing = client.get("/inspections/?tab=all").content.decode()
    assert of_a.inspection.number in listing and of_b.inspection.number not in listing
    calendar = client.get("/calendar/?month=2026-05").content.decode()
    assert of_a.inspection.number in calendar and of_b.inspection.number not in calendar
    assert client.get(f"/inspections/{of_a.inspection.pk}/report.pdf").status_code == 200


def test_a_customer_contact_sees_their_own_photos_and_files(client, contact_of_b, of_b):
    client.force_login(contact_of_b.user)

    response = client.get(f"/inspections/items/{of_b.answer_id}/file")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"UPS alarm log"
    assert response["Content-Disposition"].startswith("attachment")
    page = client.get(f"/inspections/{of_b.inspection.pk}/").content.decode()
    assert "UPS 需更换" in page and "ups.txt" in page


def test_staff_see_every_organisations_inspections(api, service_manager, of_a, of_b):
    body = api.get("/api/v1/inspections", service_manager).json()

    assert {i["id"] for i in body["items"]} == {of_a.inspection.pk, of_b.inspection.pk}
