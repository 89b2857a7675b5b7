"""Customer issue records (R9.2): every field of the plan's form, numbered per day; a
complaint or a very urgent issue tells the service managers at once."""

import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from vcdesk.feedback import services
from vcdesk.feedback.choices import IssueKind, IssueStatus, Urgency
from vcdesk.feedback.models import IssueRecord
from vcdesk.feedback.tests.factories import DAY, T0, TODAY, record_issue
from vcdesk.notify.models import Notification


def test_an_issue_keeps_every_field_of_the_plans_form(org_a, duty_officer, support_engineer):
    issue = record_issue(
        org_a,
        actor=duty_officer.user,
        kind=IssueKind.REQUEST,
        urgency=Urgency.URGENT,
        passed_to="技术服务部",
        passed_on=TODAY,
        expected_resolution_on=TODAY + 3 * DAY,
        planned_measures="调取日志，检查专线。",
        responsible_person="李俊峰",
        specialist=support_engineer.user.pk,
    )

    issue.refresh_from_db()
    assert issue.number == "CI-20260310-0001"
    assert issue.received_on == TODAY
    assert issue.recorder == duty_officer.user
    assert issue.organisation == org_a
    assert issue.contact_numbers == "010-86092233 / 010-86092234 / zhangwei@example.cn"
    assert issue.details == "分会场声音断续，影响会议效果。"
    assert (issue.kind, issue.urgency) == (IssueKind.REQUEST, Urgency.URGENT)
    assert (issue.passed_to, issue.passed_on) == ("技术服务部", TODAY)
    assert issue.expected_resolution_on == TODAY + 3 * DAY
    assert issue.planned_measures == "调取日志，检查专线。"
    assert issue.responsible_person == "李俊峰"
    assert issue.specialist == support_engineer.user
    assert issue.status == IssueStatus.PASSED


def test_numbers_count_per_day_received(org_a, duty_officer):
    first = record_issue(org_a, actor=duty_officer.user)
    second = record_issue(org_a, actor=duty_officer.user)
    earlier = record_issue(org_a, actor=duty_officer.user, received_on=TODAY - 2 * DAY)

    assert [first.number, second.number, earlier.number] == [
        "CI-20260310-0001",
        "CI-20260310-0002",
        "CI-20260308-0001",
    ]


def test_a_complaint_tells_the_service_managers_at_once(org_a, duty_officer, manager):
    issue = record_issue(org_a, actor=duty_officer.user, kind=IssueKind.COMPLAINT)

    (told,) = Notification.objects.all()
    assert told.recipient == "manager@example.cn"
    assert issue.number in told.subject
    assert "投诉" in told.subject
    assert "分会场声音断续" in told.body
    assert IssueRecord.objects.get().managers_alerted_at == T0


def test_a_very_urgent_request_tells_the_service_managers_too(org_a, duty_officer, manager):
    record_issue(org_a, actor=duty_officer.user, urgency=Urgency.VERY_URGENT)

    assert "非常紧迫" in Notification.objects.get().subject


def test_an_ordinary_request_tells_no_one(org_a, duty_officer, manager):
    record_issue(org_a, actor=duty_officer.user, urgency=Urgency.URGENT)

    assert not Notification.objects.exists()


def test_an_issue_raised_to_a_complaint_later_is_told_once(org_a, duty_officer, manager):
    issue = record_issue(org_a, actor=duty_officer.user)

    with time_machine.travel(T0 + DAY, tick=False):
        services.issue_record_update(issue, kind=IssueKind.COMPLAINT, actor=duty_officer.user)
        services.issue_record_update(issue, urgency=Urgency.VERY_URGENT, actor=duty_officer.user)

    assert Notification.objects.count() == 1


def test_a_customer_contact_raises_an_issue_for_their_own_organisation(
    org_a, org_b, contact_of_a, manager
):
    issue = record_issue(org_b, actor=contact_of_a.user, kind=IssueKind.COMPLAINT)

    assert issue.organisation == org_a
    assert issue.recorder == contact_of_a.user
    assert Notification.objects.count() == 1


def test_a_customer_contact_cannot_fill_the_service_teams_fields(org_a, contact_of_a):
    with pytest.raises(ValidationError) as refused:
        record_issue(org_a, actor=contact_of_a.user, passed_to="技术服务部")

    assert "passed_to" in refused.value.message_dict
    assert not IssueRecord.objects.exists()


def test_dates_out_of_order_are_refused_naming_the_field(org_a, duty_officer):
    with pytest.raises(ValidationError) as refused:
        record_issue(
            org_a,
            actor=duty_officer.user,
            passed_on=TODAY - DAY,
            expected_resolution_on=TODAY - 2 * DAY,
        )

    assert set(refused.value.message_dict) == {"passed_on", "expected_resolution_on"}


def test_a_service_record_of_another_customer_is_refused(org_a, org_b, duty_officer):
    from vcdesk.surveys.tests.factories import device_of, resolved_record

    record = resolved_record(device_of(org_b), staff=duty_officer.user)

    with pytest.raises(ValidationError) as refused:
        record_issue(org_a, actor=duty_officer.user, service_record=record.pk)

    assert "service_record" in refused.value.message_dict


def test_a_supervision_entry_records_the_period_and_the_degree_of_resolution(
    org_a, duty_officer, manager
):
    issue = record_issue(org_a, actor=duty_officer.user)

    with time_machine.travel(T0 + 3 * DAY, tick=False):
        services.supervision_entry_add(
            issue,
            period_from=TODAY,
            period_to=TODAY + 2 * DAY,
            resolution="已查明为专线丢包，等待运营商处理。",
            actor=manager.user,
        )
        with pytest.raises(ValidationError) as refused:
            services.supervision_entry_add(
                issue, period_from=TODAY + DAY, period_to=TODAY, resolution="", actor=manager.user
            )

    (entry,) = issue.supervision.all()
    assert (entry.period_from, entry.period_to) == (TODAY, TODAY + 2 * DAY)
    assert entry.recorded_by == manager.user
    assert set(refused.value.message_dict) == {"period_to", "resolution"}


@pytest.mark.django_db(transaction=True)
def test_issues_recorded_at_the_same_moment_get_different_numbers(org_a, duty_officer):
    barrier = threading.Barrier(3)
    numbers: list[str] = []

    def record() -> None:
        try:
            barrier.wait()
            numbers.append(record_issue(org_a, actor=duty_officer.user, at=None).number)
        finally:
            connection.close()

    threads = [threading.Thread(target=record) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    today = timezone.localdate().strftime("%Y%m%d")
    assert sorted(numbers) == [f"CI-{today}-000{n}" for n in (1, 2, 3)]
