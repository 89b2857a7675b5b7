"""Issue feedback records (R9.3): the result, the people, the resolution date — which
resolves the issue — and the customer's opinion of it, given once."""

import pytest
import time_machine
from django.core.exceptions import ValidationError

from vcdesk.feedback import services
from vcdesk.feedback.choices import IssueStatus
from vcdesk.feedback.tests.factories import DAY, HOUR, T0, TODAY, record_issue, resolve


@pytest.fixture
def issue(org_a, duty_officer):
    return record_issue(org_a, actor=duty_officer.user, expected_resolution_on=TODAY + DAY)


def test_a_feedback_record_with_a_resolution_date_resolves_the_issue(issue, manager):
    feedback = resolve(issue, actor=manager.user)

    issue.refresh_from_db()
    assert issue.resolved_on == TODAY
    assert issue.overdue_at is None
    assert issue.status == IssueStatus.RESOLVED
    assert (feedback.department, feedback.responsible_person) == ("技术服务部", "李俊峰")


def test_the_customer_gives_their_opinion_once(issue, manager, contact_of_a):
    feedback = resolve(issue, actor=manager.user)

    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        services.feedback_customer_opinion(feedback, opinion="满意。", actor=contact_of_a.user)
        with pytest.raises(services.FeedbackRefused):
            services.feedback_customer_opinion(
                feedback, opinion="改主意了", actor=contact_of_a.user
            )

    feedback.refresh_from_db()
    assert feedback.customer_opinion == "满意。"
    assert feedback.customer_opinion_by == contact_of_a.user
    assert feedback.customer_opinion_at == T0 + 2 * HOUR
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED


def test_no_opinion_before_the_issue_is_resolved(issue, manager, contact_of_a):
    with time_machine.travel(T0 + HOUR, tick=False):
        feedback = services.feedback_record_save(
            issue,
            department="技术服务部",
            result="处理中",
            responsible_person="李俊峰",
            actor=manager.user,
        )

    with pytest.raises(services.FeedbackRefused):
        services.feedback_customer_opinion(feedback, opinion="满意", actor=contact_of_a.user)


def test_a_resolution_date_in_the_future_or_before_the_issue_is_refused(issue, manager):
    with time_machine.travel(T0 + HOUR, tick=False):
        for day in (TODAY + DAY, TODAY - DAY):
            with pytest.raises(ValidationError) as refused:
                services.feedback_record_save(
                    issue,
                    department="技术服务部",
                    result="已处理",
                    responsible_person="李俊峰",
                    resolved_on=day,
                    actor=manager.user,
                )
            assert "resolved_on" in refused.value.message_dict


def test_the_resolution_the_customer_judged_cannot_be_changed(issue, manager, contact_of_a):
    feedback = resolve(issue, actor=manager.user)
    services.feedback_customer_opinion(feedback, opinion="满意", actor=contact_of_a.user)

    with pytest.raises(services.FeedbackRefused):
        services.feedback_record_save(issue, resolved_on=None, actor=manager.user)
    services.feedback_record_save(issue, department_head_opinion="同意", actor=manager.user)
