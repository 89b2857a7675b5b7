"""Service records at volume: the record list API, the queue page, opening records through the
API and the SLA sweep, on SQLite and on PostgreSQL.

    .venv/bin/python bench/service.py [--db sqlite|postgres|both] [--records 500000]
                                      [--reseed] [--requests 200] [--warmup 20]
                                      [--create 1000] [--serve-workers 2]
                                      [--serve-threads 1] [--serve-clients 4]
                                      [--due 1000] [--sweeps 3] [--only TEXT] [--explain]

Like bench/run.py, whose installed-base seed and measuring loop it imports, it measures each
database in a subprocess of itself with DATABASE_URL set:

- SQLite: var/svcbench.sqlite3
- PostgreSQL: database `vcdesk_svcbench` (created if missing) on $BENCH_SERVICE_POSTGRES_URL,
  default postgres://postgres@127.0.0.1:5432/vcdesk_svcbench

The child migrates; seeds, if the data is not there yet (or on --reseed), the installed base
of bench/run.py and the service records with their clocks, events and dispatches; renews the
open records so that their clocks run relative to the current time; checks a sample of the
seeded records against the real services; then measures through django.test.Client
in-process, and record creation also as production serves it: gunicorn on a loopback port
with several HTTP clients at once. Targets (issue 3): list p95 under 100 ms, the sweep of
1,000 due clocks under 1 s, at least 250 records opened per second through the API (served).
See bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import run as installed_base

ROOT = installed_base.ROOT
SQLITE_PATH = ROOT / "var" / "svcbench.sqlite3"
POSTGRES_URL = os.environ.get(
    "BENCH_SERVICE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/vcdesk_svcbench"
)
TARGET_LIST_P95_MS = 100.0
TARGET_SWEEP_SECONDS = 1.0
TARGET_CREATED_PER_SECOND = 250.0

SEED_VERSION = 1  # bump when the seed changes: the next run then seeds again
OPEN_SHARE = 0.05
ACTIVE_SHARE = 0.45  # of the open records: still being worked on (the others wait to be closed)
HISTORY_DAYS = 3 * 365
STALE_DAYS = 90  # resolved records nobody closed go back this far
EVENTS_EVERY = 5  # one closed record in EVENTS_EVERY has its events and dispatches stored
VERIFY_SAMPLE = 40  # seeded records replayed through the services after each seed

FAULT_CLASS_WEIGHTS = {
    "node_down": 4,
    "main_module": 5,
    "port": 14,
    "congestion": 10,
    "full_outage": 4,
    "hot_swap_part": 10,
    "software": 33,
    "other": 20,
}
DESCRIPTIONS = {
    "node_down": "MCU节点脱网，会场全部掉线",
    "main_module": "主控板告警，设备反复重启",
    "port": "E1端口红灯，会场无法入会",
    "congestion": "网络拥塞告警，图像卡顿",
    "full_outage": "终端无法开机",
    "hot_swap_part": "冗余电源模块故障",
    "software": "软件异常，遥控器无响应",
    "other": "咨询会议预约操作",
}
CALLERS = ["王工", "李主任", "张老师", "刘科长", "陈工", "杨处长", "赵经理", "黄工"]
HOLD_REASONS = [
    "会议室正在使用，客户要求改期上门",
    "客户要求推迟到下周上门",
    "客户领导外出，暂缓处理",
]
REPORTS = ["更换主控板后恢复", "重新插拔端口板，告警消失", "升级软件版本后恢复", "更换电源模块"]


# --------------------------------------------------------------------------------------------
# Parent: one subprocess per database, then the combined table.
# --------------------------------------------------------------------------------------------


def database_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{SQLITE_PATH}"
    return POSTGRES_URL


def run_parent(args: argparse.Namespace) -> int:
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    child_args = []
    for option in (
        "records",
        "devices",
        "sites",
        "requests",
        "warmup",
        "create",
        "serve_workers",
        "serve_threads",
        "serve_clients",
        "due",
        "sweeps",
    ):
        child_args += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    if args.reseed:
        child_args.append("--reseed")
    if args.explain:
        child_args.append("--explain")
    if args.only:
        child_args += ["--only", args.only]
    results = installed_base.run_children(
        script=Path(__file__).resolve(),
        databases=databases,
        url_of=database_url,
        child_args=child_args,
        out_prefix="service-",
    )
    if results is None:
        return 1

    print("\n== summary")
    print_table(results)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    combined = {
        "measured_at": stamp,
        "targets": {
            "list_p95_ms": TARGET_LIST_P95_MS,
            "sweep_seconds": TARGET_SWEEP_SECONDS,
            "created_per_second": TARGET_CREATED_PER_SECOND,
        },
        "runs": results,
    }
    path = installed_base.write_results(combined, prefix="service", latest="service-latest.json")
    print(f"\nresults written to {path}")
    problems = verdict(results)
    for problem in problems:
        print(f"MISSED: {problem}")
    if not problems:
        print(
            f"OK: every targeted list p95 is under {TARGET_LIST_P95_MS:.0f} ms, no query count "
            f"grows, every sweep of the due clocks took under {TARGET_SWEEP_SECONDS:.0f} s and "
            f"the API opened at least {TARGET_CREATED_PER_SECOND:.0f} records per second"
        )
    return 1 if problems else 0


def print_table(results: list[dict]) -> None:
    for run in results:
        before, after = run["machine"]["loadavg_1min"]
        data = run["data"]
        print(
            f"{run['database']}: {run['engine']} {run['server_version']}, "
            f"{data['records']:,} service records ({data['open_records']:,} open, "
            f"{data['running_clocks']:,} clocks running, {data['clocks']:,} clocks, "
            f"{data['events']:,} events), {data['devices']:,} devices; "
            f"{run['machine']['cpus']} CPUs, load average {before} -> {after} while measuring"
        )
    installed_base.print_rows(results, target_ms=TARGET_LIST_P95_MS)
    print()
    header = f"{'database':<9} {'measure':<38} {'value':>12} {'detail':<52} target"
    print(header)
    print("-" * len(header))
    for run in results:
        for sweep in run["sweeps"]:
            mark = "ok" if sweep["seconds"] < TARGET_SWEEP_SECONDS else "MISSED"
            detail = (
                f"{sweep['fired']:,} levels fired, {sweep['notifications']:,} notifications, "
                f"{sweep['queries']:,} queries"
            )
            name = f"sweep, {sweep['clocks_due']:,} clocks due"
            print(
                f"{run['database']:<9} {name:<38} {sweep['seconds']:>10.3f} s {detail:<52} {mark}"
            )
            again = f"sweep again at the same time (fired {sweep['again_fired']})"
            print(f"{run['database']:<9} {again:<38} {sweep['again_seconds']:>10.3f} s")
        created = run["creation"]
        if created:
            served = created.get("served")
            if served:
                mark = "ok" if served["per_second"] >= TARGET_CREATED_PER_SECOND else "MISSED"
                detail = (
                    f"{served['records']:,} POSTs, {served['clients']} clients, "
                    f"p50 {served['p50_ms']:.1f} ms, p95 {served['p95_ms']:.1f} ms"
                )
                print(
                    f"{run['database']:<9} {'create records, served (gunicorn)':<38} "
                    f"{served['per_second']:>8.0f} / s {detail:<52} {mark}"
                )
                print(f"{'':<9} {'':<38} {'':>12} {served['server']}")
            detail = (
                f"{created['records']:,} POSTs, p50 {created['p50_ms']:.1f} ms, "
                f"p95 {created['p95_ms']:.1f} ms, {created['queries']} queries"
            )
            print(
                f"{run['database']:<9} {'create records, in-process, 1 client':<38} "
                f"{created['per_second']:>8.0f} / s {detail:<52} (info)"
            )
        for note in run["notes"]:
            print(f"{run['database']:<9} NOTE: {note}")


def verdict(results: list[dict]) -> list[str]:
    problems = installed_base.verdict(results, target_ms=TARGET_LIST_P95_MS)
    for run in results:
        for sweep in run["sweeps"]:
            if sweep["seconds"] >= TARGET_SWEEP_SECONDS:
                problems.append(
                    f"{run['database']} · sweep of {sweep['clocks_due']:,} due clocks: "
                    f"{sweep['seconds']:.2f} s >= {TARGET_SWEEP_SECONDS:.0f} s"
                )
        served = (run["creation"] or {}).get("served")
        if served and served["per_second"] < TARGET_CREATED_PER_SECOND:
            problems.append(
                f"{run['database']} · records created through the API, served by gunicorn: "
                f"{served['per_second']:.0f}/s < {TARGET_CREATED_PER_SECOND:.0f}/s"
            )
        problems += [f"{run['database']} · {note}" for note in run["notes"]]
    return problems


# --------------------------------------------------------------------------------------------
# Child, seeding: one record's life as events, and the clocks they leave.
# --------------------------------------------------------------------------------------------


@dataclass
class Step:
    """One event of a seeded record."""

    type: str
    at: datetime
    engineer_id: int | None = None
    note: str = ""


@dataclass
class Staff:
    """The bench's people: who takes calls, supports, goes on site."""

    duty_officers: list[int]
    support_engineers: list[int]
    field_engineers: list[int]


def minutes(low: float, high: float, rng: random.Random) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))


def life(
    *, reported_at: datetime, fault_class: str, travel: int, staff: Staff, rng: random.Random
) -> list[Step]:
    """The events of a record from the call to its closing, in time order.

    Proportions, roughly: response late 3 %; the caller withdraws 2 %; an engineer goes on
    site for 45 % of hardware faults and 12 % of the others, arrives late 8 % of the time; a
    spare is needed for 35 % of hardware faults; the customer asks to wait 6 %; the customer
    confirms 85 % of the resolutions.
    """
    from vcdesk.service.choices import RESTORE_FAULT_CLASSES, EventType

    e = EventType
    steps: list[Step] = []
    at = reported_at

    def add(event_type: EventType, after: timedelta, **extra) -> None:
        nonlocal at
        at += after
        steps.append(Step(event_type.value, at, **extra))

    def spare_steps(request_after: timedelta) -> None:
        add(e.SPARE_REQUESTED, request_after)
        add(
            e.SPARE_SHIPPED,
            minutes(60, 1380, rng) if rng.random() < 0.95 else minutes(1440, 2880, rng),
        )
        add(
            e.SPARE_ARRIVED,
            minutes(600, 2000, rng) if rng.random() < 0.9 else minutes(2000, 5000, rng),
        )

    hardware = fault_class in RESTORE_FAULT_CLASSES
    late = rng.random()
    add(
        e.RESPONDED,
        minutes(1, 40, rng)
        if late < 0.9
        else minutes(40, 60, rng)
        if late < 0.97
        else minutes(60, 180, rng),
    )
    if rng.random() < 0.02:  # the caller withdrew, or it was answered on the phone
        add(e.CLOSED, minutes(10, 600, rng))
        return steps
    on_site = rng.random() < (0.45 if hardware else 0.12)
    spare = rng.random() < (0.35 if hardware else 0.02)
    on_hold = rng.random() < 0.06
    if on_hold:
        add(e.CUSTOMER_HOLD, minutes(5, 60, rng), note=rng.choice(HOLD_REASONS))
        if not on_site or rng.random() < 0.5:
            add(e.CUSTOMER_RELEASE, minutes(60, 4320, rng))
            on_hold = False
    if on_site:
        engineer = rng.choice(staff.field_engineers)
        if rng.random() < 0.5:
            add(e.REMOTE_FAILED, minutes(10, 120, rng))
            add(e.DISPATCHED, minutes(5, 30, rng), engineer_id=engineer)
        else:
            add(e.DISPATCHED, minutes(10, 120, rng), engineer_id=engineer)
        if on_hold:  # dispatched while the customer asked to wait: the visit waits too
            add(e.CUSTOMER_RELEASE, minutes(60, 4320, rng))
        if rng.random() < 0.92:
            add(e.ARRIVED, minutes(travel * 0.6, travel + 55, rng))
        else:
            add(e.ARRIVED, minutes(travel + 60, travel + 300, rng))
        if spare:
            spare_steps(minutes(20, 90, rng))
            add(e.RESOLVED, minutes(30, 240, rng))
        else:
            fixed = minutes(15, 110, rng) if rng.random() < 0.9 else minutes(120, 300, rng)
            add(e.RESOLVED, fixed)
    elif spare:  # the customer's technician replaces the part (plan: port faults)
        spare_steps(minutes(30, 240, rng))
        add(e.RESOLVED, minutes(60, 600, rng))
    else:
        add(e.RESOLVED, minutes(5, 240, rng) if rng.random() < 0.9 else minutes(240, 2000, rng))
    if rng.random() < 0.85:
        add(e.CONFIRMED, minutes(30, 2880, rng))
    add(e.CLOSED, minutes(30, 4320, rng))
    return steps


def shifted(steps: list[Step], by: timedelta) -> list[Step]:
    return [Step(s.type, s.at + by, s.engineer_id, s.note) for s in steps]


class ClockBook:
    """The clocks of one record as vcdesk.service.services leaves them after the record's
    events, and the escalation marks the sweep would have made by `now`.

    The services' rules, replayed on objects in memory so that 500,000 records seed in
    minutes; `verify_seed` replays a sample through the real services and compares.
    """

    def __init__(self, *, promise, calendar, levels: list, warning_share: float) -> None:
        self.promise = promise
        self.calendar = calendar
        self.levels = levels
        self.warning_share = warning_share
        self.clocks: list = []
        self.on_hold = False

    def _open(self, kinds) -> list:
        return [
            c
            for c in self.clocks
            if c.met_at is None and c.cancelled_at is None and c.kind in kinds
        ]

    def _start(self, kind, at: datetime) -> None:
        from vcdesk.service import clocks as rules
        from vcdesk.service.choices import PAUSABLE_CLOCKS, ClockKind
        from vcdesk.service.models import Clock

        if any(c.kind == kind for c in self.clocks) and kind in (
            ClockKind.ONSITE,
            ClockKind.FIX_ON_SITE,
        ):
            return  # started once per record
        calendar = self.calendar if kind == ClockKind.SPARE_ARRIVAL else None
        due = rules.due_at(kind, start=at, promise=self.promise, calendar=calendar)
        warn = rules.warn_at(start=at, due=due, share=self.warning_share)
        clock = Clock(kind=kind, started_at=at, due_at=due, warn_at=warn)
        if self.on_hold and kind in PAUSABLE_CLOCKS:
            clock.paused_at = at
        self.clocks.append(clock)

    @staticmethod
    def _end_hold(clock, at: datetime) -> None:
        if clock.paused_at is not None:
            held = at - clock.paused_at
            clock.held_seconds += int(held.total_seconds())
            clock.due_at += held
            clock.warn_at += held
            clock.paused_at = None

    @staticmethod
    def _mark_late(clock, at: datetime) -> None:
        if at > clock.due_at and clock.breached_at is None:
            clock.breached_at = clock.due_at

    def _finish(self, kinds, at: datetime, how: str) -> None:
        for clock in self._open(kinds):
            self._end_hold(clock, at)
            self._mark_late(clock, at)
            setattr(clock, how, at)

    def open(self, *, reported_at: datetime, fault_class: str) -> None:
        from vcdesk.service.choices import RESTORE_FAULT_CLASSES, ClockKind

        self._start(ClockKind.RESPONSE, reported_at)
        if fault_class in RESTORE_FAULT_CLASSES:
            self._start(ClockKind.RESTORE, reported_at)

    def event(self, event_type: str, at: datetime) -> None:
        from vcdesk.service.choices import PAUSABLE_CLOCKS, ClockKind, EventType

        e, k = EventType, ClockKind
        if event_type == e.RESPONDED:
            self._finish({k.RESPONSE}, at, "met_at")
        elif event_type in (e.REMOTE_FAILED, e.DISPATCHED):
            self._start(k.ONSITE, at)
        elif event_type == e.ARRIVED:
            self._finish({k.ONSITE}, at, "met_at")
            self._start(k.FIX_ON_SITE, at)
        elif event_type == e.SPARE_REQUESTED:
            self._start(k.SPARE_SHIP, at)
            self._start(k.SPARE_ARRIVAL, at)
        elif event_type == e.SPARE_SHIPPED:
            self._finish({k.SPARE_SHIP}, at, "met_at")
        elif event_type == e.SPARE_ARRIVED:
            self._finish({k.SPARE_ARRIVAL}, at, "met_at")
        elif event_type == e.CUSTOMER_HOLD:
            for clock in self._open(PAUSABLE_CLOCKS):
                if clock.paused_at is None:
                    self._mark_late(clock, at)
                    clock.paused_at = at
            self.on_hold = True
        elif event_type == e.CUSTOMER_RELEASE:
            for clock in self._open(set(k)):
                self._end_hold(clock, at)
            self.on_hold = False
        elif event_type == e.RESOLVED:
            self._finish({k.FIX_ON_SITE, k.RESTORE}, at, "met_at")
            self._finish({k.ONSITE}, at, "cancelled_at")
        elif event_type == e.CLOSED:
            self._finish(set(k), at, "cancelled_at")
            self.on_hold = False

    def escalate(self, now: datetime) -> None:
        """The marks of the sweep, had it run up to `now`: the levels whose time came while
        the clock ran are fired, the next one is pending."""
        from vcdesk.service.escalation import level_time, levels_in_time_order
        from vcdesk.service.models import EscalationTrigger

        for clock in self.clocks:
            stopped = clock.met_at or clock.cancelled_at or clock.paused_at
            ordered = levels_in_time_order(clock, self.levels)
            fired = [level for level in ordered if level_time(clock, level) <= (stopped or now)]
            clock.escalation_step = len(fired)
            later = ordered[len(fired) :]
            if later and stopped is None:
                clock.next_escalation_at = level_time(clock, later[0])
            triggers = {level.trigger for level in fired}
            if EscalationTrigger.WARNING in triggers:
                clock.warned_at = clock.warn_at
            if EscalationTrigger.BREACH in triggers and clock.breached_at is None:
                clock.breached_at = clock.due_at

    def queue_key(self) -> datetime:
        from vcdesk.service.models import QUEUE_END

        running = [
            c.due_at
            for c in self.clocks
            if c.met_at is None and c.cancelled_at is None and c.paused_at is None
        ]
        return min(running, default=QUEUE_END)

    def has_breach(self) -> bool:
        return any(c.breached_at is not None for c in self.clocks)


class Numbers:
    """SR-YYYYMMDD-NNNN in time order per Beijing day, continuing the stored sequences."""

    def __init__(self) -> None:
        from vcdesk.service.models import RecordNumberSequence

        self.last: dict[date, int] = dict(RecordNumberSequence.objects.values_list("day", "last"))
        self.touched: set[date] = set()

    def next(self, reported_at: datetime) -> str:
        from vcdesk.calendars.workdays import BEIJING

        day = reported_at.astimezone(BEIJING).date()
        self.last[day] = self.last.get(day, 0) + 1
        self.touched.add(day)
        return f"SR-{day:%Y%m%d}-{self.last[day]:04d}"

    def save(self) -> None:
        """Store the sequences, so that records opened later through the API go on from
        there."""
        from vcdesk.service.models import RecordNumberSequence

        RecordNumberSequence.objects.bulk_create(
            [RecordNumberSequence(day=day, last=self.last[day]) for day in sorted(self.touched)],
            batch_size=installed_base.BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=["last"],
        )
        self.touched.clear()


@dataclass
class Seeder:
    """Writes service records with bulk_create, batch by batch, for the installed base."""

    rng: random.Random
    now: datetime
    staff: Staff
    # (id, site, organisation, contract) of the active devices
    devices: list[tuple[int, int, int, int]] = field(default_factory=list)
    promises: dict = field(default_factory=dict)  # (contract, site) -> Promise
    levels: list = field(default_factory=list)
    calendar: object = None
    warning_share: float = 0.8
    counts: dict = field(default_factory=lambda: {"records": 0, "clocks": 0, "events": 0})

    @classmethod
    def for_database(cls, *, rng: random.Random, now: datetime) -> Seeder:
        from vcdesk.accounts.choices import Role
        from vcdesk.accounts.models import User
        from vcdesk.assets.choices import DeviceStatus
        from vcdesk.assets.models import Device
        from vcdesk.calendars.selectors import work_calendar
        from vcdesk.contracts.models import SLA_FIELDS, Contract
        from vcdesk.customers.models import Site
        from vcdesk.service import clocks, escalation, services

        def members(role: Role) -> list[int]:
            users = User.objects.filter(groups__name=role, username__startswith="svcbench-")
            return list(users.order_by("id").values_list("id", flat=True))

        staff = Staff(
            duty_officers=members(Role.DUTY_OFFICER),
            support_engineers=members(Role.SUPPORT_ENGINEER),
            field_engineers=members(Role.FIELD_ENGINEER),
        )
        travel = dict(Site.objects.values_list("id", "travel_minutes"))
        durations = {c.pop("id"): c for c in Contract.objects.values("id", *SLA_FIELDS)}
        devices = list(
            Device.objects.filter(status=DeviceStatus.ACTIVE)
            .order_by("id")
            .values_list("id", "site_id", "organisation_id", "contract_id")
        )
        promises = {
            (contract_id, site_id): clocks.Promise(
                travel_minutes=travel[site_id], **durations[contract_id]
            )
            for _id, site_id, _org, contract_id in devices
        }
        return cls(
            rng=rng,
            now=now,
            staff=staff,
            devices=devices,
            promises=promises,
            levels=escalation.active_levels(),
            calendar=work_calendar(),
            warning_share=services._warning_share(),
        )

    def plan(self, *, reported_at: datetime) -> dict:
        """A record's device, class and whole life, reported at `reported_at`."""
        device_id, site_id, org_id, contract_id = self.rng.choice(self.devices)
        fault_class = self.rng.choices(
            list(FAULT_CLASS_WEIGHTS), list(FAULT_CLASS_WEIGHTS.values())
        )[0]
        promise = self.promises[(contract_id, site_id)]
        steps = life(
            reported_at=reported_at,
            fault_class=fault_class,
            travel=promise.travel_minutes,
            staff=self.staff,
            rng=self.rng,
        )
        return {
            "device": (device_id, site_id, org_id),
            "promise": promise,
            "fault_class": fault_class,
            "reported_at": reported_at,
            "steps": steps,
        }

    def write(self, plans: list[dict], *, numbers: Numbers, with_events) -> None:
        """Records for `plans` (in time order), their clocks, and for the plans that
        `with_events(i)` picks their events and dispatches."""
        from vcdesk.service import process
        from vcdesk.service.choices import EventType
        from vcdesk.service.models import Clock, Dispatch, ServiceEvent, ServiceRecord

        rng = self.rng
        for start in range(0, len(plans), installed_base.BATCH_SIZE):
            batch = plans[start : start + installed_base.BATCH_SIZE]
            records, books = [], []
            for plan in batch:
                book = ClockBook(
                    promise=plan["promise"],
                    calendar=self.calendar,
                    levels=self.levels,
                    warning_share=self.warning_share,
                )
                book.open(reported_at=plan["reported_at"], fault_class=plan["fault_class"])
                state = process.ProcessState()
                for step in plan["steps"]:
                    book.event(step.type, step.at)
                    state = process.fold(state, EventType(step.type), step.at)
                book.escalate(self.now)
                books.append(book)
                device_id, site_id, org_id = plan["device"]
                hotline = rng.random() < 0.9  # the others were opened by the customer
                records.append(
                    ServiceRecord(
                        number=numbers.next(plan["reported_at"]),
                        device_id=device_id,
                        organisation_id=org_id,
                        site_id=site_id,
                        caller_name=rng.choice(CALLERS),
                        caller_phone=f"13{rng.randint(100_000_000, 999_999_999)}",
                        duty_officer_id=rng.choice(self.staff.duty_officers) if hotline else None,
                        support_staff_id=(
                            rng.choice(self.staff.support_engineers) if rng.random() < 0.3 else None
                        ),
                        fault_class=plan["fault_class"],
                        description=DESCRIPTIONS[plan["fault_class"]],
                        reported_at=plan["reported_at"],
                        status=process.status(state),
                        queue_key=book.queue_key(),
                        has_breach=book.has_breach(),
                    )
                )
            ServiceRecord.objects.bulk_create(records)
            clocks, events, dispatches = [], [], []
            for i, (plan, record, book) in enumerate(
                zip(batch, records, books, strict=True), start=start
            ):
                for clock in book.clocks:
                    clock.record_id = record.pk
                    clocks.append(clock)
                if not with_events(i):
                    continue
                actor = record.duty_officer_id
                arrived = resolved = None
                for step in plan["steps"]:
                    events.append(
                        ServiceEvent(
                            record_id=record.pk,
                            type=step.type,
                            at=step.at,
                            note=step.note,
                            engineer_id=step.engineer_id,
                            actor_id=actor,
                        )
                    )
                    if step.type == EventType.ARRIVED:
                        arrived = step.at
                    elif step.type == EventType.RESOLVED and arrived:
                        resolved = step.at
                for step in plan["steps"]:
                    if step.type == EventType.DISPATCHED and step.engineer_id:
                        dispatches.append(
                            Dispatch(
                                record_id=record.pk,
                                engineer_id=step.engineer_id,
                                assigned_at=step.at,
                                accepted_at=step.at + minutes(1, 10, rng),
                                set_out_at=step.at + minutes(10, 20, rng),
                                arrived_at=arrived,
                                departed_at=resolved,
                                report=rng.choice(REPORTS) if resolved else "",
                            )
                        )
            Clock.objects.bulk_create(clocks, batch_size=installed_base.BATCH_SIZE)
            ServiceEvent.objects.bulk_create(events, batch_size=installed_base.BATCH_SIZE)
            Dispatch.objects.bulk_create(dispatches, batch_size=installed_base.BATCH_SIZE)
            self.counts["records"] += len(records)
            self.counts["clocks"] += len(clocks)
            self.counts["events"] += len(events)
            if sys.stdout.isatty():
                print(f"  {self.counts['records']:,} records", end="\r", flush=True)
        numbers.save()

    def closed_records(self, n: int) -> None:
        """`n` records spread over HISTORY_DAYS up to two weeks ago, every one closed."""
        earliest = self.now - timedelta(days=HISTORY_DAYS)
        span = (HISTORY_DAYS - 14) * 86400
        times = sorted(earliest + timedelta(seconds=self.rng.uniform(0, span)) for _ in range(n))
        plans = [self.plan(reported_at=at) for at in times]
        self.write(plans, numbers=Numbers(), with_events=lambda i: i % EVENTS_EVERY == 0)

    def open_records(self, n: int) -> None:
        """`n` open records as of now: ACTIVE_SHARE of them somewhere between the call and
        the resolution (clocks running, some on hold), the others resolved in the last
        STALE_DAYS and waiting for the customer's confirmation or for someone to close them.
        Each has its events and dispatches."""
        from vcdesk.service.choices import EventType

        plans = []
        while len(plans) < n:
            plan = self.plan(reported_at=self.now)
            steps = plan["steps"]
            if self.rng.random() < ACTIVE_SHARE:
                resolved = [s.at for s in steps if s.type == EventType.RESOLVED]
                by = -((resolved or [steps[-1].at])[0] - self.now) * self.rng.random()
            else:
                if not any(s.type == EventType.RESOLVED for s in steps):
                    continue  # withdrawn calls are closed at once, not left open
                left_out = {EventType.CLOSED}
                if self.rng.random() < 0.5:
                    left_out.add(EventType.CONFIRMED)
                plan["steps"] = [s for s in steps if s.type not in left_out]
                by = -timedelta(seconds=self.rng.uniform(0, STALE_DAYS * 86400))
            plan["reported_at"] += by
            plan["steps"] = [s for s in shifted(plan["steps"], by) if s.at <= self.now]
            plans.append(plan)
        plans.sort(key=lambda plan: plan["reported_at"])
        self.write(plans, numbers=Numbers(), with_events=lambda i: True)


def staff_ensure() -> None:
    """The bench's duty officers, support and field engineers, a head of service, and two
    teams with robots (the sweep writes their notifications; nothing is delivered)."""
    from vcdesk.accounts.choices import Role
    from vcdesk.accounts.models import User
    from vcdesk.accounts.services import role_groups_ensure
    from vcdesk.notify.choices import WebhookKind
    from vcdesk.notify.models import Team

    groups = role_groups_ensure()
    people: dict[Role, list] = {}
    for role, count in [
        (Role.DUTY_OFFICER, 6),
        (Role.SUPPORT_ENGINEER, 4),
        (Role.FIELD_ENGINEER, 20),
        (Role.SERVICE_MANAGER, 2),
    ]:
        for n in range(1, count + 1):
            # No password: these people never sign in (the bench clients use bench_users).
            user = User(
                username=f"svcbench-{role.value}-{n}",
                full_name=f"基准{role.label}{n}",
                email=f"svcbench-{role.value}-{n}@example.com",
            )
            user.set_unusable_password()
            user.save()
            user.groups.add(groups[role])
            people.setdefault(role, []).append(user)
    duty = Team.objects.create(
        name=seed_marker(),
        email="duty-team@example.com",
        webhook_kind=WebhookKind.WECOM,
        webhook_url="http://127.0.0.1:9/wecom-robot",
    )
    duty.members.set(people[Role.DUTY_OFFICER] + people[Role.SUPPORT_ENGINEER])
    heads = Team.objects.create(
        name="基准服务负责人",
        is_head_of_service=True,
        webhook_kind=WebhookKind.DINGTALK,
        webhook_url="http://127.0.0.1:9/dingtalk-robot",
    )
    heads.members.set(people[Role.SERVICE_MANAGER][:1])


def seed_marker() -> str:
    """The duty team's name, which marks a finished seed: of this SEED_VERSION, computed with
    this work calendar (the spare-arrival clocks count working days; when the calendar
    changes, the seeded due times are no longer the engine's, so the next run seeds again)."""
    from vcdesk.calendars.selectors import work_calendar

    calendar = work_calendar()
    days = [*sorted(calendar.holidays), "|", *sorted(calendar.working_weekends)]
    fingerprint = hashlib.sha1(" ".join(map(str, days)).encode()).hexdigest()[:10]
    return f"基准值班组 v{SEED_VERSION} {fingerprint}"


def n_open(n_records: int) -> int:
    return round(n_records * OPEN_SHARE)


def is_seeded(args: argparse.Namespace) -> bool:
    from vcdesk.notify.models import Team
    from vcdesk.service.choices import RecordStatus
    from vcdesk.service.models import ServiceRecord

    return (
        installed_base.is_seeded(n_devices=args.devices, n_sites=args.sites)
        and Team.objects.filter(name=seed_marker()).exists()
        and ServiceRecord.objects.filter(status=RecordStatus.CLOSED).count()
        == args.records - n_open(args.records)
    )


def open_records_forget() -> None:
    """Delete every record that is not closed (the open ones of the last run and the ones
    it opened through the API), with their clocks, events and dispatches, and what the last
    run's sweeps and API calls wrote (notifications, delivery tasks, change history), and
    turn the day's number sequences back to the closed records' last numbers."""
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from vcdesk.notify.models import Notification
    from vcdesk.service.choices import RecordStatus
    from vcdesk.service.models import (
        Clock,
        Dispatch,
        HistoryEntry,
        RecordNumberSequence,
        ServiceEvent,
        ServiceRecord,
    )

    records = ServiceRecord._meta.db_table
    closed = RecordStatus.CLOSED.value
    with transaction.atomic():
        open_days = {
            datetime.strptime(number[3:11], "%Y%m%d").date()
            for number in ServiceRecord.objects.exclude(status=closed).values_list(
                "number", flat=True
            )
        }
        Notification.objects.all().delete()
        DBTaskResult.objects.all().delete()
        ServiceRecord.history.model.objects.all().delete()
        Dispatch.history.model.objects.all().delete()
        with connection.cursor() as cursor:
            # Plain DELETEs: the ORM would load every row to send signals and write history.
            for model in (Clock, ServiceEvent, HistoryEntry, Dispatch):
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE record_id IN "
                    f"(SELECT id FROM {records} WHERE status <> %s)",
                    [closed],
                )
            cursor.execute(f"DELETE FROM {records} WHERE status <> %s", [closed])
        for day in open_days:
            prefix = f"SR-{day:%Y%m%d}-"
            last = max(
                (
                    int(number[len(prefix) :])
                    for number in ServiceRecord.objects.filter(
                        number__startswith=prefix
                    ).values_list("number", flat=True)
                ),
                default=0,
            )
            if last:
                RecordNumberSequence.objects.filter(day=day).update(last=last)
            else:
                RecordNumberSequence.objects.filter(day=day).delete()


def verify_seed(*, sample: int, rng: random.Random) -> str:
    """Replay `sample` seeded records with events (half open, half closed) through
    vcdesk.service.services in a transaction that is rolled back, and compare the clocks,
    status and queue position. The seed's escalation marks are not compared: the replay
    does not sweep."""
    from django.db import transaction
    from django.utils import timezone

    from vcdesk.service import services
    from vcdesk.service.choices import RecordStatus
    from vcdesk.service.models import Clock, ServiceEvent, ServiceRecord

    now = timezone.now()
    with_events = ServiceRecord.objects.filter(
        pk__in=ServiceEvent.objects.values("record_id")
    ).order_by("id")
    chosen = []
    for records in (
        with_events.exclude(status=RecordStatus.CLOSED),
        with_events.filter(status=RecordStatus.CLOSED),
    ):
        ids = list(records.values_list("id", flat=True))
        chosen += rng.sample(ids, min(sample // 2, len(ids)))

    def clock_facts(record_id: int) -> list[tuple]:
        return sorted(
            (
                c.kind,
                c.started_at,
                c.due_at,
                c.warn_at,
                c.met_at,
                c.cancelled_at,
                c.paused_at,
                c.held_seconds,
                c.state_at(now),
            )
            for c in Clock.objects.filter(record_id=record_id)
        )

    problems = []
    with transaction.atomic():
        for record in ServiceRecord.objects.filter(pk__in=chosen).order_by("id"):
            replay = services.service_record_open(
                device=record.device_id,
                fault_class=record.fault_class,
                description=record.description,
                caller_name=record.caller_name,
                caller_phone=record.caller_phone,
                reported_at=record.reported_at,
                actor=None,
            )
            for event in record.events.select_related("engineer").order_by("at", "id"):
                services.service_record_event_add(
                    replay,
                    type=event.type,
                    at=event.at,
                    note=event.note,
                    engineer=event.engineer,
                    actor=None,
                )
            replay.refresh_from_db()
            seeded_clocks, replayed_clocks = clock_facts(record.pk), clock_facts(replay.pk)
            broken = any(facts[-1] == "breached" for facts in replayed_clocks)
            if (
                seeded_clocks != replayed_clocks
                or (record.status, record.queue_key) != (replay.status, replay.queue_key)
                or record.has_breach != broken
            ):
                problems.append(
                    f"{record.number}: seeded {record.status} {record.queue_key} "
                    f"breach={record.has_breach} {seeded_clocks}\n"
                    f"    the services give {replay.status} {replay.queue_key} "
                    f"breach={broken} {replayed_clocks}"
                )
        transaction.set_rollback(True)
    if problems:
        raise SystemExit(
            "the seed does not agree with vcdesk.service.services (if the rules changed, bump "
            "SEED_VERSION in bench/service.py, or run with --reseed):\n" + "\n".join(problems)
        )
    return f"{len(chosen)} seeded records replayed through the services: identical"


def ensure_seeded(args: argparse.Namespace) -> dict:
    """Seed if needed, renew the open records, and (VACUUM) ANALYZE; the seed's timings."""
    from django.db import connection
    from django.utils import timezone

    from vcdesk.service.models import Clock, Dispatch, ServiceEvent, ServiceRecord

    timings: dict = {"seed_seconds": None}
    rng = random.Random(20260301)
    if is_seeded(args) and not args.reseed:
        print(f"  already seeded: {args.records:,} service records", flush=True)
    else:
        installed_base.empty_bench_database()
        started = time.perf_counter()
        installed_base.seed(n_devices=args.devices, n_sites=args.sites, rng=random.Random(20260101))
        print(
            f"  seeded {args.devices:,} devices in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        staff_ensure()
        seeder = Seeder.for_database(rng=rng, now=timezone.now())
        seeder.closed_records(args.records - n_open(args.records))
        timings["seed_seconds"] = round(time.perf_counter() - started, 1)
        print(
            f"  seeded {seeder.counts['records']:,} closed records, "
            f"{seeder.counts['clocks']:,} clocks, {seeder.counts['events']:,} events in "
            f"{timings['seed_seconds']:.1f} s (with the installed base)",
            flush=True,
        )

    # The open records are written anew for every run, relative to the current time: left
    # from an earlier run, their clocks would have run out while nobody swept them.
    started = time.perf_counter()
    open_records_forget()
    seeder = Seeder.for_database(rng=random.Random(20260302), now=timezone.now())
    seeder.open_records(n_open(args.records))
    timings["open_seconds"] = round(time.perf_counter() - started, 1)
    print(
        f"  wrote {seeder.counts['records']:,} open records, {seeder.counts['clocks']:,} "
        f"clocks, {seeder.counts['events']:,} events as of now in "
        f"{timings['open_seconds']:.1f} s",
        flush=True,
    )
    if timings["seed_seconds"] is not None:
        installed_base.vacuum_analyze()
    else:
        started = time.perf_counter()
        tables = [m._meta.db_table for m in (ServiceRecord, Clock, ServiceEvent, Dispatch)]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")
            else:
                for table in tables:
                    cursor.execute(f"ANALYZE {table}")
        print(f"  (VACUUM) ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)
    checkpoint()
    started = time.perf_counter()
    timings["verified"] = verify_seed(sample=VERIFY_SAMPLE, rng=random.Random(3))
    print(f"  {timings['verified']} ({time.perf_counter() - started:.1f} s)", flush=True)
    return timings


def checkpoint() -> None:
    """Write the setup's changes out of the write-ahead log before anything is measured.

    Renewing the open records writes some 140,000 rows seconds before the measures; left
    alone, the checkpoint that follows runs during them, and the first sweep pays for it
    (every page it touches first after the checkpoint starts goes to the WAL whole: 1.06-1.18 s
    against 0.63-0.80 s for the same sweep once the checkpoint is done). A service writes
    steadily, never 140,000 rows just before its sweep."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"  checkpoint in {time.perf_counter() - started:.1f} s", flush=True)


# --------------------------------------------------------------------------------------------
# Child, measuring.
# --------------------------------------------------------------------------------------------


def data_counts() -> dict:
    from django.utils import timezone

    from vcdesk.assets.models import Device
    from vcdesk.service.choices import RecordStatus
    from vcdesk.service.filters import ServiceRecordFilter
    from vcdesk.service.models import Clock, ServiceEvent, ServiceRecord

    records = ServiceRecord.objects.all()
    running = Clock.objects.filter(
        met_at__isnull=True, cancelled_at__isnull=True, paused_at__isnull=True
    )
    return {
        "devices": Device.objects.count(),
        "records": records.count(),
        "open_records": records.exclude(status=RecordStatus.CLOSED).count(),
        "records_with_breach": records.filter(has_breach=True).count(),
        "breached_filter_matches": ServiceRecordFilter(breached=True).filter(records).count(),
        "clocks": Clock.objects.count(),
        "running_clocks": running.count(),
        "running_past_due": running.filter(due_at__lt=timezone.now()).count(),
        "pending_escalations": Clock.objects.filter(next_escalation_at__isnull=False).count(),
        "events": ServiceEvent.objects.count(),
    }


def list_endpoints(*, rng: random.Random) -> tuple[list, list[str]]:
    """The lists and pages to measure, and notes on what could not be measured."""
    from django.urls import NoReverseMatch, reverse

    from vcdesk.service.choices import RecordStatus
    from vcdesk.service.models import ServiceRecord

    Endpoint = installed_base.Endpoint
    api = "/api/v1/service-records"
    statuses = [s.value for s in RecordStatus if s != RecordStatus.CLOSED]
    low = ServiceRecord.objects.order_by("id").values_list("id", flat=True)[0]
    high = ServiceRecord.objects.order_by("-id").values_list("id", flat=True)[0]
    # Ids have gaps (each run replaces the open records), so sample the ones that exist.
    sample = rng.sample(range(low, high + 1), min(2_000, high - low + 1))
    existing = list(
        ServiceRecord.objects.filter(id__in=sample).order_by("id").values_list("id", "number")
    )
    ids = [pk for pk, _number in existing]
    numbers = [number for _pk, number in existing]
    endpoints = [
        Endpoint(
            "API list, first page", "staff-api", lambda r: api, True, lambda n: f"{api}?limit={n}"
        ),
        Endpoint(
            "API list, breached=true",
            "staff-api",
            lambda r: f"{api}?breached=true",
            True,
            lambda n: f"{api}?breached=true&limit={n}",
        ),
        Endpoint(
            "API list, status=<open status>",
            "staff-api",
            lambda r: f"{api}?status={r.choice(statuses)}",
            True,
            lambda n: f"{api}?status=awaiting_spare&limit={n}",
        ),
        Endpoint(
            "API list, status=closed",
            "staff-api",
            lambda r: f"{api}?status=closed",
            True,
            lambda n: f"{api}?status=closed&limit={n}",
        ),
        Endpoint(
            "API list, open=true",
            "staff-api",
            lambda r: f"{api}?open=true",
            True,
            lambda n: f"{api}?open=true&limit={n}",
        ),
        Endpoint(
            "API list, large customer",
            "contact-api",
            lambda r: api,
            True,
            lambda n: f"{api}?limit={n}",
        ),
        Endpoint(
            "API list, large customer, breached",
            "contact-api",
            lambda r: f"{api}?breached=true",
            True,
            lambda n: f"{api}?breached=true&limit={n}",
        ),
        Endpoint(
            "API list, small customer",
            "small-api",
            lambda r: api,
            True,
            lambda n: f"{api}?limit={n}",
        ),
        Endpoint(
            "API list, search q=<number>",
            "staff-api",
            lambda r: f"{api}?q={r.choice(numbers)}",
            False,
        ),
        Endpoint(
            "API read one record",
            "staff-api",
            lambda r: f"{api}/{r.choice(ids)}",
            False,
        ),
    ]
    notes = []
    try:
        queue = reverse("service_queue")
    except NoReverseMatch:
        notes.append("the queue page (URL name service_queue) does not exist yet: not measured")
    else:
        endpoints += [
            Endpoint("Queue page /service/", "staff-page", lambda r: queue, True),
            Endpoint("Queue page, htmx refresh", "staff-htmx", lambda r: queue, True),
            Endpoint(
                "Queue page, breached", "staff-page", lambda r: f"{queue}?breached=true", True
            ),
            Endpoint("Queue page, customer contact", "contact-page", lambda r: queue, True),
        ]
    try:
        reverse("service_record_detail", args=[low])
    except NoReverseMatch:
        pass
    else:
        endpoints.append(
            Endpoint(
                "Record page /service/<id>/",
                "staff-page",
                lambda r: reverse("service_record_detail", args=[r.choice(ids)]),
                False,
            )
        )
    return endpoints, notes


def creation_payloads(rng: random.Random):
    """An endless supply of hotline calls: a random active device and fault class."""
    from vcdesk.assets.choices import DeviceStatus
    from vcdesk.assets.models import Device

    device_ids = list(
        Device.objects.filter(status=DeviceStatus.ACTIVE).values_list("id", flat=True)
    )
    classes = list(FAULT_CLASS_WEIGHTS)
    weights = list(FAULT_CLASS_WEIGHTS.values())
    while True:
        fault_class = rng.choices(classes, weights)[0]
        yield {
            "device": rng.choice(device_ids),
            "fault_class": fault_class,
            "description": DESCRIPTIONS[fault_class],
            "caller_name": rng.choice(CALLERS),
            "caller_phone": f"13{rng.randint(100_000_000, 999_999_999)}",
        }


def measure_creation(client, *, n: int, warmup: int, rng: random.Random) -> dict:
    """Open `n` records one after the other through POST /api/v1/service-records, in this
    process with django.test.Client (one client; information)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    payloads = creation_payloads(rng)

    def post():
        payload = next(payloads)
        response = client.post("/api/v1/service-records", payload, content_type="application/json")
        if response.status_code != 201:
            raise SystemExit(f"POST /api/v1/service-records answered {response.status_code}")
        return response

    for _ in range(warmup):
        post()
    samples = []
    started = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        post()
        samples.append((time.perf_counter() - t0) * 1000)
    seconds = time.perf_counter() - started
    # Queries: counted and timed on 10 more requests, since that costs time too.
    counts, sql_totals, timed = [], [], []
    for _ in range(10):
        timer = installed_base.QueryTimer()
        with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timer):
            post()
        counts.append(len(ctx.captured_queries))
        sql_totals.append(sum(ms for ms, _sql, _params in timer.queries))
        timed.extend(timer.queries)
    slowest = max(timed, key=lambda q: q[0])
    row = {
        "records": n,
        "seconds": round(seconds, 2),
        "per_second": round(n / seconds, 1),
        "p50_ms": round(installed_base.percentile(samples, 50), 2),
        "p95_ms": round(installed_base.percentile(samples, 95), 2),
        "max_ms": round(max(samples), 2),
        "queries": max(counts),
        "sql_ms": round(statistics.median(sql_totals), 2),
        "slowest_query_ms": round(slowest[0], 2),
        "slowest_query": slowest[1],
    }
    print(
        f"  opened {n:,} records through the API in-process, one after the other, in "
        f"{seconds:.1f} s: {row['per_second']:.0f}/s, p50 {row['p50_ms']:.1f} ms, "
        f"p95 {row['p95_ms']:.1f} ms, {row['queries']} queries each",
        flush=True,
    )
    return row


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(*, workers: int, threads: int):
    """gunicorn serving vcdesk on a free loopback port, as scripts/serve.sh does (sync
    workers; gthread when `threads` > 1), on this run's database and settings (the
    environment: DATABASE_URL, DEBUG off); yields its port, stops it after."""
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "vcdesk.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    server = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited with {server.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/v1/openapi.json")
                if connection.getresponse().status == 200:
                    connection.close()
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not answer within 60 s")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def measure_served_creation(
    *, token: str, n: int, warmup: int, clients: int, workers: int, threads: int, rng
) -> dict:
    """Open `n` records through a real gunicorn on a loopback port, as production serves
    them: `clients` HTTP clients (threads, each with its own keep-alive connection) POST at
    once until `n` are done. Records per second over the `n`: the issue's target."""
    payloads = creation_payloads(rng)
    bodies = [json.dumps(next(payloads)).encode() for _ in range(n + warmup * clients)]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    lock = threading.Lock()
    queue = iter(())  # the bodies the clients take next: the warm-up's, then the timed ones
    latencies: list[float] = []
    failures: list[str] = []
    reconnects = 0

    def worker(port: int, start: threading.Barrier, untimed: int) -> None:
        nonlocal reconnects
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        done = 0
        mine: list[float] = []
        try:
            for phase in ("warm", "timed"):
                if phase == "timed":
                    start.wait()
                while phase == "timed" or done < untimed:
                    with lock:
                        body = next(queue, None)
                    if body is None:
                        break
                    t0 = time.perf_counter()
                    for attempt in (1, 2):
                        try:
                            connection.request("POST", "/api/v1/service-records", body, headers)
                            response = connection.getresponse()
                            response.read()
                            break
                        except (http.client.RemoteDisconnected, ConnectionError):
                            # The server closed an idle keep-alive connection: reconnect.
                            connection.close()
                            with lock:
                                reconnects += 1
                            if attempt == 2:
                                raise
                    if response.status != 201:
                        failures.append(f"{response.status}")
                    if phase == "timed":
                        mine.append((time.perf_counter() - t0) * 1000)
                    done += 1
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    with served(workers=workers, threads=threads) as port:
        # Untimed first: every worker process imports and connects before the clock starts.
        warm = iter(bodies[: warmup * clients])
        bodies_timed = bodies[warmup * clients :]
        queue = warm
        start = threading.Barrier(clients + 1)
        pool = [
            threading.Thread(target=worker, args=(port, start, warmup), daemon=True)
            for _ in range(clients)
        ]
        for thread in pool:
            thread.start()
        # Once every client is through its warm-up and waits at the barrier, the timed
        # requests go in.
        while start.n_waiting < clients:
            if not all(thread.is_alive() for thread in pool):
                start.abort()
                raise SystemExit("a client failed during the warm-up")
            time.sleep(0.01)
        queue = iter(bodies_timed)
        started = time.perf_counter()
        start.wait()
        for thread in pool:
            thread.join()
        seconds = time.perf_counter() - started
    if failures or len(latencies) != n:
        raise SystemExit(
            f"served POST /api/v1/service-records: {len(latencies)} of {n} timed, "
            f"{len(failures)} failed (statuses {sorted(set(failures))})"
        )
    server = f"gunicorn, {workers} {'gthread' if threads > 1 else 'sync'} workers"
    if threads > 1:
        server += f" x {threads} threads"
    row = {
        "records": n,
        "clients": clients,
        "server": server,
        "seconds": round(seconds, 2),
        "per_second": round(n / seconds, 1),
        "p50_ms": round(installed_base.percentile(latencies, 50), 2),
        "p95_ms": round(installed_base.percentile(latencies, 95), 2),
        "max_ms": round(max(latencies), 2),
        "reconnects": reconnects,
    }
    print(
        f"  opened {n:,} records through {server}, {clients} HTTP clients at once, in "
        f"{seconds:.1f} s: {row['per_second']:.0f}/s, p50 {row['p50_ms']:.1f} ms, "
        f"p95 {row['p95_ms']:.1f} ms",
        flush=True,
    )
    return row


def measure_sweeps(*, due: int, rounds: int, explain: bool) -> list[dict]:
    """`rounds` times: at the moment when exactly `due` clocks have an escalation due, run
    the sweep (timed), then run it again at the same moment (it must find nothing).

    The moment is found rather than made: it is the `due`-th earliest `next_escalation_at`
    (a little earlier when the next clock falls due at the very same instant), and the sweep
    is called with `now` = that moment, so every level it fires fires for a real reason and
    no clock is rewritten for the bench.
    """
    from django.db import connection

    from vcdesk.notify.models import Notification
    from vcdesk.service.models import Clock
    from vcdesk.service.sweep import clocks_sweep

    pending = Clock.objects.filter(next_escalation_at__isnull=False)
    rows = []
    for _ in range(rounds):
        times = list(
            pending.order_by("next_escalation_at").values_list("next_escalation_at", flat=True)[
                : due + 1
            ]
        )
        if len(times) < due:
            raise SystemExit(f"only {len(times)} clocks have an escalation pending")
        at = times[due - 1]
        if len(times) > due and times[due] == at:
            at -= timedelta(microseconds=1)
        clocks_due = pending.filter(next_escalation_at__lte=at).count()
        notifications_before = Notification.objects.count()
        timer = installed_base.QueryTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            fired = clocks_sweep(now=at)
            seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = clocks_sweep(now=at)
        again_seconds = time.perf_counter() - started
        slowest = max(timer.queries, key=lambda q: q[0])
        row = {
            "at": at.isoformat(),
            "clocks_due": clocks_due,
            "seconds": round(seconds, 3),
            "fired": fired,
            "notifications": Notification.objects.count() - notifications_before,
            "queries": len(timer.queries),
            "sql_ms": round(sum(ms for ms, *_ in timer.queries), 1),
            "slowest_query_ms": round(slowest[0], 2),
            "slowest_query": slowest[1],
            "again_seconds": round(again_seconds, 3),
            "again_fired": again,
        }
        rows.append(row)
        print(
            f"  sweep at {at:%Y-%m-%d %H:%M:%S} UTC, {clocks_due:,} clocks due: "
            f"{seconds:.3f} s, {fired:,} levels fired, {row['notifications']:,} notifications, "
            f"{row['queries']:,} queries ({row['sql_ms']:.0f} ms in the database); "
            f"again: {again_seconds:.3f} s, {again} fired",
            flush=True,
        )
        if explain:
            print(f"    slowest query ({slowest[0]:.1f} ms): {slowest[1][:300]}")
            print(installed_base.explain(slowest[1], slowest[2]))
    return rows


def measure(args: argparse.Namespace) -> tuple[list[dict], list[dict], dict | None, list[str]]:
    from django.test import Client

    users, tokens = installed_base.bench_users()
    clients = {
        "staff-api": Client(HTTP_AUTHORIZATION=f"Bearer {tokens['staff']}"),
        "contact-api": Client(HTTP_AUTHORIZATION=f"Bearer {tokens['contact']}"),
        "small-api": Client(HTTP_AUTHORIZATION=f"Bearer {tokens['small']}"),
        "staff-page": Client(),
        "staff-htmx": Client(HTTP_HX_REQUEST="true"),
        "contact-page": Client(),
    }
    for key, user in (
        ("staff-page", "staff"),
        ("staff-htmx", "staff"),
        ("contact-page", "contact"),
    ):
        clients[key].force_login(users[user])

    def wanted(name: str) -> bool:
        return not args.only or args.only.lower() in name.lower()

    rng = random.Random(7)
    endpoints, notes = list_endpoints(rng=rng)
    rows = [
        installed_base.measure_endpoint(e, clients[e.client], rng=rng, args=args)
        for e in endpoints
        if wanted(e.name)
    ]
    sweeps = []
    if wanted("sweep"):
        try:
            import vcdesk.service.sweep  # noqa: F401
        except ImportError:
            notes.append("vcdesk.service.sweep.clocks_sweep does not exist yet: not measured")
        else:
            sweeps = measure_sweeps(due=args.due, rounds=args.sweeps, explain=args.explain)
    creation = None
    if wanted("create records through the API"):
        creation = measure_creation(
            clients["staff-api"], n=args.create, warmup=args.warmup, rng=rng
        )
        if args.explain:
            print(f"    slowest query ({creation['slowest_query_ms']:.1f} ms)")
            print(f"    {creation['slowest_query'][:300]}")
        creation["served"] = measure_served_creation(
            token=tokens["staff"],
            n=args.create,
            warmup=5,
            clients=args.serve_clients,
            workers=args.serve_workers,
            threads=args.serve_threads,
            rng=rng,
        )
    return rows, sweeps, creation, notes


def run_child(args: argparse.Namespace) -> int:
    installed_base.setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    timings = ensure_seeded(args)
    data = data_counts()
    load_before = os.getloadavg()
    rows, sweeps, creation, notes = measure(args)
    load_after = os.getloadavg()

    engine, version, measured_at, machine = installed_base.run_environment(load_before, load_after)
    result = {
        "database": args.db,
        "engine": engine,
        "server_version": version,
        "data": data,
        **timings,
        "measured_at": measured_at,
        "machine": machine,
        "rows": rows,
        "sweeps": sweeps,
        "creation": creation,
        "notes": notes,
    }
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--records", type=int, default=500_000, help="service records")
    parser.add_argument("--devices", type=int, default=installed_base.DEVICES)
    parser.add_argument("--sites", type=int, default=installed_base.SITES)
    parser.add_argument("--reseed", action="store_true", help="empty and seed again")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per endpoint")
    parser.add_argument("--create", type=int, default=1_000, help="records to open by POST")
    parser.add_argument(
        "--serve-workers",
        type=int,
        default=2,
        help="gunicorn workers for the served creation (scripts/serve.sh's default)",
    )
    parser.add_argument(
        "--serve-threads",
        type=int,
        default=1,
        help="threads per gunicorn worker (more than 1: the gthread worker)",
    )
    parser.add_argument("--serve-clients", type=int, default=4, help="HTTP clients POSTing at once")
    parser.add_argument("--due", type=int, default=1_000, help="clocks due for each sweep")
    parser.add_argument("--sweeps", type=int, default=3, help="sweeps to time")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN each slowest query")
    parser.add_argument("--only", help="measure only what has this in its name")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_child(args)
    return run_parent(args)


if __name__ == "__main__":
    sys.exit(main())
