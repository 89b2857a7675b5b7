"""The checklist items of the service plan (section 5, R5.2), as editable data.

For an MCU: error log, call log, base configuration, conference templates, diagnostics with
the management software; for an endpoint: call log, base configuration, hardware
integrity; for other hardware: hardware integrity; for every site: the environment (power,
temperature, network). An administrator edits or adds items in the admin; a code already
present is left as it is.
"""

from django.db import migrations

ITEMS = [
    # code, scope, area, position, Chinese, English
    ("mcu_error_log", "mcu", "software", 10, "查看错误日志", "Error log reviewed"),
    ("mcu_call_log", "mcu", "software", 20, "查看呼叫日志", "Call log reviewed"),
    ("mcu_base_config", "mcu", "software", 30, "检查基本配置", "Base configuration checked"),
    ("mcu_conference_templates", "mcu", "software", 40, "检查会议模板", "Conference templates checked"),
    (
        "mcu_diagnostics",
        "mcu",
        "hardware",
        50,
        "使用管理软件进行诊断",
        "Diagnostics run with the management software",
    ),
    ("endpoint_call_log", "endpoint", "software", 10, "查看呼叫日志", "Call log reviewed"),
    ("endpoint_base_config", "endpoint", "software", 20, "检查基本配置", "Base configuration checked"),
    ("endpoint_hardware", "endpoint", "hardware", 30, "检查硬件完好性", "Hardware integrity checked"),
    ("other_hardware", "other", "hardware", 10, "检查硬件完好性", "Hardware integrity checked"),
    ("site_power", "site", "environment", 10, "电源（供电、接地）", "Power supply and grounding"),
    ("site_temperature", "site", "environment", 20, "温度、湿度", "Temperature and humidity"),
    ("site_network", "site", "environment", 30, "网络连接", "Network connection"),
]


def seed(apps, schema_editor):
    Item = apps.get_model("inspections", "ChecklistItemTemplate")
    existing = set(Item.objects.values_list("code", flat=True))
    Item.objects.bulk_create(
        Item(code=code, scope=scope, area=area, position=position, label_zh=zh, label_en=en)
        for code, scope, area, position, zh, en in ITEMS
        if code not in existing
    )


def unseed(apps, schema_editor):
    Item = apps.get_model("inspections", "ChecklistItemTemplate")
    Item.objects.filter(code__in=[item[0] for item in ITEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
