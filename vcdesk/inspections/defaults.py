"""The checklist items of the service plan (section 5, R5.2), as a database starts with them.

For an MCU: error log, call log, base configuration, conference templates, diagnostics with
the management software; for an endpoint: call log, base configuration, hardware
integrity; for other hardware: hardware integrity; for every site: the environment (power,
temperature, network). They are data: an administrator edits, reorders, deactivates or adds
items in the admin, and an inspection copies the text of the active ones when it starts.
"""

# code, scope, area, position, Chinese, English
DEFAULT_ITEMS = [
    ("mcu_error_log", "mcu", "software", 10, "查看错误日志", "Error log reviewed"),
    ("mcu_call_log", "mcu", "software", 20, "查看呼叫日志", "Call log reviewed"),
    ("mcu_base_config", "mcu", "software", 30, "检查基本配置", "Base configuration checked"),
    (
        "mcu_conference_templates",
        "mcu",
        "software",
        40,
        "检查会议模板",
        "Conference templates checked",
    ),
    (
        "mcu_diagnostics",
        "mcu",
        "hardware",
        50,
        "使用管理软件进行诊断",
        "Diagnostics run with the management software",
    ),
    ("endpoint_call_log", "endpoint", "software", 10, "查看呼叫日志", "Call log reviewed"),
    (
        "endpoint_base_config",
        "endpoint",
        "software",
        20,
        "检查基本配置",
        "Base configuration checked",
    ),
    (
        "endpoint_hardware",
        "endpoint",
        "hardware",
        30,
        "检查硬件完好性",
        "Hardware integrity checked",
    ),
    ("other_hardware", "other", "hardware", 10, "检查硬件完好性", "Hardware integrity checked"),
    ("site_power", "site", "environment", 10, "电源（供电、接地）", "Power supply and grounding"),
    ("site_temperature", "site", "environment", 20, "温度、湿度", "Temperature and humidity"),
    ("site_network", "site", "environment", 30, "网络连接", "Network connection"),
]


def default_checklist_seed(item_model) -> int:
    """Create the default items whose code `item_model` (the model, or a migration's
    historical model) does not have yet; return how many were created."""
    existing = set(item_model.objects.values_list("code", flat=True))
    created = item_model.objects.bulk_create(
        item_model(code=code, scope=scope, area=area, position=position, label_zh=zh, label_en=en)
        for code, scope, area, position, zh, en in DEFAULT_ITEMS
        if code not in existing
    )
    return len(created)


def default_checklist_ensure() -> None:
    """Give a database without any checklist item the defaults (idempotent): after
    `migrate`, and after a test run's flush empties the tables."""
    from vcdesk.inspections.models import ChecklistItemTemplate

    if not ChecklistItemTemplate.objects.exists():
        default_checklist_seed(ChecklistItemTemplate)
