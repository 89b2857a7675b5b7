"""The issue pages: a customer raises and follows an issue and gives their opinion; staff
record, pass on, supervise and resolve; files are downloads for whoever may see the issue."""

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vcdesk.core.testing import PERSONA_PASSWORD
from vcdesk.feedback.models import FeedbackRecord, IssueRecord
from vcdesk.feedback.tests.factories import record_issue, resolve
from vcdesk.notify.models import Notification


def signed_in(persona) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=persona.user.username, password=PERSONA_PASSWORD)
    return client


def test_a_customer_raises_a_complaint_from_the_portal(org_a, contact_of_a, manager):
    client = signed_in(contact_of_a)
    form = client.get("/issues/new/")
    assert "passed_to" not in form.context["form"].fields

    response = client.post(
        "/issues/new/",
        {
            "contact_name": "孙明",
            "contact_phone": "010-86092233",
            "details": "会议中断十分钟。",
            "kind": "complaint",
            "urgency": "urgent",
        },
    )

    issue = IssueRecord.objects.get()
    assert response.status_code == 302 and response.url == f"/issues/{issue.pk}/"
    assert issue.organisation == org_a and issue.kind == "complaint"
    assert Notification.objects.get().recipient == "manager@example.cn"


def test_staff_record_an_issue_with_the_whole_form(org_a, duty_officer):
    client = signed_in(duty_officer)

    response = client.post(
        "/issues/new/",
        {
            "organisation": org_a.pk,
            "received_on": "2026-03-09",
            "contact_name": "张伟",
            "details": "要求增加会议室。",
            "kind": "request",
            "urgency": "normal",
            "passed_to": "工程部",
            "passed_on": "2026-03-09",
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    issue = IssueRecord.objects.get()
    assert issue.number.startswith("CI-20260309-")
    assert issue.passed_to == "工程部"


def test_another_organisations_issue_and_its_files_are_not_found(org_b, duty_officer, contact_of_a):
    issue = record_issue(org_b, actor=duty_officer.user)
    staff = signed_in(duty_officer)
    staff.post(
        f"/issues/{issue.pk}/attachments/",
        {"file": SimpleUploadedFile("fax.pdf", b"%PDF-1.4 x", content_type="application/pdf")},
    )
    attachment = issue.attachments.get()
    client = signed_in(contact_of_a)

    for url in (
        f"/issues/{issue.pk}/",
        f"/issues/{issue.pk}/form.pdf",
        f"/issues/{issue.pk}/attachments/{attachment.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert issue.number not in client.get("/issues/").text
    download = staff.get(f"/issues/{issue.pk}/attachments/{attachment.pk}/")
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 x"


def test_the_customer_gives_an_opinion_on_the_issue_page(
    org_a, duty_officer, manager, contact_of_a
):
    issue = record_issue(org_a, actor=duty_officer.user)
    resolve(issue, actor=manager.user)
    client = signed_in(contact_of_a)

    page = client.get(f"/issues/{issue.pk}/")
    assert 'id="opinion-form"' in page.text
    client.post(f"/issues/{issue.pk}/feedback/opinion/", {"opinion": "满意，谢谢。"})

    assert FeedbackRecord.objects.get().customer_opinion == "满意，谢谢。"
    assert 'id="opinion-form"' not in client.get(f"/issues/{issue.pk}/").text


def test_staff_write_the_feedback_record_on_its_page(org_a, duty_officer, manager):
    issue = record_issue(org_a, actor=duty_officer.user, passed_to="技术服务部")
    client = signed_in(manager)

    with time_machine.travel("2026-03-11 10:00 +0800", tick=False):
        response = client.post(
            f"/issues/{issue.pk}/feedback/",
            {
                "department": "技术服务部",
                "result": "已处理。",
                "responsible_person": "李俊峰",
                "resolved_on": "2026-03-11",
            },
        )

    assert response.status_code == 302
    issue.refresh_from_db()
    assert str(issue.resolved_on) == "2026-03-11"


def test_a_customer_contact_cannot_open_the_staff_forms(org_a, duty_officer, contact_of_a):
    issue = record_issue(org_a, actor=duty_officer.user)
    client = signed_in(contact_of_a)

    assert client.get(f"/issues/{issue.pk}/edit/").status_code == 403
    assert client.get(f"/issues/{issue.pk}/feedback/").status_code == 403


def test_the_supervision_period_reads_from_until_in_chinese(org_a, duty_officer):
    issue = record_issue(org_a, actor=duty_officer.user)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(duty_officer.user)

    response = client.get(f"/issues/{issue.pk}/")

    form = response.context["supervision_form"]
    assert (str(form["period_from"].label), str(form["period_to"].label)) == ("从", "至")
    assert "来源" not in response.text and "去向" not in response.text


def test_an_issue_about_no_service_record_says_so_in_the_choice(org_a, contact_of_a):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(contact_of_a.user)

    response = client.get("/issues/new/")

    assert '<option value="" selected>无（与售后服务记录无关）</option>' in response.text
    assert "---------" not in response.text
