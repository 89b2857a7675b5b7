from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_plan_survey(**kwargs) -> None:
    """The plan's survey after a flush (tests) left no survey at all; migration 0002 seeds
    it otherwise."""
    from vcdesk.surveys.models import Survey, SurveyItem, SurveySection
    from vcdesk.surveys.plan import plan_survey_create

    if not Survey.objects.exists():
        plan_survey_create(Survey, SurveySection, SurveyItem)


class SurveysConfig(AppConfig):
    name = "vcdesk.surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self) -> None:
        from vcdesk.surveys import receivers

        receivers.connect()
        post_migrate.connect(_ensure_plan_survey, sender=self, dispatch_uid="vcdesk_plan_survey")
