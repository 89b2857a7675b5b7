"""The service record printed as the plan's form 售后服务记录 (R10.2): a PDF in Chinese."""

import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service import services
from vcdesk.service.pdf import history_lines

pytestmark = pytest.mark.urls("vcdesk.service.tests.pdf_urls")

T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def pdf_text(content: bytes) -> str:
    """The PDF's text without whitespace (the title is letter-spaced, cells are apart)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return "".join(text.split())


@pytest.fixture
def record(org_a, duty_officer, field_engineer):
    device = DeviceFactory(
        site=SiteFactory(organisation=org_a, name="主会场", travel_minutes=40),
        serial="RMX2000-0042",
    )
    with time_machine.travel(T0, tick=False):
        record = services.service_record_open(
            device=device,
            fault_class="main_module",
            description="主会场MCU主控板告警，全部会议中断",
            caller_name="张伟",
            caller_phone="010-86092233",
            actor=duty_officer.user,
        )
    with time_machine.travel(minutes(60), tick=False):
        services.service_record_event_add(
            record, type="responded", at=minutes(10), actor=duty_officer.user
        )
        services.history_entry_add(
            record,
            at=minutes(15),
            symptom="主控板状态灯红色常亮",
            action="远程登录失败，安排工程师携带备件到场",
            actor=duty_officer.user,
        )
        services.service_record_event_add(
            record,
            type="dispatched",
            at=minutes(20),
            engineer=field_engineer.user,
            note="携带备用主控板出发",
            actor=duty_officer.user,
        )
    return record


def form_url(record) -> str:
    return f"/service/records/{record.pk}/form.pdf"


def test_the_record_prints_as_a_pdf_named_after_its_number(client, duty_officer, record):
    client.force_login(duty_officer.user)
    response = client.get(form_url(record))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{record.number}.pdf"'
    assert response.content.startswith(b"%PDF")


def test_the_pdf_reads_like_the_plans_form_in_chinese(client, duty_officer, record):
    client.force_login(duty_officer.user)
    text = pdf_text(client.get(form_url(record)).content)
    for label in ("售后服务记录", "售后服务号", "值班人员", "支持人员", "状态", "现场人员"):
        assert label in text
    for label in ("公司内部", "客户", "单位", "联系人", "电话", "传真", "故障描述"):
        assert label in text
    for label in ("历史记录", "时间", "故障现象", "处理措施/解决方案", "服务时限"):
        assert label in text
    assert record.number in text
    assert "张伟" in text
    assert "010-86092233" in text
    assert "北京广播电视台" in text
    assert "RMX2000-0042" in text
    assert "主会场MCU主控板告警，全部会议中断" in text
    assert "远程登录失败，安排工程师携带备件到场" in text
    assert "携带备用主控板出发" in text
    assert "vcdesk售后服务中心" in text


def test_the_pdf_prints_even_when_the_user_reads_the_pages_in_english(client, duty_officer, record):
    client.force_login(duty_officer.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "售后服务记录" in pdf_text(client.get(form_url(record)).content)


def test_times_on_the_form_are_beijing_time(client, duty_officer, record):
    client.force_login(duty_officer.user)
    text = pdf_text(client.get(form_url(record)).content)
    assert "2026-03-1009:00" in text  # reported at 01:00 UTC
    assert "2026-03-1009:15" in text  # the history entry


def test_the_on_site_staff_are_the_dispatched_engineers(
    client, duty_officer, field_engineer, record
):
    client.force_login(duty_officer.user)
    text = pdf_text(client.get(form_url(record)).content)
    assert str(field_engineer.user) in text.split("现场人员", 1)[1]


def test_history_entries_and_process_events_are_interleaved_by_time(record):
    lines = history_lines(record)
    assert [line.at for line in lines] == [minutes(10), minutes(15), minutes(20)]
    assert [line.is_event for line in lines] == [True, False, True]
    assert lines[2].action == "携带备用主控板出发"


def test_a_customer_contact_prints_their_own_record(client, contact_of_a, record):
    client.force_login(contact_of_a.user)
    assert client.get(form_url(record)).status_code == 200


def test_a_customer_contact_of_another_organisation_gets_404(client, contact_of_b, record):
    client.force_login(contact_of_b.user)
    assert client.get(form_url(record)).status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in(client, record):
    response = client.get(form_url(record))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
