"""Escalation levels as data: when a clock's next notification is due. Pure given levels."""

from datetime import datetime, timedelta

from vcdesk.service.models import Clock, EscalationLevel, EscalationTrigger


def active_levels() -> list[EscalationLevel]:
    return list(
        EscalationLevel.objects.filter(active=True).order_by("trigger", "delay_minutes", "id")
    )


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
