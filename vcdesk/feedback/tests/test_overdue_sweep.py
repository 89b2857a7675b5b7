"""An expected resolution date that passes unresolved is swept like the other deadlines:
told once to the service managers and the specialist; a resolved issue is not (R9.2)."""

import time_machine

from vcdesk.feedback import services
from vcdesk.feedback.models import IssueRecord
from vcdesk.feedback.services import issue_records_sweep_overdue
from vcdesk.feedback.tests.factories import DAY, HOUR, T0, TODAY, record_issue, resolve
from vcdesk.notify.models import Notification


def sweep_at(moment) -> int:
    with time_machine.travel(moment, tick=False):
        return issue_records_sweep_overdue()


def test_an_unresolved_issue_is_told_once_when_its_expected_day_has_ended(
    org_a, duty_officer, manager, support_engineer
):
    support_engineer.user.email = "support@example.cn"
    support_engineer.user.save()
    issue = record_issue(
        org_a,
        actor=duty_officer.user,
        expected_resolution_on=TODAY + DAY,
        specialist=support_engineer.user.pk,
    )

    # Due at the end of 11 March in Beijing: 2026-03-11 16:00 UTC.
    assert sweep_at(T0 + DAY + 14 * HOUR) == 0
    assert sweep_at(T0 + DAY + 15 * HOUR) == 1
    assert sweep_at(T0 + DAY + 15 * HOUR) == 0
    assert sweep_at(T0 + 5 * DAY) == 0

    told = sorted(Notification.objects.values_list("recipient", flat=True))
    assert told == ["manager@example.cn", "support@example.cn"]
    subject = Notification.objects.first().subject
    assert issue.number in subject and "2026-03-11" in subject
    issue.refresh_from_db()
    assert issue.overdue_notified_at == T0 + DAY + 15 * HOUR
    assert issue.overdue_at is None


def test_an_issue_resolved_in_time_is_not_told(org_a, duty_officer, manager):
    issue = record_issue(org_a, actor=duty_officer.user, expected_resolution_on=TODAY)
    resolve(issue, actor=manager.user)

    assert sweep_at(T0 + 3 * DAY) == 0
    assert not Notification.objects.exists()


def test_a_new_expected_date_is_watched_again(org_a, duty_officer, manager):
    issue = record_issue(org_a, actor=duty_officer.user, expected_resolution_on=TODAY)
    assert sweep_at(T0 + DAY) == 1

    with time_machine.travel(T0 + DAY, tick=False):
        services.issue_record_update(
            issue, expected_resolution_on=TODAY + 3 * DAY, actor=manager.user
        )

    assert sweep_at(T0 + 2 * DAY) == 0
    assert sweep_at(T0 + 4 * DAY) == 1
    assert Notification.objects.count() == 2


def test_the_sweep_reads_due_issues_on_the_stored_deadline(org_a, duty_officer):
    record_issue(org_a, actor=duty_officer.user, expected_resolution_on=TODAY)
    record_issue(org_a, actor=duty_officer.user)

    deadlines = list(IssueRecord.objects.values_list("overdue_at", flat=True))

    assert sorted(deadlines, key=lambda d: (d is None, d)) == [T0 + 15 * HOUR, None]


def test_a_customer_who_raised_the_issue_is_not_sent_the_internal_notice(
    org_a, contact_of_a, manager, duty_officer
):
    contact_of_a.user.email = "contact@example.cn"
    contact_of_a.user.save()
    issue = record_issue(org_a, actor=contact_of_a.user)
    with time_machine.travel(T0, tick=False):
        services.issue_record_update(issue, expected_resolution_on=TODAY, actor=duty_officer.user)

    assert sweep_at(T0 + DAY) == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == ["manager@example.cn"]
