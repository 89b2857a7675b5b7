"""The RMA flow as a pure fold over its events.

requested → faulty unit received → sent to vendor → repaired/replaced → returned to user →
closed, each step only after the one before it. An advance replacement (先行发货) may ship
while the RMA is still at "requested"; from then until the faulty unit is received, the
customer owes the faulty unit.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from django.utils.translation import gettext as _

from vcdesk.rma.choices import FLOW, RmaEventType, RmaStatus


@dataclass(frozen=True)
class RmaState:
    status: RmaStatus = RmaStatus.REQUESTED
    last_at: datetime | None = None
    advance_shipped_at: datetime | None = None  # the first advance replacement

    @property
    def owed_since(self) -> datetime | None:
        """Since when the faulty unit is owed: an advance replacement shipped and the faulty
        unit is not received yet."""
        if self.status == RmaStatus.REQUESTED:
            return self.advance_shipped_at
        return None


def fold(state: RmaState, event_type: RmaEventType, at: datetime) -> RmaState:
    """The state after one more event (assumed allowed)."""
    changes: dict = {"last_at": at}
    if event_type == RmaEventType.ADVANCE_SHIPPED:
        changes["advance_shipped_at"] = state.advance_shipped_at or at
    else:
        changes["status"] = RmaStatus(event_type.value)
    return replace(state, **changes)


def refusal(state: RmaState, event_type: RmaEventType, at: datetime) -> str | None:
    """Why `event_type` at `at` cannot happen now, or None when it can."""
    if state.status == RmaStatus.CLOSED:
        return _("The RMA is closed; nothing can happen after that.")
    if state.last_at is not None and at < state.last_at:
        return _("The time is before the RMA's latest step; steps are kept in order.")
    if event_type == RmaEventType.ADVANCE_SHIPPED:
        if state.status != RmaStatus.REQUESTED:
            return _(
                "The faulty unit was already received, so this is no advance replacement: "
                "record the part as a replacement-part line instead."
            )
        return None
    if event_type == RmaEventType.REQUESTED:
        return _("The RMA was already requested.")
    step = RmaStatus(event_type.value)
    current = FLOW.index(state.status)
    wanted = FLOW.index(step)
    if wanted <= current:
        return _("“%(step)s” was already recorded.") % {"step": step.label}
    if wanted > current + 1:
        return _("“%(step)s” cannot come yet: first “%(next)s”.") % {
            "step": step.label,
            "next": FLOW[current + 1].label,
        }
    return None


def next_step(state: RmaState) -> RmaStatus | None:
    """The one step that may be recorded now, if any."""
    current = FLOW.index(state.status)
    return FLOW[current + 1] if current + 1 < len(FLOW) else None
