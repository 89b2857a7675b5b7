"""Escalation levels as data: when a clock's next notification is due. Pure given levels."""

import time
from datetime import datetime, timedelta

from vcdesk.service.models import Clock, EscalationLevel, EscalationTrigger

# Every new clock needs the levels (to know when the sweep must first act on it), so each
# process keeps them: (monotonic time read, levels), read again at most every
# RECHECK_SECONDS. Not a version check as for the work calendar: reading a version costs a
# query as much as reading these few rows does, and the point is to spare that query on
# every new record. A change made in this process (admin, services) drops them at once
# (`active_levels_forget`, connected to the model's save and delete in apps.py); one made
# in another process is seen within RECHECK_SECONDS — a second, for levels that fire
# minutes apart. The sweep reads them afresh on every run.
RECHECK_SECONDS = 1.0
_cached: tuple[float, list[EscalationLevel]] | None = None


def active_levels(*, fresh: bool = False) -> list[EscalationLevel]:
    """The active levels in their stored order. `fresh`: read now, not from the cache."""
    global _cached
    now = time.monotonic()
    cached = _cached
    if not fresh and cached is not None and now - cached[0] < RECHECK_SECONDS:
        return cached[1]
    levels = list(
        EscalationLevel.objects.filter(active=True).order_by("trigger", "delay_minutes", "id")
    )
    # Replaced as a whole, so a reader in another thread never sees half of it.
    _cached = (now, levels)
    return levels


def active_levels_forget(**kwargs) -> None:
    """Drop this process's levels; the next `active_levels()` reads them again."""
    global _cached
    _cached = None


def level_time(clock: Clock, level: EscalationLevel) -> datetime:
    base = clock.warn_at if level.trigger == EscalationTrigger.WARNING else clock.due_at
    return base + timedelta(minutes=level.delay_minutes)


def levels_in_time_order(clock: Clock, levels: list[EscalationLevel]) -> list[EscalationLevel]:
    """The one order in which a clock's levels fire; `escalation_step` indexes into it."""
    return sorted(levels, key=lambda level: level_time(clock, level))


def next_escalation_at(
    clock: Clock, levels: list[EscalationLevel] | None = None
) -> datetime | None:
    """When the sweep must next act on an open, running clock: the time of the first level
    from `clock.escalation_step` on, in time order; None when every level has fired."""
    levels = active_levels() if levels is None else levels
    remaining = levels_in_time_order(clock, levels)[clock.escalation_step :]
    return level_time(clock, remaining[0]) if remaining else None


DEFAULT_LEVELS = (
    # (name, trigger, minutes after the trigger, audience) — the plan's escalation ladder.
    ("预警：通知处理人员", EscalationTrigger.WARNING, 0, "assignees"),
    ("超时：通知服务经理", EscalationTrigger.BREACH, 0, "service_manager"),
    ("超时2小时：通知服务负责人", EscalationTrigger.BREACH, 120, "head_of_service"),
)


def default_levels_ensure() -> None:
    """Give a database without any escalation level the default ladder (idempotent)."""
    if EscalationLevel.objects.exists():
        return
    EscalationLevel.objects.bulk_create(
        EscalationLevel(name=name, trigger=trigger, delay_minutes=delay, audience=audience)
        for name, trigger, delay, audience in DEFAULT_LEVELS
    )
