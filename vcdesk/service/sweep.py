"""The SLA sweep: tell people when clocks near or pass their due time (R2.3, X4).

Each open, running clock stores `next_escalation_at`, the time of its next escalation level
(vcdesk.service.escalation), and `escalation_step`, how many levels have fired. The sweep
reads the clocks whose time has come in one query on the partial index `clock_sweep_idx`,
and for each one fires every level now due, in time order, with a conditional UPDATE
(`… WHERE id = ? AND escalation_step = <step read>`): a second run, or a second worker,
finds nothing to do or loses that UPDATE, so every level is announced once.

On PostgreSQL the query locks the clocks and their records with `FOR UPDATE SKIP LOCKED`:
parallel workers split the due clocks between them, and a record being changed by an event
(vcdesk.service.services locks the record first) is left for the next sweep instead of
deadlocking with it. On SQLite the IMMEDIATE transaction serialises the sweeps.

Audiences (EscalationAudience):
- assignees: the record's duty officer, support staff and dispatched field engineers; a
  record with none of them yet (opened by a customer) tells the duty officers instead;
- service_manager: active users in the group `service_manager`;
- head_of_service: active members of the teams flagged "head of service", and those teams.
Every team a told user belongs to is told too (vcdesk.notify: once per team and event).

Levels are matched to clocks by position in time order; an edit of the levels in the admin
applies to clocks from their next escalation on.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from itertools import takewhile

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vcdesk.accounts.choices import Role
from vcdesk.notify import selectors as notify_selectors
from vcdesk.notify.services import Announcement, notifications_announce
from vcdesk.service import escalation
from vcdesk.service.choices import ClockKind, FaultClass
from vcdesk.service.models import (
    Clock,
    Dispatch,
    EscalationAudience,
    EscalationLevel,
    EscalationTrigger,
    ServiceRecord,
)


@dataclass(frozen=True)
class Fired:
    """One escalation level that fell due on one clock, marked by this sweep."""

    clock: Clock
    level: EscalationLevel


def clocks_sweep(*, now: datetime | None = None, batch: int = 1000) -> int:
    """Fire every escalation level due by `now`; return how many fired.

    Works in transactions of at most `batch` clocks; notifications are written in the same
    transaction as the marks and enqueued for delivery after it commits.
    """
    now = now or timezone.now()
    levels = escalation.active_levels(fresh=True)
    fired_total = 0
    while True:
        with transaction.atomic():
            clocks = _due_clocks(now, batch)
            fired = _mark(clocks, levels, now)
            _flag_breached_records(fired)
            notifications_announce(_announcements(fired, now))
        fired_total += len(fired)
        if len(clocks) < batch:
            return fired_total


# What the messages and the audiences read of a clock's record (a thousand at a time: only
# these columns are loaded; reading another one would cost a query per clock).
MESSAGE_FIELDS = (
    "record__number",
    "record__fault_class",
    "record__duty_officer_id",
    "record__support_staff_id",
    "record__organisation__name",
    "record__organisation__short_name",
    "record__site__name",
    "record__device__serial",
    "record__device__model__name",
)


def _due_clocks(now: datetime, batch: int) -> list[Clock]:
    clock_fields = [f.name for f in Clock._meta.concrete_fields]
    return list(
        Clock.objects.filter(next_escalation_at__isnull=False, next_escalation_at__lte=now)
        .select_related("record__organisation", "record__site", "record__device__model")
        .only(*clock_fields, *MESSAGE_FIELDS)
        .select_for_update(skip_locked=True, of=("self", "record"))
        .order_by("next_escalation_at", "id")[:batch]
    )


class SweepConflict(Exception):
    """A clock changed under the sweep's lock; the batch is rolled back, nothing is told."""


def _mark(clocks: list[Clock], levels: list[EscalationLevel], now: datetime) -> list[Fired]:
    """Advance each clock past the levels due by `now`; the levels fired, in time order.

    One conditional UPDATE per clock, all sent in one round trip (executemany): each is
    guarded by the step that was read, so it changes nothing if another sweep got there
    first. As the clocks are locked (PostgreSQL) or the transaction holds the write lock
    (SQLite), every guard must hold; if one does not, the whole batch rolls back untold.
    """
    q = connection.ops.quote_name
    c = {f.name: q(f.column) for f in Clock._meta.concrete_fields}
    sql = (
        f"UPDATE {q(Clock._meta.db_table)} "
        f"SET {c['escalation_step']} = %s, {c['next_escalation_at']} = %s, "
        f"{c['warned_at']} = CASE WHEN %s THEN COALESCE({c['warned_at']}, %s) "
        f"ELSE {c['warned_at']} END, "
        f"{c['breached_at']} = CASE WHEN %s THEN COALESCE({c['breached_at']}, {c['due_at']}) "
        f"ELSE {c['breached_at']} END "
        f"WHERE {c['id']} = %s AND {c['escalation_step']} = %s"
    )
    adapt = connection.ops.adapt_datetimefield_value
    fired: list[Fired] = []
    params = []
    for clock in clocks:
        due, next_at = _due_levels(clock, levels, now)
        triggers = {level.trigger for level in due}
        step = clock.escalation_step
        params.append(
            (
                step + len(due),
                adapt(next_at),
                EscalationTrigger.WARNING in triggers,
                adapt(now),
                EscalationTrigger.BREACH in triggers,
                clock.pk,
                step,
            )
        )
        fired.extend(Fired(clock, level) for level in due)
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
            if cursor.rowcount != len(params):
                raise SweepConflict(f"{len(params) - cursor.rowcount} clock(s) changed mid-sweep")
    return fired


def _due_levels(
    clock: Clock, levels: list[EscalationLevel], now: datetime
) -> tuple[list[EscalationLevel], datetime | None]:
    """The levels due on `clock` by `now` from its step on, and the time of the next one."""
    if clock.met_at or clock.cancelled_at or clock.paused_at:
        return [], None  # not running: nothing to tell (the services clear the time too)
    # Stable sort: levels at the same time keep active_levels() order, as in escalation.py.
    ordered = escalation.levels_in_time_order(clock, levels)
    pending = ordered[clock.escalation_step :]
    due = list(takewhile(lambda level: escalation.level_time(clock, level) <= now, pending))
    rest = pending[len(due) :]
    return due, (escalation.level_time(clock, rest[0]) if rest else None)


def _flag_breached_records(fired: list[Fired]) -> None:
    record_ids = {f.clock.record_id for f in fired if f.level.trigger == EscalationTrigger.BREACH}
    if record_ids:
        ServiceRecord.objects.filter(pk__in=record_ids, has_breach=False).update(has_breach=True)


def _announcements(fired: list[Fired], now: datetime) -> list[Announcement]:
    if not fired:
        return []
    audience = _Audience([f.clock.record for f in fired])
    facts: dict[int, tuple[str, ...]] = {}  # a clock's lines, shared by its levels
    announcements = []
    with translation.override(settings.LANGUAGE_CODE):
        for f in fired:
            if f.clock.pk not in facts:
                facts[f.clock.pk] = _facts(f.clock)
            *about, link = facts[f.clock.pk]
            level = _("Escalation level: %(level)s") % {"level": f.level.name}
            announcements.append(
                Announcement(
                    subject=_subject(f, now),
                    lines=(*about, level, link),
                    user_ids=audience.user_ids(f.clock.record, f.level.audience),
                    team_ids=audience.team_ids(f.level.audience),
                    clock_id=f.clock.pk,
                    record_id=f.clock.record_id,
                    level_name=f.level.name,
                )
            )
    return announcements


class _Audience:
    """Resolves levels' audiences to user ids for the records of one batch, with a fixed
    number of queries however many clocks fired."""

    def __init__(self, records: list[ServiceRecord]) -> None:
        self._assigned: dict[int, set[int]] = {
            record.pk: {record.duty_officer_id, record.support_staff_id} - {None}
            for record in records
        }
        for record_id, engineer_id in Dispatch.objects.filter(
            record_id__in=self._assigned
        ).values_list("record_id", "engineer_id"):
            self._assigned[record_id].add(engineer_id)
        self._active = _active_user_ids(pk__in=set().union(*self._assigned.values()))

    @cached_property
    def _duty_officers(self) -> frozenset[int]:
        return _active_user_ids(groups__name=Role.DUTY_OFFICER)

    @cached_property
    def _service_managers(self) -> frozenset[int]:
        return _active_user_ids(groups__name=Role.SERVICE_MANAGER)

    @cached_property
    def _heads_of_service(self) -> frozenset[int]:
        return notify_selectors.head_of_service_user_ids()

    @cached_property
    def _head_of_service_teams(self) -> frozenset[int]:
        return notify_selectors.head_of_service_team_ids()

    def user_ids(self, record: ServiceRecord, audience: str) -> frozenset[int]:
        if audience == EscalationAudience.ASSIGNEES:
            return frozenset(self._assigned[record.pk] & self._active) or self._duty_officers
        if audience == EscalationAudience.SERVICE_MANAGER:
            return self._service_managers
        if audience == EscalationAudience.HEAD_OF_SERVICE:
            return self._heads_of_service
        return frozenset()

    def team_ids(self, audience: str) -> frozenset[int]:
        if audience == EscalationAudience.HEAD_OF_SERVICE:
            return self._head_of_service_teams
        return frozenset()


def _active_user_ids(**lookups) -> frozenset[int]:
    return frozenset(
        get_user_model().objects.filter(is_active=True, **lookups).values_list("pk", flat=True)
    )


def _local(at: datetime, fmt: str) -> str:
    """Beijing time (settings.TIME_ZONE), whatever time zone a request may have activated."""
    return timezone.localtime(at, timezone.get_default_timezone()).strftime(fmt)


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h %(minutes)d min") % {"hours": minutes // 60, "minutes": minutes % 60}


def _subject(fired: Fired, now: datetime) -> str:
    """e.g. 【预警】SR-20260310-0001 响应时限将于 10:00 到期（北京台 · 一号会议室）."""
    clock, level = fired.clock, fired.level
    record = clock.record
    if level.trigger == EscalationTrigger.WARNING:
        tag = _("Warning")
    elif level.delay_minutes:
        tag = _("Escalation")
    else:
        tag = _("Breach")
    same_day = _local(clock.due_at, "%Y-%m-%d") == _local(now, "%Y-%m-%d")
    values = {
        "tag": tag,
        "number": record.number,
        "clock": ClockKind(clock.kind).label,
        "due": _local(clock.due_at, "%H:%M" if same_day else "%m-%d %H:%M"),
        "place": f"{record.organisation} · {record.site.name}",
        "overdue": _duration(now - clock.due_at),
    }
    if now < clock.due_at:
        return _("[%(tag)s] %(number)s %(clock)s falls due at %(due)s (%(place)s)") % values
    return (
        _("[%(tag)s] %(number)s %(clock)s was due at %(due)s, %(overdue)s overdue (%(place)s)")
        % values
    )


def _facts(clock: Clock) -> tuple[str, ...]:
    """What every message about this clock says; the link to the record comes last."""
    record = clock.record
    url = settings.VCDESK_BASE_URL.rstrip("/") + reverse("service_record_detail", args=[record.pk])
    return (
        _("Organisation: %(organisation)s · site: %(site)s")
        % {"organisation": record.organisation.name, "site": record.site.name},
        _("Device: %(device)s · fault class: %(fault_class)s")
        % {"device": record.device, "fault_class": FaultClass(record.fault_class).label},
        _("%(clock)s started %(start)s, due %(due)s")
        % {
            "clock": ClockKind(clock.kind).label,
            "start": _local(clock.started_at, "%Y-%m-%d %H:%M"),
            "due": _local(clock.due_at, "%Y-%m-%d %H:%M"),
        },
        _("Open the record: %(url)s") % {"url": url},
    )
