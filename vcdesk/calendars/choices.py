from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDayKind(models.TextChoices):
    """What a stored day is, against the Monday–Friday rule."""

    HOLIDAY = "holiday", _("Public holiday")
    WORKING_DAY = "working_day", _("Adjusted working day")


class CalendarDaySource(models.TextChoices):
    """Where a stored day came from; seeding never overwrites an edited day."""

    SEEDED = "seeded", _("Seeded from the holidays package")
    EDITED = "edited", _("Edited by an administrator")
