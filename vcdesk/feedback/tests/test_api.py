"""The issue and feedback API: create, list with filters and pages, read, change,
supervision entries, attachments and the customer's opinion; another organisation's record
answers 404 (R9.2, R9.3)."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from vcdesk.feedback.models import FeedbackRecord, IssueRecord
from vcdesk.feedback.tests.factories import (
    DAY,
    HOUR,
    T0,
    TODAY,
    issue_fields,
    record_issue,
    resolve,
)


def test_staff_record_an_issue_and_read_it_back(api, org_a, duty_officer):
    with time_machine.travel(T0, tick=False):
        response = api.post(
            "/api/v1/issue-records",
            duty_officer,
            issue_fields(organisation=org_a.pk, kind="complaint", urgency="very_urgent"),
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "CI-20260310-0001"
    assert body["kind"] == "complaint" and body["urgency"] == "very_urgent"
    assert body["managers_alerted_at"] is not None
    assert body["status"] == "new"
    assert api.get(f"/api/v1/issue-records/{body['id']}", duty_officer).json()["id"] == body["id"]


def test_a_customer_contact_raises_an_issue_without_naming_the_organisation(
    api, org_a, contact_of_a
):
    response = api.post("/api/v1/issue-records", contact_of_a, issue_fields())

    assert response.status_code == 201, response.content
    assert response.json()["organisation"] == org_a.pk


def test_a_customer_contact_filling_staff_fields_gets_422_naming_them(api, contact_of_a):
    response = api.post(
        "/api/v1/issue-records", contact_of_a, issue_fields(responsible_person="我自己")
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "responsible_person"]
    assert not IssueRecord.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "praise"}, "kind"),
        ({"urgency": "D"}, "urgency"),
        ({"contact_name": ""}, "contact_name"),
        ({"contact_email": "not-an-address"}, "contact_email"),
        ({"received_on": "2026-13-01"}, "received_on"),
    ],
)
def test_bad_input_gets_422_naming_the_field_and_writes_nothing(
    api, org_a, duty_officer, change, field
):
    response = api.post(
        "/api/v1/issue-records", duty_officer, issue_fields(organisation=org_a.pk, **change)
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    assert not IssueRecord.objects.exists()


def test_the_list_filters_and_pages(api, org_a, org_b, duty_officer):
    for _ in range(3):
        record_issue(org_a, actor=duty_officer.user)
    record_issue(org_b, actor=duty_officer.user, kind="complaint", expected_resolution_on=TODAY)

    with time_machine.travel(T0 + 2 * DAY, tick=False):
        page = api.get("/api/v1/issue-records", duty_officer, limit=2, offset=0).json()
        complaints = api.get("/api/v1/issue-records", duty_officer, kind="complaint").json()
        overdue = api.get("/api/v1/issue-records", duty_officer, overdue="true").json()
        of_a = api.get("/api/v1/issue-records", duty_officer, organisation=org_a.pk).json()
        bad = api.get("/api/v1/issue-records", duty_officer, urgency="soon")

    assert (page["count"], len(page["items"])) == (4, 2)
    assert [i["organisation"] for i in complaints["items"]] == [org_b.pk]
    assert overdue["count"] == 1 and overdue["items"][0]["overdue"] is True
    assert of_a["count"] == 3
    assert bad.status_code == 422


def test_another_organisations_records_answer_404_everywhere(
    api, org_b, duty_officer, manager, contact_of_a
):
    issue = record_issue(org_b, actor=duty_officer.user)
    feedback = resolve(issue, actor=manager.user)
    base = f"/api/v1/issue-records/{issue.pk}"
    upload = SimpleUploadedFile("fax.pdf", b"%PDF-1.4 fax", content_type="application/pdf")

    assert api.get(base, contact_of_a).status_code == 404
    assert api.patch(base, contact_of_a, {"details": "x"}).status_code == 404
    assert (
        api.post(
            f"{base}/supervision",
            contact_of_a,
            {"period_from": "2026-03-10", "period_to": "2026-03-10", "resolution": "x"},
        ).status_code
        == 404
    )
    from django.test import Client

    client = Client()
    assert (
        client.post(f"{base}/attachments", {"file": upload}, **contact_of_a.auth).status_code == 404
    )
    assert api.get(f"/api/v1/feedback-records/{feedback.pk}", contact_of_a).status_code == 404
    assert (
        api.post(
            f"/api/v1/feedback-records/{feedback.pk}/customer-opinion",
            contact_of_a,
            {"opinion": "满意"},
        ).status_code
        == 404
    )
    listed = api.get("/api/v1/issue-records", contact_of_a, organisation=org_b.pk).json()
    assert listed["count"] == 0
    assert api.get("/api/v1/feedback-records", contact_of_a).json()["count"] == 0


def test_a_customer_contact_may_not_change_an_issue(api, org_a, duty_officer, contact_of_a):
    issue = record_issue(org_a, actor=duty_officer.user)

    response = api.patch(f"/api/v1/issue-records/{issue.pk}", contact_of_a, {"details": "x"})

    assert response.status_code == 403


def test_a_change_that_gives_no_field_answers_the_record_and_writes_nothing(
    api, org_a, duty_officer, manager
):
    issue = record_issue(org_a, actor=duty_officer.user)
    rows = issue.history.count()

    response = api.patch(f"/api/v1/issue-records/{issue.pk}", manager, {})

    assert response.status_code == 200
    assert response.json()["number"] == issue.number
    assert issue.history.count() == rows


def test_staff_pass_on_and_supervise_an_issue(api, org_a, duty_officer, manager):
    issue = record_issue(org_a, actor=duty_officer.user)
    base = f"/api/v1/issue-records/{issue.pk}"

    with time_machine.travel(T0 + DAY, tick=False):
        changed = api.patch(
            base,
            manager,
            {
                "passed_to": "技术服务部",
                "passed_on": "2026-03-10",
                "expected_resolution_on": "2026-03-12",
            },
        )
        supervised = api.post(
            f"{base}/supervision",
            manager,
            {"period_from": "2026-03-10", "period_to": "2026-03-11", "resolution": "排查中"},
        )
        backwards = api.post(
            f"{base}/supervision",
            manager,
            {"period_from": "2026-03-11", "period_to": "2026-03-10", "resolution": "排查中"},
        )

    assert changed.status_code == 200 and changed.json()["status"] == "passed"
    assert supervised.status_code == 201
    assert supervised.json()["supervision"][0]["resolution"] == "排查中"
    assert backwards.status_code == 422
    assert backwards.json()["detail"][0]["loc"] == ["body", "period_to"]


def test_an_attachment_is_kept_and_a_program_is_refused(client, org_a, contact_of_a, duty_officer):
    issue = record_issue(org_a, actor=duty_officer.user)
    url = f"/api/v1/issue-records/{issue.pk}/attachments"
    fax = SimpleUploadedFile("客户传真.pdf", b"%PDF-1.4 fax", content_type="application/pdf")
    program = SimpleUploadedFile("setup.exe", b"MZ", content_type="application/octet-stream")

    kept = client.post(url, {"file": fax}, **contact_of_a.auth)
    refused = client.post(url, {"file": program}, **contact_of_a.auth)

    assert kept.status_code == 201, kept.content
    assert kept.json()["name"] == "客户传真.pdf"
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "file"]
    assert issue.attachments.count() == 1


def test_feedback_is_written_once_and_the_customer_gives_an_opinion_once(
    api, org_a, duty_officer, manager, contact_of_a
):
    issue = record_issue(org_a, actor=duty_officer.user)
    payload = {
        "issue": issue.pk,
        "department": "技术服务部",
        "result": "已更换专线。",
        "responsible_person": "李俊峰",
    }

    with time_machine.travel(T0 + HOUR, tick=False):
        created = api.post("/api/v1/feedback-records", manager, payload)
        again = api.post("/api/v1/feedback-records", manager, payload)
        url = f"/api/v1/feedback-records/{created.json()['id']}"
        too_early = api.post(f"{url}/customer-opinion", contact_of_a, {"opinion": "满意"})
        resolved = api.patch(url, manager, {"resolved_on": "2026-03-10"})
        opinion = api.post(f"{url}/customer-opinion", contact_of_a, {"opinion": "满意"})
        twice = api.post(f"{url}/customer-opinion", contact_of_a, {"opinion": "不满意"})
        empty = api.post(f"{url}/customer-opinion", manager, {"opinion": ""})

    assert created.status_code == 201, created.content
    assert again.status_code == 409
    assert too_early.status_code == 409
    assert resolved.json()["resolved_on"] == "2026-03-10"
    assert opinion.status_code == 200
    assert opinion.json()["customer_opinion_by"] == contact_of_a.user.pk
    assert twice.status_code == 409
    assert empty.status_code == 422
    assert FeedbackRecord.objects.get().customer_opinion == "满意"
    issue_body = api.get(f"/api/v1/issue-records/{issue.pk}", contact_of_a).json()
    assert issue_body["status"] == "closed"
    assert (
        api.get("/api/v1/feedback-records", contact_of_a, customer_opinion="true").json()["count"]
        == 1
    )


def test_a_customer_contact_may_not_write_a_feedback_record(api, org_a, duty_officer, contact_of_a):
    issue = record_issue(org_a, actor=duty_officer.user)

    response = api.post(
        "/api/v1/feedback-records",
        contact_of_a,
        {"issue": issue.pk, "department": "x", "result": "x", "responsible_person": "x"},
    )

    assert response.status_code == 403


def test_a_file_over_the_size_limit_is_refused(client, org_a, contact_of_a, duty_officer, settings):
    settings.VCDESK_ATTACHMENT_MAX_MB = 1
    issue = record_issue(org_a, actor=duty_officer.user)
    big = SimpleUploadedFile("scan.png", b"x" * (1024 * 1024 + 1), content_type="image/png")

    response = client.post(
        f"/api/v1/issue-records/{issue.pk}/attachments", {"file": big}, **contact_of_a.auth
    )

    assert response.status_code == 422
    assert "1 MB" in response.json()["detail"][0]["msg"]
    assert not issue.attachments.exists()


def test_ids_beyond_64_bits_are_bad_input_not_a_server_error(api, duty_officer, org_a):
    huge = 2**64

    assert api.get(f"/api/v1/issue-records/{huge}", duty_officer).status_code == 422
    assert api.get(f"/api/v1/feedback-records/{huge}", duty_officer).status_code == 422
    assert api.get("/api/v1/issue-records", duty_officer, organisation=huge).status_code == 422
    created = api.post(
        "/api/v1/issue-records", duty_officer, issue_fields(organisation=org_a.pk, specialist=huge)
    )
    assert created.status_code == 422
    assert api.get(f"/api/v1/survey-invitations/{huge}", duty_officer).status_code == 422
