"""The plan's 客户满意度调查表 (系统集成实施阶段): its sections and items word for word, with
English labels. Seeded as the default survey by migration 0002, and again after a flush
(tests) when no survey exists; editable afterwards in the admin."""

PLAN_SURVEY_KEY = "plan-satisfaction"

SECTIONS = [
    (
        "product",
        "产品功能",
        "Product",
        [
            (
                "software_function",
                "软件产品/应用系统的功能",
                "Functions of the software product / application system",
            ),
            (
                "packaging_manuals",
                "产品包装、手册等资料",
                "Product packaging, manuals and other documentation",
            ),
        ],
    ),
    (
        "installation",
        "安装过程",
        "Installation",
        [
            ("hardware_quality", "集成的硬件系统质量", "Quality of the integrated hardware"),
            ("on_time_delivery", "按时交货", "Delivery on time"),
            (
                "on_time_installation",
                "准时完成安装、联调",
                "Installation and joint testing finished on time",
            ),
            (
                "installation_quality",
                "系统安装、集成质量",
                "Quality of system installation and integration",
            ),
        ],
    ),
    (
        "engineer",
        "工程师之表现",
        "The engineers",
        [
            ("technical_ability", "技术能力", "Technical ability"),
            ("professionalism", "专业水准", "Professionalism"),
            ("attitude", "工作态度", "Attitude to work"),
        ],
    ),
    (
        "training",
        "客户培训/应用指导",
        "Customer training / guidance in use",
        [
            ("training_effect", "技术培训效果", "Effect of the technical training"),
            ("user_manual", "用户手册的作用", "Usefulness of the user manual"),
        ],
    ),
    (
        "support",
        "技术支持",
        "Technical support",
        [
            ("contact_count", "与您联络次数", "Number of contacts with you"),
            ("response_time", "维护要求响应时间", "Response time to maintenance requests"),
            ("maintenance_quality", "维护工作的质量", "Quality of the maintenance work"),
        ],
    ),
    (
        "overall",
        "总体表现",
        "Overall",
        [
            (
                "overall",
                "您对产品/系统以及实施过程是否满意",
                "Are you satisfied with the product / system and its implementation?",
            ),
        ],
    ),
]

FOOTNOTE_ZH = "不足记录客户的评价时,可以有附页,附页格式自定,总页数包括所有附页。"
FOOTNOTE_EN = (
    "Where there is not room for the customer's comments, add pages in any format; "
    "the page count includes them."
)


def plan_survey_create(Survey, SurveySection, SurveyItem):
    """Create the plan's survey with the given model classes (real or historical)."""
    survey = Survey.objects.create(
        key=PLAN_SURVEY_KEY,
        title_zh="客户满意度调查表",
        title_en="Customer satisfaction survey",
        phase_zh="系统集成实施阶段",
        phase_en="System integration and implementation",
        footnote_zh=FOOTNOTE_ZH,
        footnote_en=FOOTNOTE_EN,
        is_default=True,
        active=True,
    )
    for s, (key, title_zh, title_en, items) in enumerate(SECTIONS, start=1):
        section = SurveySection.objects.create(
            survey=survey, position=s, key=key, title_zh=title_zh, title_en=title_en
        )
        for i, (item_key, text_zh, text_en) in enumerate(items, start=1):
            SurveyItem.objects.create(
                section=section, position=i, key=item_key, text_zh=text_zh, text_en=text_en
            )
    return survey
