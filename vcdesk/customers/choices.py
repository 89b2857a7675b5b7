from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.TextChoices):
    BROADCAST = "broadcast", _("Broadcasting")
    TELECOM = "telecom", _("Telecom")
    FINANCE = "finance", _("Finance")
    EDUCATION = "education", _("Education")
    GOVERNMENT = "government", _("Government")
    OTHER = "other", _("Other")
