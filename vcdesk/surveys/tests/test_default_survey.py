"""The default survey is the plan's 客户满意度调查表, word for word (R9.1)."""

from vcdesk.surveys.models import Survey

# seed-zh.txt, 客户满意度调查表 (系统集成实施阶段): the sections and their items, in order.
PLAN = [
    ("产品功能", ["软件产品/应用系统的功能", "产品包装、手册等资料"]),
    (
        "安装过程",
        ["集成的硬件系统质量", "按时交货", "准时完成安装、联调", "系统安装、集成质量"],
    ),
    ("工程师之表现", ["技术能力", "专业水准", "工作态度"]),
    ("客户培训/应用指导", ["技术培训效果", "用户手册的作用"]),
    ("技术支持", ["与您联络次数", "维护要求响应时间", "维护工作的质量"]),
    ("总体表现", ["您对产品/系统以及实施过程是否满意"]),
]


def test_the_default_survey_has_exactly_the_plans_sections_and_items_in_order(db):
    survey = Survey.objects.get(is_default=True)

    found = [
        (section.title_zh, [item.text_zh for item in section.items.order_by("position")])
        for section in survey.sections.order_by("position")
    ]

    assert found == PLAN
    assert survey.title_zh == "客户满意度调查表"
    assert survey.phase_zh == "系统集成实施阶段"
    assert survey.active


def test_every_section_and_item_has_an_english_label_and_a_stable_key(db):
    survey = Survey.objects.get(is_default=True)

    for section in survey.sections.all():
        assert section.title_en and section.key
        for item in section.items.all():
            assert item.text_en and item.key


def test_there_is_one_default_survey(db):
    assert Survey.objects.filter(is_default=True).count() == 1
