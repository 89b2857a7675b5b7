"""Fault classes with their handling rules (service plan section 3), events, clocks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FaultClass(models.TextChoices):
    NODE_DOWN = "node_down", _("Node down")
    MAIN_MODULE = "main_module", _("Main module fault")
    PORT = "port", _("Port fault")
    CONGESTION = "congestion", _("Congestion alarm")
    FULL_OUTAGE = "full_outage", _("Other hardware: complete outage")
    HOT_SWAP_PART = "hot_swap_part", _("Redundant or hot-swappable part fault")
    SOFTWARE = "software", _("Software-level fault in hardware")
    OTHER = "other", _("Other")


_STAY_ON_THE_LINE = _(
    "Never hang up first: stay on the line until the problem is solved or answered. You may "
    "interrupt the call only to record, escalate, track or send an engineer on site — and "
    "then do so at once."
)
_PORT_RULE = _(
    "Advise first. If that does not solve it, guide the customer's technician to replace "
    "the module, and notify the spare-parts centre to support with a spare."
)
_CONGESTION_RULE = _(
    "First guide the customer's network management to optimise or adjust its parameters."
)

# What the hotline does for each class (R2.2), shown the moment a class is chosen.
HANDLING_RULES = {
    FaultClass.NODE_DOWN: _STAY_ON_THE_LINE,
    FaultClass.MAIN_MODULE: _STAY_ON_THE_LINE,
    FaultClass.PORT: _PORT_RULE,
    FaultClass.CONGESTION: _CONGESTION_RULE,
    FaultClass.FULL_OUTAGE: _STAY_ON_THE_LINE,
    FaultClass.HOT_SWAP_PART: _PORT_RULE,
    FaultClass.SOFTWARE: _CONGESTION_RULE,
    FaultClass.OTHER: _(
        "Answer and record the request; escalate to support engineers if it needs them."
    ),
}

# Hardware damage: the system outage may last no longer than the restore time (plan 1.2).
RESTORE_FAULT_CLASSES = frozenset(
    {
        FaultClass.NODE_DOWN,
        FaultClass.MAIN_MODULE,
        FaultClass.PORT,
        FaultClass.FULL_OUTAGE,
        FaultClass.HOT_SWAP_PART,
    }
)


class EventType(models.TextChoices):
    RESPONDED = "responded", _("Responded")
    REMOTE_FAILED = "remote_failed", _("Remote work failed")
    DISPATCHED = "dispatched", _("Engineer dispatched")
    ARRIVED = "arrived", _("Engineer arrived on site")
    SPARE_REQUESTED = "spare_requested", _("Spare requested")
    SPARE_SHIPPED = "spare_shipped", _("Spare shipped")
    SPARE_ARRIVED = "spare_arrived", _("Spare arrived")
    # The spare request is withdrawn before it shipped (备件申请已取消): its clocks stop.
    SPARE_CANCELLED = "spare_cancelled", _("Spare request withdrawn")
    CUSTOMER_HOLD = "customer_hold", _("On hold for the customer")
    CUSTOMER_RELEASE = "customer_release", _("Hold released")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Confirmed by the customer")
    CLOSED = "closed", _("Closed")


class ClockKind(models.TextChoices):
    RESPONSE = "response", _("Response (1 hour)")
    ONSITE = "onsite", _("On site (travel time + 1 hour)")
    FIX_ON_SITE = "fix_on_site", _("Fixed on site (2 hours)")
    SPARE_SHIP = "spare_ship", _("Spare shipped (24 hours)")
    SPARE_ARRIVAL = "spare_arrival", _("Spare arrived (2 working days)")
    RESTORE = "restore", _("System restored (24 hours)")


# A customer hold pauses these; the response and spare clocks never pause.
PAUSABLE_CLOCKS = frozenset({ClockKind.ONSITE, ClockKind.FIX_ON_SITE, ClockKind.RESTORE})


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")
    CANCELLED = "cancelled", _("Cancelled")


class RecordStatus(models.TextChoices):
    """Where a record stands, derived from its events (R2.5 fault-handling process)."""

    NEW = "new", _("New")
    RESPONDED = "responded", _("Remote diagnosis")
    DISPATCHED = "dispatched", _("Engineer on the way")
    ON_SITE = "on_site", _("On site")
    AWAITING_SPARE = "awaiting_spare", _("Awaiting spare")
    ON_HOLD = "on_hold", _("On hold for the customer")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Confirmed by the customer")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset(set(RecordStatus) - {RecordStatus.CLOSED})
