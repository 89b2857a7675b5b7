"""The plan's 客户满意度调查表 as the default survey (vcdesk/surveys/plan.py)."""

from django.db import migrations

from vcdesk.surveys.plan import PLAN_SURVEY_KEY, plan_survey_create


def create_default_survey(apps, schema_editor):
    plan_survey_create(
        apps.get_model("surveys", "Survey"),
        apps.get_model("surveys", "SurveySection"),
        apps.get_model("surveys", "SurveyItem"),
    )


def remove_default_survey(apps, schema_editor):
    apps.get_model("surveys", "Survey").objects.filter(key=PLAN_SURVEY_KEY).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_survey_definitions_and_invitations")]

    operations = [migrations.RunPython(create_default_survey, remove_default_survey)]
