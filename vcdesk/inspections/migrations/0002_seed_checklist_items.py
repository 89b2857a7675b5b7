"""The checklist items of the service plan (section 5, R5.2), as editable data
(vcdesk.inspections.defaults). A code already present is left as it is."""

from django.db import migrations

from vcdesk.inspections.defaults import DEFAULT_ITEMS, default_checklist_seed


def seed(apps, schema_editor):
    default_checklist_seed(apps.get_model("inspections", "ChecklistItemTemplate"))


def unseed(apps, schema_editor):
    Item = apps.get_model("inspections", "ChecklistItemTemplate")
    Item.objects.filter(code__in=[item[0] for item in DEFAULT_ITEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
