"""Checklists by device kind (R5.2): drawn up from editable items when an inspection starts,
the items' text copied; each item answered ok, problem or not applicable, with a note and a
photo or file; completion needs every item and archives the report (R5.5)."""

import hashlib
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from vcdesk.assets.choices import DeviceStatus
from vcdesk.assets.models import Device
from vcdesk.inspections import services
from vcdesk.inspections.choices import InspectionEventType, InspectionStatus, ItemResult
from vcdesk.inspections.models import ChecklistItemTemplate, InspectionReport
from vcdesk.inspections.tests.factories import HOUR, T0, answer_all, completed, planned, started

pytestmark = pytest.mark.django_db

MCU_ITEMS = ["查看错误日志", "查看呼叫日志", "检查基本配置", "检查会议模板", "使用管理软件进行诊断"]
ENDPOINT_ITEMS = ["查看呼叫日志", "检查基本配置", "检查硬件完好性"]
SITE_ITEMS = ["电源（供电、接地）", "温度、湿度", "网络连接"]


def png(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="PNG")
    return buffer.getvalue()


def checklist(inspection) -> list[tuple[str, str | None, str]]:
    return [
        (a.site.name, a.device.serial if a.device else None, a.label_zh)
        for a in inspection.answers.select_related("site", "device").order_by("position")
    ]


def test_starting_draws_up_the_checklist_per_site_then_per_device_by_kind(org_a, field_engineer):
    inspection = started(org_a, engineer=field_engineer.user)

    expected = (
        [("一号会议室", None, label) for label in SITE_ITEMS]
        + [("一号会议室", "8216G500A1", label) for label in ENDPOINT_ITEMS]
        + [("一号会议室", "8216G500A2", label) for label in ENDPOINT_ITEMS]
        + [("中心机房", None, label) for label in SITE_ITEMS]
        + [("中心机房", "82RMX4000A17", label) for label in MCU_ITEMS]
    )
    assert checklist(inspection) == expected
    assert inspection.status == InspectionStatus.IN_PROGRESS
    assert inspection.events.filter(type=InspectionEventType.STARTED).count() == 1


def test_retired_devices_are_not_inspected(org_a, field_engineer):
    inspection = planned(org_a, engineer=field_engineer.user)
    Device.objects.filter(serial="8216G500A2").update(status=DeviceStatus.RETIRED)

    services.inspection_start(inspection, actor=field_engineer.user)

    assert "8216G500A2" not in {serial for _site, serial, _label in checklist(inspection)}


def test_starting_twice_is_refused(org_a, field_engineer):
    inspection = started(org_a, engineer=field_engineer.user)

    with pytest.raises(services.InspectionRefused):
        services.inspection_start(inspection, actor=field_engineer.user)


def test_editing_a_checklist_item_later_does_not_rewrite_a_filled_checklist(org_a, field_engineer):
    inspection = started(org_a, engineer=field_engineer.user)
    item = ChecklistItemTemplate.objects.get(code="mcu_error_log")
    item.label_zh = "查看告警与错误日志"
    item.save()

    assert "查看错误日志" in [label for _s, _d, label in checklist(inspection)]
    assert "查看告警与错误日志" not in [label for _s, _d, label in checklist(inspection)]


def test_an_item_reads_in_the_users_language(org_a, field_engineer):
    inspection = started(org_a, engineer=field_engineer.user)
    answer = inspection.answers.get(template_item__code="mcu_diagnostics")

    with translation.override("en"):
        assert answer.label == "Diagnostics run with the management software"
    with translation.override("zh-hans"):
        assert answer.label == "使用管理软件进行诊断"


def test_a_deactivated_item_is_not_asked_and_a_new_one_is(org_a, field_engineer):
    ChecklistItemTemplate.objects.filter(code="site_temperature").update(active=False)
    ChecklistItemTemplate.objects.create(
        code="mcu_fans", scope="mcu", area="hardware", position=60, label_zh="检查风扇"
    )

    labels = [label for _s, _d, label in checklist(started(org_a, engineer=field_engineer.user))]

    assert "温度、湿度" not in labels and "检查风扇" in labels


def test_a_problem_must_say_what(org_a, field_engineer):
    inspection = started(org_a, engineer=field_engineer.user)
    answer = inspection.answers.first()

    with pytest.raises(ValidationError) as refused:
        services.checklist_answer_record(answer, result="problem", actor=field_engineer.user)

    assert "note" in refused.value.message_dict


def test_an_answer_keeps_its_photo_and_every_change_is_in_its_history(org_a, field_engineer):
    inspection = started(org_a, engineer=field_engineer.user)
    answer = inspection.answers.first()
    photo = SimpleUploadedFile("机柜.PNG", png(), content_type="image/png")

    services.checklist_answer_record(
        answer, result="problem", note="UPS 告警", attachment=photo, actor=field_engineer.user
    )
    answer = services.checklist_answer_record(
        answer, result="ok", note="UPS 已复位", actor=field_engineer.user
    )

    assert answer.attachment_name == "机柜.PNG"
    assert answer.attachment.name.endswith(".png") and "机柜" not in answer.attachment.name
    assert answer.attachment.read() == png()
    assert [h.result for h in answer.history.order_by("history_date")] == ["", "problem", "ok"]
    assert answer.answered_by == field_engineer.user


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("run.exe", b"MZ\x90\x00", "Attach a photo"),
        ("page.svg", b"<svg onload=alert(1)>", "Attach a photo"),
        ("fake.jpg", b"<html>not a photo</html>", "not a photo"),
        ("fake.pdf", b"<html>", "not a PDF"),
        ("binary.log", b"\x00\x01\x02", "not a text file"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused(org_a, field_engineer, name, content, reason):
    inspection = started(org_a, engineer=field_engineer.user)
    answer = inspection.answers.first()

    with pytest.raises(ValidationError) as refused:
        services.checklist_answer_record(
            answer,
            result="ok",
            attachment=SimpleUploadedFile(name, content),
            actor=field_engineer.user,
        )

    assert reason in " ".join(refused.value.message_dict["attachment"])
    answer.refresh_from_db()
    assert answer.result == "" and not answer.attachment


def test_a_file_over_the_size_limit_is_refused(org_a, field_engineer, settings):
    settings.VCDESK_INSPECTION_UPLOAD_MAX_MB = 1
    inspection = started(org_a, engineer=field_engineer.user)
    big = SimpleUploadedFile("call.log", b"x" * (1024 * 1024 + 1))

    with pytest.raises(ValidationError) as refused:
        services.checklist_answer_record(
            inspection.answers.first(), result="ok", attachment=big, actor=field_engineer.user
        )

    assert "larger than 1 MB" in refused.value.message_dict["attachment"][0]


def test_an_item_cannot_be_answered_once_the_inspection_is_completed(org_a, field_engineer):
    inspection = started(org_a, engineer=field_engineer.user)
    answer = inspection.answers.first()
    answer_all(inspection, actor=field_engineer.user)
    services.inspection_complete(inspection, summary="正常", actor=field_engineer.user)

    with pytest.raises(services.InspectionRefused):
        services.checklist_answer_record(answer, result="problem", note="x", actor=None)


def test_completing_with_unanswered_items_is_refused_and_says_how_many(org_a, field_engineer):
    inspection = started(org_a, engineer=field_engineer.user)
    for answer in inspection.answers.all()[:10]:
        services.checklist_answer_record(answer, result="ok", actor=field_engineer.user)

    with pytest.raises(services.InspectionRefused, match="7 checklist items"):
        services.inspection_complete(inspection, summary="正常", actor=field_engineer.user)

    inspection.refresh_from_db()
    assert inspection.completed_at is None
    assert not InspectionReport.objects.exists()


def test_completing_archives_the_report_once_and_freezes_the_inspection(org_a, field_engineer):
    inspection = completed(org_a, engineer=field_engineer.user)

    report = InspectionReport.objects.get(inspection=inspection)
    content = report.pdf.read()
    assert content.startswith(b"%PDF")
    assert report.sha256 == hashlib.sha256(content).hexdigest() and report.size == len(content)
    assert inspection.status == InspectionStatus.COMPLETED
    assert inspection.completed_at == T0 + 2 * HOUR
    with pytest.raises(services.InspectionRefused):
        services.inspection_complete(inspection, summary="again", actor=field_engineer.user)
    with pytest.raises(services.InspectionRefused):
        services.training_record(
            inspection=inspection,
            topic="x",
            attendees="x",
            attendee_count=1,
            duration_minutes=1,
            actor=field_engineer.user,
        )
    with time_machine.travel(T0 + 3 * HOUR, tick=False):
        with pytest.raises(services.InspectionRefused):
            services.inspection_reschedule(
                inspection, reason="late", engineer=field_engineer.user.pk, actor=None
            )


def test_items_answered_as_problems_need_notes_but_not_applicable_does_not(org_a, field_engineer):
    inspection = started(org_a, engineer=field_engineer.user)

    answer = services.checklist_answer_record(
        inspection.answers.first(), result=ItemResult.NOT_APPLICABLE, actor=field_engineer.user
    )

    assert answer.result == ItemResult.NOT_APPLICABLE and answer.note == ""


def test_a_database_left_without_checklist_items_gets_the_defaults_again():
    from vcdesk.inspections.defaults import DEFAULT_ITEMS, default_checklist_ensure

    ChecklistItemTemplate.objects.all().delete()
    default_checklist_ensure()
    default_checklist_ensure()

    assert ChecklistItemTemplate.objects.count() == len(DEFAULT_ITEMS) == 12


def test_other_apps_hear_of_a_completed_inspection_once_it_is_committed(
    org_a, field_engineer, django_capture_on_commit_callbacks
):
    from vcdesk.inspections.signals import inspection_completed

    heard = []

    def listener(sender, *, inspection, **kwargs):
        heard.append(inspection.pk)

    inspection_completed.connect(listener)
    try:
        inspection = started(org_a, engineer=field_engineer.user)
        answer_all(inspection, actor=field_engineer.user)
        with django_capture_on_commit_callbacks(execute=True):
            services.inspection_complete(inspection, summary="正常", actor=field_engineer.user)
            assert heard == []
    finally:
        inspection_completed.disconnect(listener)

    assert heard == [inspection.pk]
