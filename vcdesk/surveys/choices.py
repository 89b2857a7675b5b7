"""Survey scores, what an invitation was sent for, and where it stands (R9.1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Score(models.IntegerChoices):
    """The plan's scale; "not applicable" is no score at all (stored as NULL)."""

    VERY_SATISFIED = 5, pgettext_lazy("satisfaction score", "Very satisfied")
    SATISFIED = 4, pgettext_lazy("satisfaction score", "Satisfied")
    AVERAGE = 3, pgettext_lazy("satisfaction score", "Average")
    DISSATISFIED = 2, pgettext_lazy("satisfaction score", "Dissatisfied")
    VERY_DISSATISFIED = 1, pgettext_lazy("satisfaction score", "Very dissatisfied")


class InvitationTrigger(models.TextChoices):
    """Why an invitation was sent."""

    SERVICE_CONFIRMED = "service_confirmed", _("Service record confirmed")
    INSPECTION = "inspection", _("Inspection completed")
    CONTRACT_ANNIVERSARY = "contract_anniversary", _("Contract-year anniversary")
    WARRANTY_END = "warranty_end", _("End of warranty")
    MANUAL = "manual", _("Sent by staff")


class InvitationState(models.TextChoices):
    """Derived from the invitation's times."""

    PENDING = "pending", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")


class ResultGrouping(models.TextChoices):
    """How survey scores roll up."""

    ITEM = "item", _("Item")
    SECTION = "section", _("Section")
    ENGINEER = "engineer", _("Engineer")
    ORGANISATION = "organisation", _("Organisation")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
