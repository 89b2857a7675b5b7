"""The RMA printed as the plan's form 设备维修申请表 (R10.2): a PDF in Chinese, times in
Beijing time, for whoever may see the RMA."""

import io
import os

import pytest
import time_machine
from pypdf import PdfReader

from vcdesk.rma import services
from vcdesk.rma.tests.factories import (
    DAY,
    HOUR,
    T0,
    bonded_warehouse,
    device_of,
    file_rma,
    media_board,
    step,
    stocked,
)

FORM_LABELS = (
    "设备维修申请表",
    "填表人",
    "RMA号",
    "售后服务号",
    "日期",
    "用户资料",
    "用户单位全称",
    "联系人",
    "电话",
    "传真",
    "收件人",
    "收件人详细地址",
    "邮编",
    "维修产品情况",
    "设备型号",
    "序列号",
    "数量",
    "收到时间",
    "返回保税库时间",
    "故障现象",
    "分析原因及采取措施",
    "更换零备件记录",
    "备件型号",
    "到货时间",
    "返回用户时间",
)


def pdf_text(content: bytes) -> str:
    """The PDF's text without whitespace (the title is letter-spaced, cells are apart)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return "".join(text.split())


@pytest.fixture
def rma(org_a, spares_keeper):
    device = device_of(org_a, serial="RMX2000-0042")
    rma = file_rma(device, actor=spares_keeper.user)
    board = media_board(serialised=True)
    bonded = stocked(bonded_warehouse(), board, serials=["MPM-001"], actor=spares_keeper.user)
    with time_machine.travel(T0 + HOUR, tick=False):
        services.rma_advance_replacement(
            rma, warehouse=bonded, part_model=board, actor=spares_keeper.user
        )
    step(rma, "faulty_received", actor=spares_keeper.user, at=T0 + DAY)
    services.rma_update(
        rma, cause_and_measures="媒体板 DSP 芯片损坏，返厂更换", actor=spares_keeper.user
    )
    return rma


def form_url(rma) -> str:
    return f"/rma/{rma.pk}/form.pdf"


def test_the_rma_prints_as_a_pdf_named_after_its_number(client, spares_keeper, rma):
    client.force_login(spares_keeper.user)
    response = client.get(form_url(rma))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{rma.number}.pdf"'
    assert response.content.startswith(b"%PDF")
    if os.environ.get("VCDESK_KEEP_PDF"):  # for looking at it: pdftoppm -png -r 80 …
        with open(os.environ["VCDESK_KEEP_PDF"], "wb") as file:
            file.write(response.content)


def test_the_pdf_reads_like_the_plans_form_in_chinese(client, spares_keeper, rma):
    client.force_login(spares_keeper.user)
    text = pdf_text(client.get(form_url(rma)).content)

    for label in FORM_LABELS:
        assert label in text, label
    assert rma.number in text
    assert str(spares_keeper.user) in text
    assert "2026年3月10日" in text
    for value in ("北京广播电视台", "张伟", "010-86092233", "010-86092234", "李娜", "100022"):
        assert value in text, value
    assert "北京市朝阳区建国路98号12层设备间" in text
    assert "PolycomRMX2000" in text and "RMX2000-0042" in text
    assert "MCU媒体板告警，4个端口无法呼通" in text
    assert "媒体板DSP芯片损坏，返厂更换" in text
    assert "RMX媒体处理板MPMx-D" in text and "MPM-001" in text
    assert "先行发货" in text


def test_times_on_the_form_are_beijing_time(client, spares_keeper, rma):
    client.force_login(spares_keeper.user)
    text = pdf_text(client.get(form_url(rma)).content)

    assert "2026-03-1109:00" in text  # the faulty unit came in at 01:00 UTC


def test_the_pdf_prints_in_chinese_even_for_a_reader_of_english_pages(client, spares_keeper, rma):
    client.force_login(spares_keeper.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert "设备维修申请表" in pdf_text(client.get(form_url(rma)).content)


def test_the_customers_contact_prints_their_own_rma(client, contact_of_a, rma):
    client.force_login(contact_of_a.user)
    assert client.get(form_url(rma)).status_code == 200


def test_another_organisations_contact_gets_404(client, contact_of_b, rma):
    client.force_login(contact_of_b.user)
    assert client.get(form_url(rma)).status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in(client, rma):
    response = client.get(form_url(rma))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
