"""Demo customer voice, built through the services: satisfaction surveys answered over the
past months (one item "not applicable" here and there), one waiting for the demo customer
("contact") in the portal, and customer issue records — an overdue very urgent complaint
under supervision, a resolved request waiting for the customer's opinion, and one closed
with the customer's opinion."""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from vcdesk.calendars.workdays import BEIJING
from vcdesk.contracts.models import Contract
from vcdesk.feedback import services as feedback
from vcdesk.service.choices import RecordStatus
from vcdesk.service.models import ServiceRecord
from vcdesk.surveys import services as surveys
from vcdesk.surveys.models import SurveyInvitation, SurveyItem

D = timedelta(days=1)
# Past surveys: (days ago, the usual score, items answered "not applicable", comment)
ANSWERED = [
    (150, 4, ("training_effect", "user_manual"), ""),
    (120, 5, (), "工程师响应很快，处理专业。"),
    (95, 3, ("packaging_manuals",), "备件到货偏慢。"),
    (70, 4, (), ""),
    (40, 5, ("training_effect",), "感谢会议保障团队。"),
    (12, 4, (), "希望增加一次现场培训。"),
]


def _answers(items, usual: int, not_applicable, rng: random.Random) -> list[dict]:
    return [
        {
            "item": item.pk,
            "score": None
            if item.key in not_applicable
            else max(1, min(5, usual + rng.choice((-1, 0, 0, 0, 1)))),
            "comment": "",
        }
        for item in items
    ]


def load_voice(*, users: dict, now: datetime) -> int:
    rng = random.Random(6)
    today = timezone.localdate(now, timezone=BEIJING)
    customer = users["contact"]
    organisation = customer.organisation
    engineers = [users["field"], users["support"]]
    contracts = list(Contract.objects.order_by("id"))
    items = list(
        SurveyItem.objects.filter(section__survey=surveys.survey_default()).order_by(
            "section__position", "position"
        )
    )

    # Surveys answered over the past months, across organisations, back-dated.
    for i, (days, usual, not_applicable, comment) in enumerate(ANSWERED):
        contract = contracts[i % len(contracts)]
        invitation = surveys.survey_send(
            organisation=contract.organisation,
            contract=contract,
            engineers=[engineers[i % 2]],
            recipient_email="",
            actor=users["manager"],
        )
        surveys.survey_answer(
            invitation,
            answers=_answers(items, usual, not_applicable, rng),
            overall_comments=comment,
        )
        sent = now - days * D
        SurveyInvitation.objects.filter(pk=invitation.pk).update(
            sent_at=sent, expires_at=sent + 30 * D, answered_at=sent + 2 * D
        )

    # A confirmed record of the demo customer, its survey waiting in the portal.
    record = (
        ServiceRecord.objects.filter(organisation=organisation, status=RecordStatus.CONFIRMED)
        .order_by("-reported_at")
        .first()
    )
    if record is not None:
        surveys.survey_invite_for_service_record(record=record)
    else:
        surveys.survey_send(
            organisation=organisation,
            engineers=engineers[:1],
            recipient_name=str(customer),
            recipient_email=customer.email,
            actor=users["manager"],
        )

    # Customer issue records.
    manager, duty = users["manager"], users["duty"]
    complaint = feedback.issue_record_create(
        organisation=organisation,
        received_on=today - 6 * D,
        contact_name=str(customer),
        contact_phone="010-86092233",
        contact_email=customer.email,
        details="上周三全国视频会议期间，分会场声音断续约 10 分钟，影响会议效果。"
        "要求查明原因并书面答复。",
        kind="complaint",
        urgency="very_urgent",
        passed_to="技术服务部",
        passed_on=today - 6 * D,
        expected_resolution_on=today - 1 * D,
        planned_measures="调取 MCU 呼叫日志和网络监控记录，现场检查分会场终端与线路。",
        responsible_person="李俊峰",
        specialist=manager,
        actor=duty,
    )
    feedback.supervision_entry_add(
        complaint,
        period_from=today - 6 * D,
        period_to=today - 3 * D,
        resolution="已调取日志，初步判断为分会场专线丢包，等待运营商确认。",
        actor=manager,
    )
    request = feedback.issue_record_create(
        contact_name=str(customer),
        contact_phone="010-86092233",
        details="希望为新入职的会议室管理员安排一次终端操作培训。",
        kind="request",
        urgency="normal",
        actor=customer,
    )
    feedback.issue_record_update(
        request,
        passed_to="客户服务部",
        passed_on=today,
        expected_resolution_on=today + 5 * D,
        responsible_person="陈志强",
        specialist=manager,
        actor=manager,
    )
    feedback.feedback_record_save(
        request,
        department="客户服务部",
        result="已于现场为 6 名管理员讲解终端开机、呼叫、双流和常见故障处理。",
        responsible_person="陈志强",
        department_head="刘建国",
        department_head_opinion="培训到位，请客户确认。",
        resolved_on=today,
        actor=manager,
    )
    closed = feedback.issue_record_create(
        organisation=organisation,
        received_on=today - 40 * D,
        contact_name=str(customer),
        details="MCU 会议模板中的分辨率设置与要求不符。",
        kind="request",
        urgency="urgent",
        passed_to="技术服务部",
        passed_on=today - 40 * D,
        expected_resolution_on=today - 35 * D,
        responsible_person="李俊峰",
        specialist=manager,
        actor=duty,
    )
    record = feedback.feedback_record_save(
        closed,
        department="技术服务部",
        result="已按要求修改会议模板为 1080p，并备份配置。",
        responsible_person="李俊峰",
        department_head="刘建国",
        department_head_opinion="同意。",
        resolved_on=today - 37 * D,
        actor=manager,
    )
    feedback.feedback_customer_opinion(record, opinion="问题已解决，满意。", actor=customer)
    return len(ANSWERED) + 1
