"""Spare-parts stock at volume: reserving a spare and the stock page, with 100,000 stock
movements per warehouse, on SQLite and on PostgreSQL.

    .venv/bin/python bench/stock.py [--db sqlite|postgres|both] [--movements 100000]
                                    [--reseed] [--reservations 300] [--requests 200]
                                    [--warmup 20] [--only TEXT] [--explain]

Like bench/service.py, it measures each database in a subprocess of itself with DATABASE_URL
set, and imports bench/run.py's measuring loop:

- SQLite: var/stockbench.sqlite3
- PostgreSQL: database `vcdesk_stockbench` (created if missing) on $BENCH_STOCK_POSTGRES_URL,
  default postgres://postgres@127.0.0.1:5432/vcdesk_stockbench

The child migrates; seeds, if the data is not there yet (or on --reseed), eight warehouses
(seven regional ones and the vendor's bonded warehouse), a catalogue of part models for the
installed base's device models, and `--movements` stock movements per warehouse — three years
of receipts, reservations shipped or released, returns, write-offs and transfers, with serial
numbers for the serialised parts — and the stock levels they add up to; checks them with
stock_levels_rebuild() (0 levels wrong); then measures, in-process:

- reserving one unit with vcdesk.spares.services.stock_reserve, and requesting a spare for a
  service record with spare_request_create (nearest warehouse with stock, the record's
  spare_requested event and its two clocks), `--reservations` times each; the reservations
  are released and the requests cancelled afterwards (spare_request_cancel, timed too);
- the keeper's stock page /spares/ and the stock API list through django.test.Client with
  DEBUG off (p50/p95, queries per request). Target (issue 4): stock page p95 under 100 ms.

See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import run as installed_base

ROOT = installed_base.ROOT
SQLITE_PATH = ROOT / "var" / "stockbench.sqlite3"
POSTGRES_URL = os.environ.get(
    "BENCH_STOCK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/vcdesk_stockbench"
)
TARGET_PAGE_P95_MS = 100.0
MOVEMENTS = 100_000  # per warehouse
SEED_VERSION = 2  # bump when the seed changes: the next run then seeds again
HISTORY_DAYS = 3 * 365
OPEN_TAIL = 0.02  # reservations made in this last share of the history are still open
KEEPER_USERNAME = "stockbench-keeper"
DUTY_USERNAME = "stockbench-duty"

# (name, city, bonded)
WAREHOUSES = [
    ("北京备件库", "北京", False),
    ("上海备件库", "上海", False),
    ("广州备件库", "广州", False),
    ("成都备件库", "成都", False),
    ("武汉备件库", "武汉", False),
    ("西安备件库", "西安", False),
    ("沈阳备件库", "沈阳", False),
    ("Polycom 上海保税库", "上海", True),
]
# The sites whose records request spares: cities with and without a warehouse.
SITE_CITIES = ["北京", "天津", "上海", "杭州", "南京", "广州", "深圳", "成都", "重庆", "武汉"]
SITE_CITIES += ["长沙", "西安", "兰州", "沈阳", "哈尔滨", "济南", "郑州", "昆明"]

# Spare parts per device family: (name, serialised, market price CNY, low-stock threshold).
MCU_PARTS = [
    ("主控板", True, 38000, 2),
    ("媒体处理板", True, 28000, 2),
    ("E1 接口板", True, 9000, 2),
    ("IP 网络接口板", True, 7600, 2),
    ("冗余电源模块", True, 6200, 3),
    ("风扇框", False, 1800, 3),
    ("硬盘", True, 2400, 2),
    ("机箱背板", True, 12000, 1),
]
ENDPOINT_PARTS = [
    ("主机", True, 21000, 2),
    ("高清摄像机", True, 9800, 2),
    ("全向麦克风", True, 2600, 4),
    ("遥控器", False, 380, 10),
    ("电源适配器", False, 420, 8),
    ("主板", True, 8600, 2),
    ("HDMI 视频线缆 10 米", False, 160, 20),
    ("麦克风延长线", False, 90, 20),
    ("触摸控制面板", True, 4300, 2),
]
OTHER_PARTS = [
    ("USB 摄像机", True, 5200, 3),
    ("USB 线缆 5 米", False, 60, 20),
]
# Part-number formats of each vendor (n: a running number).
PART_NUMBERS = {
    "Polycom": lambda n: f"2215-{28000 + n:05d}-001",
    "Huawei": lambda n: f"0231{n:04d}",
    "Cisco": lambda n: f"CTS-SPR-{n:04d}=",
    "ZTE": lambda n: f"ZX-SP-{n:05d}",
    "Kedacom": lambda n: f"KD-{n:05d}",
    "Yealink": lambda n: f"YL-SP{n:04d}",
}

# What happens in a warehouse, by weight: a story writes one to a few movements.
STORIES = {
    "receive": 9,
    "ship": 30,  # reserved for a spare, then shipped
    "release": 6,  # reserved, then no longer needed
    "return": 4,  # a repaired unit comes back
    "scrap": 1,
    "transfer": 3,  # to another warehouse
}


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
    for option in ("movements", "reservations", "requests", "warmup"):
        child_args += [f"--{option}", str(getattr(args, option))]
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
        out_prefix="stock-",
    )
    if results is None:
        return 1

    print("\n== summary")
    print_table(results)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    combined = {
        "measured_at": stamp,
        "targets": {"page_p95_ms": TARGET_PAGE_P95_MS},
        "runs": results,
    }
    path = installed_base.write_results(combined, prefix="stock", latest="stock-latest.json")
    print(f"\nresults written to {path}")
    problems = installed_base.verdict(results, target_ms=TARGET_PAGE_P95_MS)
    for problem in problems:
        print(f"MISSED: {problem}")
    if not problems:
        print(
            f"OK: every targeted p95 is under {TARGET_PAGE_P95_MS:.0f} ms and no query count "
            "grows with the page size"
        )
    return 1 if problems else 0


def print_table(results: list[dict]) -> None:
    for run in results:
        before, after = run["machine"]["loadavg_1min"]
        data = run["data"]
        print(
            f"{run['database']}: {run['engine']} {run['server_version']}, "
            f"{data['warehouses']} warehouses, {data['part_models']} part models, "
            f"{data['movements']:,} stock movements ({data['movements_per_warehouse_min']:,}–"
            f"{data['movements_per_warehouse_max']:,} per warehouse), "
            f"{data['reservations']:,} reservations; {run['machine']['cpus']} CPUs, "
            f"load average {before} -> {after} while measuring"
        )
    header = (
        f"{'database':<9} {'step (service function)':<44} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    )
    print(header)
    print("-" * len(header))
    for run in results:
        for row in run["steps"]:
            figures = " ".join(f"{row[key]:>7.1f}" for key in ("p50_ms", "p95_ms", "max_ms"))
            print(f"{run['database']:<9} {row['step']:<44} {figures}")
    print()
    installed_base.print_rows(results, target_ms=TARGET_PAGE_P95_MS)


# --------------------------------------------------------------------------------------------
# Child: seeding.
# --------------------------------------------------------------------------------------------


def seed_marker() -> str:
    """The bonded warehouse's address, which marks a finished seed of this version and size."""
    return f"stockbench v{SEED_VERSION}"


def is_seeded(args: argparse.Namespace) -> bool:
    from vcdesk.spares.models import Warehouse

    return Warehouse.objects.filter(address=f"{seed_marker()} × {args.movements}").exists()


class StockSeeder:
    """Stock movements, reservations and the stock levels they add up to, written with
    bulk_create. The levels are kept in step in memory, so no story takes stock that is not
    there: on hand and reserved never go below zero, reserved never above on hand, and a
    serial leaves only the warehouse that holds it."""

    def __init__(self, *, rng: random.Random, warehouses: list, part_models: list, now):
        self.rng, self.now = rng, now
        self.warehouses, self.part_models = warehouses, part_models
        self.levels: dict[tuple[int, int], list[int]] = {}  # (w, p) -> [on hand, reserved]
        self.serials: dict[tuple[int, int], list[str]] = {}  # in stock at (w, p)
        self.gone: dict[int, list[str]] = {}  # shipped out of every warehouse, by part
        self.serial_counter: dict[int, int] = {}
        self.counts: dict[int, int] = {w.pk: 0 for w in warehouses}
        self.movements: list = []
        self.reservations: list = []
        self.written = {"movements": 0, "reservations": 0}

    # -- bookkeeping --

    def _level(self, w, p) -> list[int]:
        return self.levels.setdefault((w.pk, p.pk), [0, 0])

    def _new_serials(self, p, n: int) -> list[str]:
        start = self.serial_counter.get(p.pk, 0)
        self.serial_counter[p.pk] = start + n
        return [f"{p.part_number[:6]}-{p.pk:03d}-{start + i + 1:07d}" for i in range(n)]

    def _move(self, w, p, kind: str, quantity: int, at, *, serial="", reservation=None, note=""):
        from vcdesk.spares.choices import MOVEMENT_EFFECT, MovementKind
        from vcdesk.spares.models import StockMovement

        on_hand, reserved = MOVEMENT_EFFECT[MovementKind(kind)]
        level = self._level(w, p)
        level[0] += on_hand * quantity
        level[1] += reserved * quantity
        assert 0 <= level[1] <= level[0], (w, p, kind, level)
        self.movements.append(
            StockMovement(
                warehouse=w,
                part_model=p,
                kind=kind,
                quantity=quantity,
                serial=serial,
                reservation=reservation,
                at=at,
                note=note,
            )
        )
        self.counts[w.pk] += 1

    def _units(self, w, p, quantity: int) -> list[tuple[int, str]]:
        """(quantity, serial) of the movements taking `quantity` out of (w, p)."""
        if not p.serialised:
            return [(quantity, "")]
        held = self.serials[(w.pk, p.pk)]
        taken = [held.pop(self.rng.randrange(len(held))) for _ in range(quantity)]
        return [(1, s) for s in taken]

    def _available(self, w, p) -> int:
        on_hand, reserved = self.levels.get((w.pk, p.pk), (0, 0))
        return on_hand - reserved

    def _stocked_part(self, w, *, at_least: int = 1):
        """A part model with `at_least` available at `w`, or None after a few tries."""
        for _ in range(8):
            p = self.rng.choice(self.part_models)
            if self._available(w, p) >= at_least:
                return p
        return None

    # -- stories --

    def receive(self, w, at) -> None:
        p = self.rng.choice(self.part_models)
        if p.serialised:
            serials = self._new_serials(p, self.rng.randint(1, 6))
            self.serials.setdefault((w.pk, p.pk), []).extend(serials)
            for serial in serials:
                self._move(w, p, "received", 1, at, serial=serial, note="采购入库")
        else:
            self._move(w, p, "received", self.rng.randint(2, 12), at, note="采购入库")

    def reserve(self, w, p, quantity: int, at, *, then: str | None):
        from vcdesk.spares.models import Reservation

        reservation = Reservation(warehouse=w, part_model=p, quantity=quantity, created_at=at)
        self.reservations.append(reservation)
        self._move(w, p, "reserved", quantity, at, reservation=reservation)
        later = at + timedelta(hours=self.rng.uniform(0.5, 20))
        if then == "shipped":
            reservation.shipped_at = later
            for qty, serial in self._units(w, p, quantity):
                if serial:
                    self.gone.setdefault(p.pk, []).append(serial)
                self._move(w, p, "shipped", qty, later, serial=serial, reservation=reservation)
        elif then == "released":
            reservation.released_at = later
            self._move(w, p, "released", quantity, later, reservation=reservation)

    def ship(self, w, at, *, leave_open: bool = False) -> None:
        quantity = 2 if self.rng.random() < 0.1 else 1
        p = self._stocked_part(w, at_least=quantity)
        if p is not None:
            self.reserve(w, p, quantity, at, then=None if leave_open else "shipped")

    def release(self, w, at) -> None:
        p = self._stocked_part(w)
        if p is not None:
            self.reserve(w, p, 1, at, then="released")

    def return_(self, w, at) -> None:
        p = self.rng.choice(self.part_models)
        if p.serialised:
            gone = self.gone.get(p.pk)
            if not gone:
                return
            serial = gone.pop(self.rng.randrange(len(gone)))
            self.serials.setdefault((w.pk, p.pk), []).append(serial)
            self._move(w, p, "returned", 1, at, serial=serial, note="维修后返还")
        else:
            self._move(w, p, "returned", self.rng.randint(1, 3), at, note="退库")

    def scrap(self, w, at) -> None:
        p = self._stocked_part(w)
        if p is not None:
            for qty, serial in self._units(w, p, 1):
                self._move(w, p, "scrapped", qty, at, serial=serial, note="损坏报废")

    def transfer(self, w, at) -> None:
        p = self._stocked_part(w, at_least=2)
        if p is None:
            return
        to = self.rng.choice([x for x in self.warehouses if x.pk != w.pk])
        for qty, serial in self._units(w, p, self.rng.randint(1, 2)):
            if serial:
                self.serials.setdefault((to.pk, p.pk), []).append(serial)
            self._move(w, p, "transferred_out", qty, at, serial=serial, note=f"调往{to.name}")
            self._move(to, p, "transferred_in", qty, at, serial=serial, note=f"自{w.name}调入")

    # -- the run --

    def run(self, per_warehouse: int) -> None:
        """Stories in time order until every warehouse has `per_warehouse` movements.
        Warehouses take turns at random; each starts with a first delivery of every part."""
        start = self.now - timedelta(days=HISTORY_DAYS)
        for w in self.warehouses:
            for p in self.part_models:
                if self.rng.random() < 0.85:  # not every warehouse keeps every part
                    self.receive_part(w, p, start)
        kinds, weights = zip(*STORIES.items(), strict=True)
        estimate = per_warehouse * len(self.warehouses) / 1.9  # movements per story
        step = timedelta(days=HISTORY_DAYS) / estimate
        at = start
        open_from = self.now - timedelta(days=HISTORY_DAYS * OPEN_TAIL)
        while True:
            todo = [w for w in self.warehouses if self.counts[w.pk] < per_warehouse]
            if not todo:
                break
            w = self.rng.choice(todo)
            at = min(at + step, self.now - timedelta(minutes=1))
            story = self.rng.choices(kinds, weights)[0]
            if story == "ship":
                self.ship(w, at, leave_open=at >= open_from and self.rng.random() < 0.3)
            elif story == "return":
                self.return_(w, at)
            else:
                getattr(self, story)(w, at)
            if len(self.movements) >= installed_base.BATCH_SIZE * 4:
                self.flush()
        self.flush()

    def receive_part(self, w, p, at) -> None:
        if p.serialised:
            serials = self._new_serials(p, self.rng.randint(2, 8))
            self.serials.setdefault((w.pk, p.pk), []).extend(serials)
            for serial in serials:
                self._move(w, p, "received", 1, at, serial=serial, note="期初库存")
        else:
            self._move(w, p, "received", self.rng.randint(10, 40), at, note="期初库存")

    def flush(self) -> None:
        """Write the reservations (they get their ids), then the movements that name them."""
        from vcdesk.spares.models import Reservation, StockMovement

        installed_base.bulk(Reservation, self.reservations)
        installed_base.bulk(StockMovement, self.movements)
        self.written["reservations"] += len(self.reservations)
        self.written["movements"] += len(self.movements)
        self.reservations, self.movements = [], []
        if sys.stdout.isatty():
            print(f"  {self.written['movements']:,} movements", end="\r", flush=True)

    def write_levels(self) -> None:
        from vcdesk.spares.models import StockLevel

        installed_base.bulk(
            StockLevel,
            [
                StockLevel(warehouse_id=w, part_model_id=p, on_hand=on_hand, reserved=reserved)
                for (w, p), (on_hand, reserved) in sorted(self.levels.items())
            ],
        )


def catalogue() -> list:
    """The part models, each serving the device models of its family, and the device models
    (bench/run.py's installed base)."""
    from vcdesk.assets.models import DeviceModel
    from vcdesk.spares.models import PartModel

    parts, serves = [], []
    for n, (vendor, model_name, kind, eop, _prefix, _weight) in enumerate(
        installed_base.VENDOR_MODELS
    ):
        device_model, _created = DeviceModel.objects.get_or_create(
            vendor=vendor, name=model_name, defaults={"kind": kind, "end_of_production": eop}
        )
        family = {"mcu": MCU_PARTS, "endpoint": ENDPOINT_PARTS}.get(kind, OTHER_PARTS)
        for k, (name, serialised, price, low) in enumerate(family):
            parts.append(
                PartModel(
                    vendor=vendor,
                    part_number=PART_NUMBERS[vendor](n * 20 + k + 1),
                    name=f"{model_name} {name}",
                    serialised=serialised,
                    market_price=Decimal(price),
                    low_stock_threshold=low,
                )
            )
            serves.append(device_model)
    installed_base.bulk(PartModel, parts)
    parts = list(PartModel.objects.order_by("id"))
    through = PartModel.device_models.through
    installed_base.bulk(
        through,
        [
            through(partmodel_id=p.pk, devicemodel_id=m.pk)
            for p, m in zip(parts, serves, strict=True)
        ],
    )
    return parts


def seed(args: argparse.Namespace) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from vcdesk.spares.choices import WarehouseKind
    from vcdesk.spares.models import Warehouse

    rng = random.Random(20260401)
    with transaction.atomic():
        warehouses = [
            Warehouse.objects.create(
                name=name,
                city=city,
                kind=WarehouseKind.BONDED if bonded else WarehouseKind.REGIONAL,
            )
            for name, city, bonded in WAREHOUSES
        ]
        parts = catalogue()
        seeder = StockSeeder(rng=rng, warehouses=warehouses, part_models=parts, now=timezone.now())
        seeder.run(args.movements)
        seeder.write_levels()
        # Done: the marker says so (a seed cut short is seeded again by the next run).
        Warehouse.objects.filter(pk=warehouses[-1].pk).update(
            address=f"{seed_marker()} × {args.movements}"
        )
    return seeder.written


def records_ensure(n: int, *, rng: random.Random) -> list:
    """`n` open service records (one per device at sites in SITE_CITIES), opened through
    the service; made once and requested spares again by every run (each run cancels them)."""
    from django.db.models import Q

    from vcdesk.assets.models import Device, DeviceModel
    from vcdesk.contracts.models import Contract
    from vcdesk.core.dates import add_years
    from vcdesk.customers.models import Organisation, Site
    from vcdesk.service.models import ServiceRecord
    from vcdesk.service.services import service_record_open

    duty, _keeper = bench_people()
    records = list(
        ServiceRecord.objects.filter(caller_name="基准报修人")
        .exclude(Q(status="closed") | Q(status="resolved"))
        .select_related("site", "device")
        .order_by("id")[:n]
    )
    if len(records) >= n:
        return records
    organisation, _ = Organisation.objects.get_or_create(
        name="基准备件客户单位", defaults={"short_name": "备件客户", "address": "北京市东城区"}
    )
    accepted = datetime.now(UTC).date() - timedelta(days=400)
    contract, _ = Contract.objects.get_or_create(
        number="STOCKBENCH-1",
        defaults={
            "organisation": organisation,
            "signed_on": accepted - timedelta(days=30),
            "accepted_on": accepted,
            "warranty_years": 3,
            "warranty_ends_on": add_years(accepted, 3),
        },
    )
    sites = [
        Site.objects.get_or_create(
            organisation=organisation,
            name=f"{city}会议室",
            defaults={"city": city, "travel_minutes": 60},
        )[0]
        for city in SITE_CITIES
    ]
    device_models = list(DeviceModel.objects.filter(part_models__isnull=False).distinct())
    for i in range(len(records), n):
        model = rng.choice(device_models)
        device = Device.objects.create(
            model=model,
            vendor=model.vendor,
            serial=f"STOCKBENCH{i:06d}",
            site=sites[i % len(sites)],
            organisation=organisation,
            contract=contract,
        )
        records.append(
            service_record_open(
                device=device,
                fault_class="hot_swap_part",
                description="模块告警，需更换备件",
                caller_name="基准报修人",
                caller_phone="13800000000",
                actor=duty,
            )
        )
    return records


def bench_people():
    """The duty officer who opens the records and the spares keeper who does the rest."""
    from vcdesk.accounts.choices import Role
    from vcdesk.accounts.models import User
    from vcdesk.accounts.services import user_create

    people = []
    for username, role in (
        (DUTY_USERNAME, Role.DUTY_OFFICER),
        (KEEPER_USERNAME, Role.SPARES_KEEPER),
    ):
        people.append(
            User.objects.filter(username=username).first()
            or user_create(
                username=username,
                password=installed_base.BENCH_PASSWORD,
                full_name=username,
                role=role,
            )
        )
    return people


def ensure_seeded(args: argparse.Namespace) -> dict:
    """Seed if needed, check the levels against the movements, (VACUUM) ANALYZE."""
    from vcdesk.spares.services import stock_levels_rebuild

    timings: dict = {"seed_seconds": None}
    if is_seeded(args) and not args.reseed:
        print(f"  already seeded: {args.movements:,} movements per warehouse", flush=True)
    else:
        installed_base.empty_bench_database()
        started = time.perf_counter()
        written = seed(args)
        timings["seed_seconds"] = round(time.perf_counter() - started, 1)
        print(
            f"  seeded {written['movements']:,} stock movements and "
            f"{written['reservations']:,} reservations in {timings['seed_seconds']:.1f} s",
            flush=True,
        )
    installed_base.vacuum_analyze()
    started = time.perf_counter()
    wrong = stock_levels_rebuild()
    timings["rebuild_seconds"] = round(time.perf_counter() - started, 1)
    print(
        f"  stock_levels_rebuild(): {wrong} levels differed from their movements "
        f"({timings['rebuild_seconds']:.1f} s)",
        flush=True,
    )
    if wrong:
        raise SystemExit("the seeded stock levels do not add up to their movements")
    return timings


def data_counts() -> dict:
    from django.db.models import Count

    from vcdesk.spares.models import PartModel, Reservation, StockMovement, Warehouse

    per_warehouse = list(
        StockMovement.objects.order_by()
        .values("warehouse_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    return {
        "warehouses": Warehouse.objects.count(),
        "part_models": PartModel.objects.count(),
        "movements": sum(per_warehouse),
        "movements_per_warehouse_min": min(per_warehouse),
        "movements_per_warehouse_max": max(per_warehouse),
        "reservations": Reservation.objects.count(),
    }


# --------------------------------------------------------------------------------------------
# Child: measuring.
# --------------------------------------------------------------------------------------------


def timed(step: str, calls: list, *, warmup: int = 5) -> tuple[dict, list]:
    """Call each of `calls` (the first `warmup` untimed); the row and the calls' results."""
    results, samples = [], []
    for i, call in enumerate(calls):
        started = time.perf_counter()
        results.append(call())
        if i >= warmup:
            samples.append((time.perf_counter() - started) * 1000)
    row = {
        "step": step,
        "calls": len(samples),
        "p50_ms": round(installed_base.percentile(samples, 50), 2),
        "p95_ms": round(installed_base.percentile(samples, 95), 2),
        "max_ms": round(max(samples), 2),
    }
    print(
        f"  {step:<44} p50 {row['p50_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f} ms  "
        f"({row['calls']} calls)",
        flush=True,
    )
    return row, results


def measure_steps(args: argparse.Namespace, records: list, keeper) -> tuple[list[dict], list]:
    """Reserve, release, request and (later) cancel through the services; the rows and the
    spare requests left open for the pages (the caller cancels them)."""
    from vcdesk.spares import services
    from vcdesk.spares.models import StockLevel

    rng = random.Random(11)
    n = args.reservations
    levels = list(
        StockLevel.objects.filter(on_hand__gte=5).select_related("warehouse", "part_model")
    )
    picks = [rng.choice(levels) for _ in range(n)]
    reserve_row, reservations = timed(
        "stock_reserve (one unit, given warehouse)",
        [
            lambda level=level: services.stock_reserve(
                warehouse=level.warehouse,
                part_model=level.part_model,
                quantity=1,
                actor=keeper,
                purpose="stockbench",
            )
            for level in picks
        ],
    )
    release_row, _ = timed(
        "stock_release",
        [lambda r=r: services.stock_release(r, actor=keeper) for r in reservations],
    )

    part_of = {}
    for level in levels:
        part_of.setdefault(level.part_model_id, level.part_model)
    serving: dict[int, list] = {}
    for part in part_of.values():
        for model_id in part.device_models.values_list("id", flat=True):
            serving.setdefault(model_id, []).append(part)
    request_row, spares = timed(
        "spare_request_create (nearest warehouse)",
        [
            lambda record=record: services.spare_request_create(
                service_record=record,
                part_model=rng.choice(serving[record.device.model_id]),
                actor=keeper,
            )
            for record in records
        ],
    )
    return [reserve_row, release_row, request_row], spares


def endpoints(rng: random.Random) -> list:
    from vcdesk.spares.models import PartModel, Warehouse

    Endpoint = installed_base.Endpoint
    warehouses = list(Warehouse.objects.values_list("id", flat=True))
    parts = list(PartModel.objects.values_list("id", flat=True))
    words = ["主控板", "摄像机", "电源", "线缆", "2215-", "0231", "麦克风"]
    return [
        Endpoint("Stock page /spares/", "keeper-page", lambda r: "/spares/", True),
        Endpoint(
            "Stock page, one warehouse",
            "keeper-page",
            lambda r: f"/spares/?warehouse={r.choice(warehouses)}",
            True,
        ),
        Endpoint("Stock page, low stock only", "keeper-page", lambda r: "/spares/?low=true", True),
        Endpoint(
            "Stock page, search", "keeper-page", lambda r: f"/spares/?q={r.choice(words)}", True
        ),
        Endpoint("Stock page, page 2", "keeper-page", lambda r: "/spares/?page=2", True),
        Endpoint(
            "API stock list, first page",
            "keeper-api",
            lambda r: "/api/v1/stock",
            True,
            lambda n: f"/api/v1/stock?limit={n}",
        ),
        Endpoint(
            "API stock list, one warehouse",
            "keeper-api",
            lambda r: f"/api/v1/stock?warehouse={r.choice(warehouses)}",
            True,
            lambda n: f"/api/v1/stock?warehouse={warehouses[0]}&limit={n}",
        ),
        Endpoint(
            "API stock list, low",
            "keeper-api",
            lambda r: "/api/v1/stock?low=true",
            True,
            lambda n: f"/api/v1/stock?low=true&limit={n}",
        ),
        Endpoint(
            "API movements, newest first",
            "keeper-api",
            lambda r: "/api/v1/stock/movements",
            False,
            lambda n: f"/api/v1/stock/movements?limit={n}",
        ),
        Endpoint(
            "API movements, one warehouse and part",
            "keeper-api",
            lambda r: (
                "/api/v1/stock/movements"
                f"?warehouse={r.choice(warehouses)}&part_model={r.choice(parts)}"
            ),
            False,
        ),
        Endpoint(
            "Spare requests page (open ones)", "keeper-page", lambda r: "/spares/requests/", False
        ),
    ]


def measure(args: argparse.Namespace) -> tuple[list[dict], list[dict]]:
    from django.test import Client
    from django.utils import timezone

    from vcdesk.accounts.models import ApiToken
    from vcdesk.spares import services
    from vcdesk.spares.models import SpareRequest

    _duty, keeper = bench_people()
    records = records_ensure(args.reservations, rng=random.Random(5))
    left = SpareRequest.objects.filter(
        service_record__in=records, shipped_at__isnull=True, cancelled_at__isnull=True
    )
    for spare in left:  # from a run cut short: its records could not request again
        services.spare_request_cancel(spare, reason="基准：上次未完成", actor=keeper)
    steps, spares = measure_steps(args, records, keeper)

    ApiToken.objects.filter(user=keeper).delete()
    raw, key_hash = ApiToken.new_raw()
    ApiToken.objects.create(
        user=keeper, key_hash=key_hash, expires_at=timezone.now() + timedelta(days=1)
    )
    clients = {"keeper-page": Client(), "keeper-api": Client(HTTP_AUTHORIZATION=f"Bearer {raw}")}
    clients["keeper-page"].force_login(keeper)
    rng = random.Random(7)
    chosen = endpoints(rng)
    if args.only:
        chosen = [e for e in chosen if args.only.lower() in e.name.lower()]
    rows = [
        installed_base.measure_endpoint(e, clients[e.client], rng=rng, args=args) for e in chosen
    ]

    cancel_row, _ = timed(
        "spare_request_cancel",
        [
            lambda spare=spare: services.spare_request_cancel(
                spare, reason="基准：不再需要", actor=keeper
            )
            for spare in spares
        ],
    )
    steps.append(cancel_row)
    return steps, rows


def run_child(args: argparse.Namespace) -> int:
    installed_base.setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    timings = ensure_seeded(args)
    load_before = os.getloadavg()
    steps, rows = measure(args)
    load_after = os.getloadavg()
    engine, version, measured_at, machine = installed_base.run_environment(load_before, load_after)
    result = {
        "database": args.db,
        "engine": engine,
        "server_version": version,
        "data": data_counts(),
        **timings,
        "measured_at": measured_at,
        "machine": machine,
        "steps": steps,
        "rows": rows,
    }
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--movements", type=int, default=MOVEMENTS, help="per warehouse")
    parser.add_argument("--reseed", action="store_true", help="empty and seed again")
    parser.add_argument(
        "--reservations", type=int, default=300, help="timed calls of each service step"
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per endpoint")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN each slowest query")
    parser.add_argument("--only", help="measure only the endpoints whose name contains this")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_child(args)
    return run_parent(args)


if __name__ == "__main__":
    sys.exit(main())
