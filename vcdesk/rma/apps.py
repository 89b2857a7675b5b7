from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RmaConfig(AppConfig):
    name = "vcdesk.rma"
    verbose_name = _("Repairs and quotes")
