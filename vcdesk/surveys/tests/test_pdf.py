"""The survey printed as the plan's form 客户满意度调查表 (R10.2): a PDF in Chinese."""

import io

from pypdf import PdfReader

from vcdesk.surveys.tests.factories import answer, invite
from vcdesk.surveys.tests.test_pages import signed_in


def pdf_text(content: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return "".join(text.split())


FORM_LABELS = (
    "客户满意度调查表",
    "系统集成实施阶段",
    "合同名称",
    "产品名称",
    "客户名称",
    "客户方联系人",
    "客户地址",
    "联系电话/传真",
    "实施部门",
    "实施人员",
    "执行调查部门",
    "执行调查人",
    "调查内容",
    "很满意",
    "很不满意",
    "不适用",
    "其他意见",
    "软件产品/应用系统的功能",
    "您对产品/系统以及实施过程是否满意",
)


def test_the_survey_prints_in_chinese_with_the_plans_labels_and_the_marks(org_a, service_manager):
    invitation = invite(org_a, contract_name="HT-2025-0007", product_name="Polycom RMX 2000")
    answer(invitation, score=5, attitude=None)

    response = signed_in(service_manager).get(f"/surveys/{invitation.pk}/form.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for label in FORM_LABELS:
        assert label in text, label
    assert "HT-2025-0007" in text
    assert text.count("√") == 15


def test_another_organisations_survey_does_not_print(org_b, contact_of_a):
    invitation = invite(org_b)

    assert signed_in(contact_of_a).get(f"/surveys/{invitation.pk}/form.pdf").status_code == 404
