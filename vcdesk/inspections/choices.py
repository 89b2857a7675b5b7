from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InspectionMethod(models.TextChoices):
    """How an inspection is done (service plan 5: 现场巡检 and 电话巡检)."""

    ON_SITE = "on_site", _("On-site inspection")
    PHONE = "phone", _("Phone inspection")


class InspectionStatus(models.TextChoices):
    """Derived from the inspection's times; overdue is shown beside it, not instead. A
    cancelled inspection is cancelled whether or not it had started."""

    PLANNED = "planned", pgettext_lazy("inspection status", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("inspection status", "In progress")
    COMPLETED = "completed", pgettext_lazy("inspection status", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("inspection status", "Cancelled")


class ChecklistScope(models.TextChoices):
    """What a checklist item is asked of: a device of a kind, or the site it stands in."""

    MCU = "mcu", _("MCU")
    ENDPOINT = "endpoint", _("Video-conferencing endpoint")
    OTHER = "other", _("Other hardware")
    SITE = "site", _("Site environment")


class CheckArea(models.TextChoices):
    """The three parts of an inspection (service plan 5: 软件检查、硬件检查和环境检查)."""

    SOFTWARE = "software", _("Software check")
    HARDWARE = "hardware", _("Hardware check")
    ENVIRONMENT = "environment", _("Environment check")


class ItemResult(models.TextChoices):
    OK = "ok", pgettext_lazy("checklist result", "OK")
    PROBLEM = "problem", pgettext_lazy("checklist result", "Problem")
    NOT_APPLICABLE = "not_applicable", pgettext_lazy("checklist result", "Not applicable")


class InspectionEventType(models.TextChoices):
    """One step in an inspection's life; the timeline and the audit read these rows."""

    PLANNED = "planned", _("Planned")
    MOVED = "moved", _("Due date moved")
    METHOD_CHANGED = "method_changed", _("Method changed")
    REASSIGNED = "reassigned", _("Engineer reassigned")
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed")
    REMINDED = "reminded", _("Reminder sent")
    OVERDUE_NOTICE = "overdue_notice", _("Overdue notice sent")
    CANCELLED = "cancelled", _("Cancelled")
