"""RMA steps and statuses (R4.3, R4.4), quote lines and statuses (R11)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RmaStatus(models.TextChoices):
    """Where an RMA stands, derived from its events: the form's flow, in this order."""

    REQUESTED = "requested", _("Requested")
    FAULTY_RECEIVED = "faulty_received", _("Faulty unit received")
    SENT_TO_VENDOR = "sent_to_vendor", _("Sent to the vendor")
    REPAIRED = "repaired", _("Repaired or replaced")
    RETURNED_TO_USER = "returned_to_user", _("Returned to the user")
    CLOSED = "closed", _("Closed")


class RmaEventType(models.TextChoices):
    REQUESTED = "requested", _("Repair requested")
    FAULTY_RECEIVED = "faulty_received", _("Faulty unit received")
    SENT_TO_VENDOR = "sent_to_vendor", _("Sent to the vendor")
    REPAIRED = "repaired", _("Repaired or replaced")
    RETURNED_TO_USER = "returned_to_user", _("Returned to the user")
    CLOSED = "closed", _("Closed")
    ADVANCE_SHIPPED = "advance_shipped", _("Advance replacement shipped")


class RmaStep(models.TextChoices):
    """The steps a user records (POST /rmas/{id}/events); each moves the status one on."""

    FAULTY_RECEIVED = "faulty_received", _("Faulty unit received")
    SENT_TO_VENDOR = "sent_to_vendor", _("Sent to the vendor")
    REPAIRED = "repaired", _("Repaired or replaced")
    RETURNED_TO_USER = "returned_to_user", _("Returned to the user")
    CLOSED = "closed", _("Closed")


# The flow, exactly: each step may only follow the one before it.
FLOW: tuple[RmaStatus, ...] = tuple(RmaStatus)

OPEN_RMA_STATUSES = frozenset(set(RmaStatus) - {RmaStatus.CLOSED})


class QuoteLineKind(models.TextChoices):
    LABOUR = "labour", _("Labour")
    PART = "part", _("Part")


class QuoteStatus(models.TextChoices):
    """Derived from the quote's timestamps."""

    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent to the customer")
    ACCEPTED = "accepted", _("Accepted by the customer")
    DECLINED = "declined", _("Declined by the customer")
