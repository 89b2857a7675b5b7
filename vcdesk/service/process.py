"""The fault-handling process (R2.5) as a pure fold over a record's events.

`ProcessState` says what has happened; `refusal` says why an event cannot happen now (the
API answers 409 with it); `status` is the record's derived status.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from django.utils.translation import gettext as _

from vcdesk.service.choices import EventType, RecordStatus


@dataclass(frozen=True)
class ProcessState:
    last_at: datetime | None = None
    responded: bool = False
    on_the_way: bool = False  # remote work failed or an engineer was dispatched
    arrived: bool = False
    spare_requested: bool = False  # a spare is requested and has not arrived yet
    spare_shipped: bool = False  # that spare has shipped
    on_hold: bool = False
    resolved: bool = False
    confirmed: bool = False
    closed: bool = False


def fold(state: ProcessState, event_type: EventType, at: datetime) -> ProcessState:
    """The state after one more event (assumed allowed)."""
    e = EventType
    changes: dict = {"last_at": at}
    if event_type == e.RESPONDED:
        changes["responded"] = True
    elif event_type in (e.REMOTE_FAILED, e.DISPATCHED):
        changes["on_the_way"] = True
    elif event_type == e.ARRIVED:
        changes["arrived"] = True
    elif event_type == e.SPARE_REQUESTED:
        changes.update(spare_requested=True, spare_shipped=False)
    elif event_type == e.SPARE_SHIPPED:
        changes["spare_shipped"] = True
    elif event_type in (e.SPARE_ARRIVED, e.SPARE_CANCELLED):
        changes.update(spare_requested=False, spare_shipped=False)
    elif event_type == e.CUSTOMER_HOLD:
        changes["on_hold"] = True
    elif event_type == e.CUSTOMER_RELEASE:
        changes["on_hold"] = False
    elif event_type == e.RESOLVED:
        changes["resolved"] = True
    elif event_type == e.CONFIRMED:
        changes["confirmed"] = True
    elif event_type == e.CLOSED:
        changes.update(closed=True, on_hold=False)
    return replace(state, **changes)


def refusal(
    state: ProcessState, event_type: EventType, at: datetime, *, reported_at: datetime
) -> str | None:
    """Why `event_type` at `at` cannot happen now, or None when it can."""
    e = EventType
    if state.closed:
        return _("The record is closed; nothing can happen after that.")
    if at < reported_at:
        return _("The time is before the record was reported.")
    if state.last_at is not None and at < state.last_at:
        return _("The time is before the record's latest event; events are kept in order.")
    rules: dict[EventType, tuple[bool, str]] = {
        e.RESPONDED: (not state.responded, _("The record was already responded to.")),
        e.REMOTE_FAILED: (not state.resolved, _("The fault is already resolved.")),
        e.DISPATCHED: (not state.resolved, _("The fault is already resolved.")),
        e.ARRIVED: (
            state.on_the_way and not state.resolved,
            _("No engineer is on the way: dispatch one, or record that remote work failed, first.")
            if not state.on_the_way
            else _("The fault is already resolved."),
        ),
        e.SPARE_REQUESTED: (
            not state.spare_requested and not state.resolved,
            _("A spare was already requested.")
            if state.spare_requested
            else _("The fault is already resolved."),
        ),
        e.SPARE_SHIPPED: (
            state.spare_requested and not state.spare_shipped,
            _("No spare is waiting to be shipped."),
        ),
        e.SPARE_ARRIVED: (state.spare_shipped, _("No spare has been shipped.")),
        # Withdrawn while it waits to ship, even once the fault is resolved (it is no
        # longer needed); a spare on its way arrives instead.
        e.SPARE_CANCELLED: (
            state.spare_requested and not state.spare_shipped,
            _("The spare has already shipped; it can no longer be withdrawn.")
            if state.spare_shipped
            else _("No spare request is waiting to be withdrawn."),
        ),
        e.CUSTOMER_HOLD: (
            not state.on_hold and not state.resolved,
            _("The record is already on hold.")
            if state.on_hold
            else _("The fault is already resolved."),
        ),
        e.CUSTOMER_RELEASE: (state.on_hold, _("The record is not on hold.")),
        e.RESOLVED: (
            not state.resolved and not state.on_hold,
            _("Release the customer hold first.")
            if state.on_hold
            else _("The fault is already resolved."),
        ),
        e.CONFIRMED: (
            state.resolved and not state.confirmed,
            _("The customer can confirm only a resolved fault, once."),
        ),
        e.CLOSED: (True, ""),
    }
    allowed, reason = rules[event_type]
    return None if allowed else reason


def status(state: ProcessState) -> RecordStatus:
    s = RecordStatus
    if state.closed:
        return s.CLOSED
    if state.confirmed:
        return s.CONFIRMED
    if state.resolved:
        return s.RESOLVED
    if state.on_hold:
        return s.ON_HOLD
    if state.spare_requested:
        return s.AWAITING_SPARE
    if state.arrived:
        return s.ON_SITE
    if state.on_the_way:
        return s.DISPATCHED
    if state.responded:
        return s.RESPONDED
    return s.NEW
