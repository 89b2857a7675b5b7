from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_escalation_levels(**kwargs) -> None:
    from vcdesk.service.escalation import default_levels_ensure

    default_levels_ensure()


class ServiceConfig(AppConfig):
    name = "vcdesk.service"
    verbose_name = _("Service records")

    def ready(self) -> None:
        post_migrate.connect(_ensure_escalation_levels, dispatch_uid="vcdesk_escalation_levels")
