"""Demo inspections, built through the services: every contract in warranty planned for its
current year (some inspections already overdue, as the plan's dates fall), one inspection of
the demo customer completed today with a problem passed to technical support, training given
and its report archived, and one inspection under way with half its checklist filled."""

from datetime import datetime, timedelta

from django.utils import timezone

from vcdesk.calendars.workdays import BEIJING
from vcdesk.contracts.models import Contract
from vcdesk.inspections import services
from vcdesk.inspections.choices import ItemResult
from vcdesk.inspections.models import Inspection
from vcdesk.service.choices import EventType, FaultClass
from vcdesk.service.services import service_record_event_add

H = timedelta(hours=1)


def load_inspections(*, users: dict, now: datetime) -> int:
    manager, engineer = users["manager"], users["field"]
    today = timezone.localdate(now, timezone=BEIJING)
    planned = sum(
        len(services.inspection_plans_ensure(contract=contract, today=today, actor=manager))
        for contract in Contract.objects.order_by("pk")
    )
    upcoming = Inspection.objects.filter(completed_at__isnull=True, due_on__gte=today).order_by(
        "due_on", "pk"
    )
    customer = users["contact"].organisation
    done = upcoming.filter(organisation=customer).first()
    if done is not None:
        _complete(done, engineer=done.engineer or engineer, duty=users["duty"], now=now)
    under_way = upcoming.exclude(organisation=customer).first()
    if under_way is not None:
        _half_fill(under_way, engineer=under_way.engineer or engineer, now=now)
    return planned


def _start(inspection: Inspection, *, engineer, at: datetime) -> Inspection | None:
    try:
        return services.inspection_start(inspection, actor=engineer, at=at)
    except services.InspectionRefused:  # a contract whose devices are all retired
        return None


def _complete(inspection: Inspection, *, engineer, duty, now: datetime) -> None:
    inspection = _start(inspection, engineer=engineer, at=now - 3 * H)
    if inspection is None:
        return
    answers = list(inspection.answers.select_related("device").order_by("position"))
    codes = {a.pk: a.template_item.code if a.template_item else "" for a in answers}
    problem = next((a for a in answers if codes[a.pk] == "endpoint_hardware"), None)
    for answer in answers:
        if answer is problem:
            services.checklist_answer_record(
                answer,
                result=ItemResult.PROBLEM,
                note="摄像头云台转动时有异响，无法停在预置位",
                actor=engineer,
            )
        elif codes[answer.pk] == "site_temperature":
            services.checklist_answer_record(
                answer, result=ItemResult.OK, note="机房温度 22℃，湿度 45%", actor=engineer
            )
        else:
            services.checklist_answer_record(answer, result=ItemResult.OK, actor=engineer)
    if problem is not None:
        finding = services.finding_open(
            inspection=inspection,
            answer=problem,
            fault_class=FaultClass.HOT_SWAP_PART,
            description="摄像头云台故障，现场无法修复，需更换摄像头",
            caller_name="张伟",
            caller_phone="010-86092233",
            actor=engineer,
        )
        service_record_event_add(
            finding.service_record, type=EventType.RESPONDED, note="已安排备件", actor=duty
        )
    services.training_record(
        inspection=inspection,
        topic="会议模板的调用与多画面布局设置",
        attendees="李娜、王强、赵敏、孙磊",
        attendee_count=4,
        duration_minutes=45,
        actor=engineer,
    )
    services.inspection_complete(
        inspection,
        summary=(
            "MCU 与各会场终端运行正常，错误日志无严重告警；终端摄像头云台故障已转售后"
            "服务处理。已对会务人员进行会议模板与多画面布局的培训。"
        ),
        customer_representative="张伟",
        actor=engineer,
    )


def _half_fill(inspection: Inspection, *, engineer, now: datetime) -> None:
    inspection = _start(inspection, engineer=engineer, at=now - H)
    if inspection is None:
        return
    answers = list(inspection.answers.order_by("position"))
    for answer in answers[: len(answers) // 2]:
        services.checklist_answer_record(answer, result=ItemResult.OK, actor=engineer)
