from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _ensure_escalation_levels(**kwargs) -> None:
    from vcdesk.service.escalation import default_levels_ensure

    default_levels_ensure()


class ServiceConfig(AppConfig):
    name = "vcdesk.service"
    verbose_name = _("Service records")

    def ready(self) -> None:
        from vcdesk.service.escalation import active_levels_forget
        from vcdesk.service.models import EscalationLevel

        post_migrate.connect(_ensure_escalation_levels, dispatch_uid="vcdesk_escalation_levels")
        # This process's cached levels go as soon as it changes one.
        for signal in (post_save, post_delete):
            signal.connect(
                active_levels_forget,
                sender=EscalationLevel,
                dispatch_uid=f"vcdesk_escalation_levels_forget_{signal is post_save}",
            )
