"""The inspection report (巡检报告, R5.5, R10.2): a Chinese PDF printed from the filled
checklist, archived when the inspection is completed and served as archived."""

import io

import pytest
import time_machine
from pypdf import PdfReader

from vcdesk.inspections import services
from vcdesk.inspections.models import InspectionReport
from vcdesk.inspections.pdf import inspection_report_render
from vcdesk.inspections.tests.factories import HOUR, T0, answer_all, completed, started

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    """The PDF's text without whitespace (the title is letter-spaced, cells are apart)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return "".join(text.split())


@pytest.fixture
def finished(org_a, field_engineer):
    inspection = started(org_a, engineer=field_engineer.user)
    actor = field_engineer.user
    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        answer_all(inspection, actor=actor)
        fan = inspection.answers.get(template_item__code="mcu_diagnostics")
        services.checklist_answer_record(
            fan, result="problem", note="风扇模块转速告警", actor=actor
        )
        services.finding_open(
            inspection=inspection,
            answer=fan,
            fault_class="hot_swap_part",
            description="风扇模块需更换",
            caller_name="张伟",
            caller_phone="13800001111",
            actor=actor,
        )
        services.training_record(
            inspection=inspection,
            topic="会议模板的使用",
            attendees="李娜、王强",
            attendee_count=2,
            duration_minutes=40,
            actor=actor,
        )
        return services.inspection_complete(
            inspection,
            summary="系统运行稳定，已完成年度巡检。",
            customer_representative="张伟",
            actor=actor,
        )


def test_the_archived_report_reads_like_a_form_in_chinese(client, field_engineer, finished):
    client.force_login(field_engineer.user)

    response = client.get(f"/inspections/{finished.pk}/report.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{finished.number}.pdf"'
    content = b"".join(response.streaming_content)
    text = pdf_text(content)
    for label in [
        "巡检报告",
        "巡检编号",
        "客户单位",
        "服务合同",
        "巡检方式",
        "现场巡检",
        "巡检工程师",
        "客户代表",
        "检查项目",
        "软件检查",
        "硬件检查",
        "环境检查",
        "查看错误日志",
        "使用管理软件进行诊断",
        "检查硬件完好性",
        "电源（供电、接地）",
        "正常",
        "有问题",
        "风扇模块转速告警",
        "售后服务号",
        "备份替换或热拔插部件故障",
        "用户培训",
        "会议模板的使用",
        "巡检结论",
        "系统运行稳定，已完成年度巡检。",
        "北京广播电视台",
    ]:
        assert label in text, label
    assert finished.number in text
    assert finished.findings.get().service_record.number in text


def test_the_report_is_served_exactly_as_archived(client, field_engineer, finished):
    client.force_login(field_engineer.user)
    archived = InspectionReport.objects.get(inspection=finished).pdf.read()

    first = b"".join(client.get(f"/inspections/{finished.pk}/report.pdf").streaming_content)
    second = b"".join(client.get(f"/inspections/{finished.pk}/report.pdf").streaming_content)

    assert first == second == archived


def test_staff_may_print_a_draft_before_completion_and_it_says_so(
    client, support_engineer, org_a, field_engineer
):
    inspection = started(org_a, engineer=field_engineer.user)
    client.force_login(support_engineer.user)

    response = client.get(f"/inspections/{inspection.pk}/report.pdf")

    assert response.status_code == 200
    assert "草稿" in pdf_text(response.content)
    assert not InspectionReport.objects.exists()


def test_a_customer_contact_sees_the_report_only_once_archived(
    client, contact_of_a, org_a, field_engineer
):
    inspection = started(org_a, engineer=field_engineer.user)
    client.force_login(contact_of_a.user)
    assert client.get(f"/inspections/{inspection.pk}/report.pdf").status_code == 404

    done = completed(org_a, engineer=field_engineer.user, suffix="2")

    response = client.get(f"/inspections/{done.pk}/report.pdf")
    assert response.status_code == 200
    assert "巡检报告" in pdf_text(b"".join(response.streaming_content))


def test_the_conclusion_and_the_signatures_are_never_split_over_two_pages(org_a, field_engineer):
    """However long the checklist before them, the signatures stay under the conclusion they
    sign (a longer and longer last note pushes both down; without the rule they part at
    about 36 lines)."""
    inspection = started(org_a, engineer=field_engineer.user)
    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        answer_all(inspection, actor=field_engineer.user)
    last = inspection.answers.order_by("position", "id").last()
    split = []
    for lines in range(0, 60, 4):
        last.note = "\n".join(["接地电阻偏高，已紧固"] * (lines + 1))
        last.save(update_fields=["note"])
        pages = [
            "".join(page.extract_text().split())
            for page in PdfReader(io.BytesIO(inspection_report_render(inspection))).pages
        ]
        signed = next(i for i, text in enumerate(pages) if "巡检工程师（签字）" in text)
        if "巡检结论" not in pages[signed]:
            split.append(lines)
    assert split == []
