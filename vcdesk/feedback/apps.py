from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "vcdesk.feedback"
    verbose_name = _("Customer issues and feedback")
