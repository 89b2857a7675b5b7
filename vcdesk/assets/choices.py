from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    MCU = "mcu", _("MCU (multipoint control unit)")
    ENDPOINT = "endpoint", _("Video-conferencing endpoint")
    OTHER = "other", _("Other hardware")


class DeviceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")
