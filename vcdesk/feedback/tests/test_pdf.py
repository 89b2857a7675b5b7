"""The issue and its feedback printed as the plan's forms 客户问题记录 and 客户问题回馈记录
(R10.2): PDFs in Chinese."""

import io

import time_machine
from pypdf import PdfReader

from vcdesk.feedback import services
from vcdesk.feedback.tests.factories import T0, TODAY, record_issue, resolve
from vcdesk.feedback.tests.test_pages import signed_in


def pdf_text(content: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return "".join(text.split())


ISSUE_LABELS = (
    "客户问题记录",
    "记录编号",
    "收到日期",
    "记录人",
    "客户名称",
    "联系人",
    "联系电话（传真、E-mail）",
    "问题详细内容",
    "问题类型",
    "A.正常请求解决问题",
    "B.投诉",
    "问题紧迫程度",
    "A.一般",
    "B.紧迫",
    "C.非常紧迫",
    "问题提交何部门（个人）",
    "提交日期",
    "此栏由问题所属部门填写",
    "预计何时解决问题",
    "计划采取的措施",
    "责任人签字",
    "问题督办过程记录",
    "问题解决程度",
    "问题受理专员",
)
FEEDBACK_LABELS = (
    "客户问题回馈记录",
    "记录编号",
    "收到日期",
    "问题所属部门",
    "客户名称",
    "客户联系人",
    "问题详细内容",
    "问题处理结果",
    "问题处理责任人签字",
    "问题所属部门负责人意见并签字",
    "此栏由问题受理专员填写",
    "问题解决日期",
    "客户对问题解决情况的意见",
    "问题受理专员",
)


def test_the_issue_record_prints_in_chinese_like_the_plans_form(org_a, duty_officer, manager):
    issue = record_issue(org_a, actor=duty_officer.user, kind="complaint")
    with time_machine.travel(T0, tick=False):
        services.supervision_entry_add(
            issue, period_from=TODAY, period_to=TODAY, resolution="排查专线", actor=manager.user
        )

    response = signed_in(manager).get(f"/issues/{issue.pk}/form.pdf")

    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for label in ISSUE_LABELS:
        assert label in text, label
    assert issue.number in text
    assert "排查专线" in text
    assert "■B.投诉" in text


def test_the_feedback_record_prints_in_chinese_like_the_plans_form(
    org_a, duty_officer, manager, contact_of_a
):
    issue = record_issue(org_a, actor=duty_officer.user)
    feedback = resolve(issue, actor=manager.user)
    services.feedback_customer_opinion(
        feedback, opinion="问题已解决，满意。", actor=contact_of_a.user
    )

    response = signed_in(contact_of_a).get(f"/issues/{issue.pk}/feedback.pdf")

    text = pdf_text(response.content)
    for label in FEEDBACK_LABELS:
        assert label in text, label
    assert "更换专线后恢复正常。" in text
    assert "问题已解决，满意。" in text
