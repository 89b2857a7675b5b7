"""Meeting assurance (会议保障, R6): importance, statuses, check results, outcomes."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Importance(models.TextChoices):
    """How much rides on the meeting; a critical one gets two senior engineers."""

    NORMAL = "normal", pgettext_lazy("meeting importance", "Normal")
    IMPORTANT = "important", pgettext_lazy("meeting importance", "Important")
    CRITICAL = "critical", pgettext_lazy("meeting importance", "Critical")


class BookingStatus(models.TextChoices):
    """Where a booking stands, derived from its timestamps."""

    BOOKED = "booked", _("Booked")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Staffing(models.TextChoices):
    """Derived: are as many senior engineers assigned as the meeting needs?"""

    UNDERSTAFFED = "understaffed", _("Understaffed")
    STAFFED = "staffed", _("Staffed")


class CheckKind(models.TextChoices):
    """Before the meeting: every participating site's devices are checked and the meeting
    flow is rehearsed (the plan's 检测 and 预演)."""

    DEVICE_CHECK = "device_check", _("Device check")
    REHEARSAL = "rehearsal", _("Rehearsal")


class CheckResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    PROBLEM = "problem", _("Problem found")


class Outcome(models.TextChoices):
    SUCCESSFUL = "successful", _("Successful")
    WITH_INCIDENTS = "with_incidents", _("Held, with incidents")
    FAILED = "failed", _("Failed")
