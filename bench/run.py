"""Latency of the device list API and the device detail page on SQLite and on PostgreSQL.

    .venv/bin/python bench/run.py [--db sqlite|postgres|both] [--devices 200000] [--sites 2000]
                                  [--reseed] [--requests 200] [--warmup 20]
                                  [--only TEXT] [--explain]

Each database is measured in a subprocess of this script with DATABASE_URL set, so that the
project's own settings (connection options, WAL, CONN_MAX_AGE, ...) apply unchanged:

- SQLite: var/bench.sqlite3
- PostgreSQL: database `vcdesk_bench` (created if missing) on $BENCH_POSTGRES_URL, default
  postgres://postgres@127.0.0.1:5432/vcdesk_bench

The child migrates, seeds the installed base if the device and site counts are not already
there (or on --reseed), runs (VACUUM) ANALYZE, then sends requests through django.test.Client
in-process and prints p50/p95 latency and the number of SQL queries per request. The parent
prints one table for every database and writes it as JSON to bench/results/.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
SQLITE_PATH = ROOT / "var" / "bench.sqlite3"
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/vcdesk_bench"
)
TARGET_P95_MS = 50.0
DEVICES = 200_000  # the installed base's default size
SITES = 2_000
BATCH_SIZE = 5_000
SEED_VERSION = 3  # bump when seed() changes: the next run then seeds again
LARGE_SHARE = 0.10  # of the devices, held by the first (large) organisation
SMALL_DEVICES = 12  # devices of the last (small, newest) organisation
BENCH_PASSWORD = "Vc-desk-bench-2026"
STAFF_USERNAME = "bench-manager"
CONTACT_USERNAME = "bench-contact"
SMALL_CONTACT_USERNAME = "bench-contact-small"


# --------------------------------------------------------------------------------------------
# Parent: one subprocess per database, then the combined table.
# --------------------------------------------------------------------------------------------


def database_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{SQLITE_PATH}"
    return POSTGRES_URL


def ensure_postgres_database(url: str) -> None:
    """CREATE DATABASE for the bench if the server does not have it yet."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"creating PostgreSQL database {name}", flush=True)
            conn.execute(f'CREATE DATABASE "{name}"')


def run_children(
    *,
    script: Path,
    databases: list[str],
    url_of: Callable[[str], str],
    child_args: list[str],
    out_prefix: str = "",
) -> list[dict] | None:
    """Run `script --child --db DB <child_args> --out bench/results/<out_prefix>DB.json` once
    per database with DATABASE_URL set; the results the children wrote, or None when one
    failed."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    results = []
    for db in databases:
        url = url_of(db)
        if db == "postgres":
            try:
                ensure_postgres_database(url)
            except Exception as exc:  # psycopg.OperationalError and friends
                print(f"PostgreSQL at {url} is not reachable: {exc}", file=sys.stderr)
                return None
        out = RESULTS_DIR / f"{out_prefix}{db}.json"
        out.unlink(missing_ok=True)
        env = {**os.environ, "DATABASE_URL": url}
        command = [sys.executable, str(script), "--child", "--db", db, *child_args]
        command += ["--out", str(out)]
        print(f"\n== {db} ({url})", flush=True)
        completed = subprocess.run(command, env=env, cwd=ROOT)
        if completed.returncode != 0 or not out.exists():
            print(f"the {db} run failed (exit {completed.returncode})", file=sys.stderr)
            return None
        results.append(json.loads(out.read_text()))
    return results


def write_results(combined: dict, *, prefix: str, latest: str) -> Path:
    """Write `combined` to bench/results/<prefix>-<its UTC time>.json and to `latest`."""
    path = RESULTS_DIR / f"{prefix}-{combined['measured_at']}.json"
    for target in (path, RESULTS_DIR / latest):
        target.write_text(json.dumps(combined, indent=2, ensure_ascii=False))
    return path


def run_parent(args: argparse.Namespace) -> int:
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    child_args = [
        "--devices",
        str(args.devices),
        "--sites",
        str(args.sites),
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
    ]
    if args.reseed:
        child_args.append("--reseed")
    if args.explain:
        child_args.append("--explain")
    if args.only:
        child_args += ["--only", args.only]
    results = run_children(
        script=Path(__file__).resolve(),
        databases=databases,
        url_of=database_url,
        child_args=child_args,
    )
    if results is None:
        return 1

    print("\n== summary")
    print_table(results)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    combined = {"measured_at": stamp, "target_p95_ms": TARGET_P95_MS, "runs": results}
    path = write_results(combined, prefix="bench", latest="latest.json")
    print(f"\nresults written to {path}")
    problems = verdict(results)
    for problem in problems:
        print(f"MISSED: {problem}")
    if not problems:
        print(f"OK: every targeted p95 is under {TARGET_P95_MS:.0f} ms and no query count grows")
    return 1 if problems else 0


def print_table(results: list[dict]) -> None:
    for run in results:
        before, after = run["machine"]["loadavg_1min"]
        print(
            f"{run['database']}: {run['engine']} {run['server_version']}, {run['devices']:,} "
            f"devices, {run['sites']:,} sites; {run['machine']['cpus']} CPUs, load average "
            f"{before} -> {after} while measuring"
        )
    print_rows(results, target_ms=TARGET_P95_MS)


def print_rows(results: list[dict], *, target_ms: float) -> None:
    """The endpoints of every run as one table; `target_ms` is the p95 target."""
    header = (
        f"{'database':<9} {'endpoint':<38} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
        f"{'sql ms':>7} {'queries':>7} {'q@5':>4} {'q@100':>5}  target"
    )
    print(header)
    print("-" * len(header))
    for run in results:
        for row in run["rows"]:
            if row["target"]:
                mark = "ok" if row["p95_ms"] < target_ms else "MISSED"
            else:
                mark = "(info)"
            q5 = "" if row["queries_limit5"] is None else str(row["queries_limit5"])
            q100 = "" if row["queries_limit100"] is None else str(row["queries_limit100"])
            figures = " ".join(
                f"{row[key]:>7.1f}" for key in ("p50_ms", "p95_ms", "max_ms", "sql_ms")
            )
            print(
                f"{run['database']:<9} {row['endpoint']:<38} {figures} {row['queries']:>7} "
                f"{q5:>4} {q100:>5}  {mark}"
            )


def verdict(results: list[dict], *, target_ms: float = TARGET_P95_MS) -> list[str]:
    problems = []
    for run in results:
        for row in run["rows"]:
            where = f"{run['database']} · {row['endpoint']}"
            if row["target"] and row["p95_ms"] >= target_ms:
                problems.append(f"{where}: p95 {row['p95_ms']:.1f} ms >= {target_ms:.0f} ms")
            if (
                row["queries_limit5"] is not None
                and row["queries_limit5"] != row["queries_limit100"]
            ):
                problems.append(
                    f"{where}: {row['queries_limit5']} queries at limit=5 but "
                    f"{row['queries_limit100']} at limit=100"
                )
    return problems


# --------------------------------------------------------------------------------------------
# Child: one database, in-process.
# --------------------------------------------------------------------------------------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcdesk.settings")
    # django.test.Client sends Host: testserver.
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    # Measure as deployed: DEBUG off (it would also record every query and slow things down).
    os.environ["VCDESK_DEBUG"] = "false"
    import django

    django.setup()


VENDOR_MODELS = [
    # (vendor, model, kind, end of production, serial prefix, weight)
    ("Polycom", "RMX 2000", "mcu", date(2017, 6, 30), "RMX", 1),
    ("Polycom", "RealPresence Group 500", "endpoint", date(2021, 12, 31), "PG5", 6),
    ("Polycom", "HDX 8000", "endpoint", date(2014, 3, 31), "HDX", 3),
    ("Huawei", "TE40", "endpoint", None, "TE4", 8),
    ("Huawei", "TE60", "endpoint", None, "TE6", 6),
    ("Huawei", "VP9660", "mcu", None, "VP9", 1),
    ("Cisco", "TelePresence SX20", "endpoint", date(2019, 8, 31), "SX2", 4),
    ("Cisco", "Webex Room Kit", "endpoint", None, "RKT", 5),
    ("ZTE", "ZXV10 M900", "mcu", None, "M90", 1),
    ("ZTE", "ZXV10 ET301", "endpoint", None, "E30", 4),
    ("Kedacom", "H600", "endpoint", None, "H60", 3),
    ("Yealink", "Camera UVC80", "other", None, "UVC", 2),
]
FIRMWARE = ["6.2.2", "6.4.0", "V600R019C00", "V600R020C10", "CE9.15", "ZXV10 6.20", "1.2.3"]
CITIES = ["北京", "上海", "广州", "深圳", "成都", "武汉", "西安", "南京", "杭州", "沈阳"]


def bulk(model, objects: list) -> None:
    model.objects.bulk_create(objects, batch_size=BATCH_SIZE)


def seed(*, n_devices: int, n_sites: int, rng: random.Random) -> None:
    """The installed base, straight into the tables with bulk_create.

    Sizes are skewed like a real customer base: the first organisation is a large customer
    with LARGE_SHARE of the devices, the others shrink by rank (1/rank^0.6), and the last one is
    a small customer that came last: SMALL_DEVICES devices with the highest ids. The large one
    is the worst case for "read the organisation's devices, then sort"; the small one for "walk
    the id index until a page of the organisation's devices is found".

    Every tenth device has a firmware history (FirmwareChange rows). No
    django-simple-history "created" rows are written (bulk_create sends no post_save), so
    the detail page's change history is empty; it costs one indexed query either way, and the
    benchmark is about the device tables, not about the history tables.
    """
    from django.db import transaction
    from django.utils import timezone

    from vcdesk.accounts.models import User
    from vcdesk.assets.models import Device, DeviceModel, FirmwareChange
    from vcdesk.contracts.models import Contract
    from vcdesk.core.dates import add_years
    from vcdesk.customers.choices import Industry
    from vcdesk.customers.models import Organisation, Site

    n_orgs = max(3, n_sites // 10)
    today = date.today()
    industries = [choice.value for choice in Industry]
    with transaction.atomic():
        bulk(
            DeviceModel,
            [
                DeviceModel(vendor=vendor, name=name, kind=kind, end_of_production=eop)
                for vendor, name, kind, eop, _prefix, _weight in VENDOR_MODELS
            ],
        )
        models = {(m.vendor, m.name): m for m in DeviceModel.objects.all()}
        catalogue = [
            (models[(vendor, name)], prefix)
            for vendor, name, _kind, _eop, prefix, _weight in VENDOR_MODELS
        ]
        model_weights = [weight for *_rest, weight in VENDOR_MODELS]

        bulk(
            Organisation,
            [
                Organisation(
                    name=f"基准客户单位{i:04d}",
                    short_name=f"客户{i:04d}",
                    industry=industries[i % len(industries)],
                    address="北京市东城区",
                )
                for i in range(n_orgs)
            ],
        )
        org_ids = list(Organisation.objects.order_by("id").values_list("id", flat=True))

        bulk(
            Site,
            [
                Site(
                    organisation_id=org_ids[i % n_orgs],
                    name=f"{i // n_orgs + 1}号会议室",
                    city=CITIES[i % len(CITIES)],
                    travel_minutes=rng.choice([15, 30, 45, 60, 90, 120, 240]),
                )
                for i in range(n_sites)
            ],
        )
        sites_of: dict[int, list[int]] = {}
        for site_id, org_id in Site.objects.order_by("id").values_list("id", "organisation_id"):
            sites_of.setdefault(org_id, []).append(site_id)

        # Two contracts per organisation, accepted over the last eight years with a three- or
        # five-year warranty: roughly half the devices are out of warranty today. The large
        # customer has one contract in and one out of warranty; the small one is new.
        contracts = []
        for i, org_id in enumerate(org_ids):
            for k in range(2):
                if i == 0:
                    accepted, years = today - timedelta(days=(400, 2400)[k]), 3
                elif i == n_orgs - 1:
                    accepted, years = today - timedelta(days=30 + k), 3
                else:
                    accepted = today - timedelta(days=rng.randint(0, 8 * 365))
                    years = rng.choice([3, 3, 5])
                contracts.append(
                    Contract(
                        number=f"BENCH-{SEED_VERSION}-{i:04d}-{k}",
                        organisation_id=org_id,
                        signed_on=accepted - timedelta(days=rng.randint(10, 90)),
                        accepted_on=accepted,
                        warranty_years=years,
                        # bulk_create skips Contract.save(), which derives this field.
                        warranty_ends_on=add_years(accepted, years),
                    )
                )
        bulk(Contract, contracts)
        contracts_of: dict[int, list[tuple[int, date]]] = {}
        for contract_id, org_id, accepted in Contract.objects.order_by("id").values_list(
            "id", "organisation_id", "accepted_on"
        ):
            contracts_of.setdefault(org_id, []).append((contract_id, accepted))

        regular = org_ids[1:-1]
        rank_weights = [1 / (rank + 1) ** 0.6 for rank in range(len(regular))]
        org_weights = [LARGE_SHARE] + [
            (1 - LARGE_SHARE) * w / sum(rank_weights) for w in rank_weights
        ]
        org_choices = org_ids[:-1]

        # Devices arrive in installation batches (1-40 units at one site under one contract),
        # so a site's devices are near each other in id order and every organisation but the
        # small new one is spread over the whole id range, as with a real import history.
        created = 0
        batch: list[Device] = []

        def install(org_id: int, count: int) -> None:
            nonlocal created, batch
            site_id = rng.choice(sites_of[org_id])
            contract_id, accepted = rng.choice(contracts_of[org_id])
            for _ in range(count):
                model, prefix = rng.choices(catalogue, model_weights)[0]
                batch.append(
                    Device(
                        model=model,
                        vendor=model.vendor,
                        serial=f"{prefix}{created + 1:09d}",
                        site_id=site_id,
                        organisation_id=org_id,
                        contract_id=contract_id,
                        firmware_version=rng.choice(FIRMWARE),
                        installed_on=accepted - timedelta(days=rng.randint(0, 30)),
                        status="retired" if rng.random() < 0.05 else "active",
                    )
                )
                created += 1
            if len(batch) >= BATCH_SIZE:
                bulk(Device, batch)
                batch = []
                if sys.stdout.isatty():
                    print(f"  {created:,} devices", end="\r", flush=True)

        small = min(SMALL_DEVICES, n_devices)
        while created < n_devices - small:
            org_id = rng.choices(org_choices, org_weights)[0]
            install(org_id, min(rng.randint(1, 40), n_devices - small - created))
        install(org_ids[-1], n_devices - created)
        bulk(Device, batch)

        # Firmware history for every tenth device, 1-25 changes (the page shows 20).
        engineer = User.objects.create(username="bench-engineer", full_name="基准现场工程师")
        now = timezone.now()
        changes: list[FirmwareChange] = []
        for device_id in Device.objects.values_list("id", flat=True)[::10]:
            for n in range(rng.randint(1, 25)):
                changes.append(
                    FirmwareChange(
                        device_id=device_id,
                        from_version=FIRMWARE[n % len(FIRMWARE)],
                        to_version=FIRMWARE[(n + 1) % len(FIRMWARE)],
                        changed_at=now - timedelta(days=30 * (25 - n)),
                        changed_by=engineer if n % 2 else None,
                        note="升级" if n % 3 else "",
                    )
                )
            if len(changes) >= BATCH_SIZE:
                bulk(FirmwareChange, changes)
                changes = []
        bulk(FirmwareChange, changes)


def is_seeded(*, n_devices: int, n_sites: int) -> bool:
    """Whether the database holds this installed base, seeded by this SEED_VERSION."""
    from vcdesk.assets.models import Device
    from vcdesk.contracts.models import Contract
    from vcdesk.customers.models import Site

    return (
        Device.objects.count() == n_devices
        and Site.objects.count() == n_sites
        and Contract.objects.filter(number=f"BENCH-{SEED_VERSION}-0000-0").exists()
    )


def ensure_seeded(*, n_devices: int, n_sites: int, reseed: bool) -> float | None:
    if is_seeded(n_devices=n_devices, n_sites=n_sites) and not reseed:
        print(f"  already seeded: {n_devices:,} devices at {n_sites:,} sites", flush=True)
        seconds = None
    else:
        empty_bench_database()
        started = time.perf_counter()
        seed(n_devices=n_devices, n_sites=n_sites, rng=random.Random(20260101))
        seconds = time.perf_counter() - started
        print(f"  seeded {n_devices:,} devices in {seconds:.1f} s", flush=True)
    vacuum_analyze()
    return seconds


def empty_bench_database() -> None:
    """Empty the whole database (flush); only ever a database whose name says `bench`."""
    from django.core.management import call_command
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if "bench" not in Path(name).name:
        raise SystemExit(f"refusing to empty {name!r}: its name does not contain 'bench'")
    print("  emptying the bench database (flush)", flush=True)
    call_command("flush", interactive=False, verbosity=0)


def vacuum_analyze() -> None:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VACUUM as well: autovacuum does it on its own after this many inserts (PostgreSQL
            # 13+), and measuring while it runs, or before the visibility map is set (no
            # index-only scans), would not show the steady state.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    print(f"  (VACUUM) ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)


def bench_users() -> tuple[dict, dict]:
    """A service manager (staff), a customer contact of the large organisation and one of the
    small organisation; each gets a fresh API token (the previous bench tokens are deleted)."""
    from django.utils import timezone

    from vcdesk.accounts.choices import Role
    from vcdesk.accounts.models import ApiToken, User
    from vcdesk.accounts.services import user_create
    from vcdesk.customers.models import Organisation

    organisations = Organisation.objects.order_by("id")
    wanted = {
        "staff": (STAFF_USERNAME, Role.SERVICE_MANAGER, None),
        "contact": (CONTACT_USERNAME, Role.CUSTOMER_CONTACT, organisations.first()),
        "small": (SMALL_CONTACT_USERNAME, Role.CUSTOMER_CONTACT, organisations.last()),
    }
    users, tokens = {}, {}
    for key, (username, role, organisation) in wanted.items():
        users[key] = User.objects.filter(username=username).first() or user_create(
            username=username,
            password=BENCH_PASSWORD,
            full_name=username,
            role=role,
            organisation=organisation,
        )
    ApiToken.objects.filter(user__in=users.values()).delete()
    for key, user in users.items():
        raw, key_hash = ApiToken.new_raw()
        ApiToken.objects.create(
            user=user, key_hash=key_hash, expires_at=timezone.now() + timedelta(days=1)
        )
        tokens[key] = raw
    return users, tokens


@dataclass
class Endpoint:
    name: str
    client: str  # key into the clients dict
    url: Callable[[random.Random], str]
    target: bool  # counts against the 50 ms p95 target
    # The URL at a given limit, to compare the query counts at limit=5 and limit=100.
    limit_url: Callable[[int], str] | None = None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


class QueryTimer:
    """connection.execute_wrapper that records (ms, sql, params) of every query."""

    def __init__(self):
        self.queries: list[tuple[float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - started) * 1000, sql, params))


def explain(sql: str, params) -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        prefix = "EXPLAIN (ANALYZE, BUFFERS) "
    else:
        prefix = "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    return "\n".join("      " + " | ".join(str(col) for col in row) for row in rows)


def measure(args: argparse.Namespace) -> list[dict]:
    from django.test import Client

    from vcdesk.assets.models import Device
    from vcdesk.customers.models import Organisation

    users, tokens = bench_users()
    clients = {
        "staff-api": Client(HTTP_AUTHORIZATION=f"Bearer {tokens['staff']}"),
        "contact-api": Client(HTTP_AUTHORIZATION=f"Bearer {tokens['contact']}"),
        "small-api": Client(HTTP_AUTHORIZATION=f"Bearer {tokens['small']}"),
        "staff-page": Client(),
        "contact-page": Client(),
    }
    clients["staff-page"].force_login(users["staff"])
    clients["contact-page"].force_login(users["contact"])

    rng = random.Random(7)
    org_ids = list(Organisation.objects.values_list("id", flat=True))
    low = Device.objects.order_by("id").values_list("id", flat=True)[0]
    high = Device.objects.order_by("-id").values_list("id", flat=True)[0]
    sample = rng.sample(range(low, high + 1), min(1_000, high - low + 1))
    serials = list(Device.objects.filter(id__in=sample).values_list("serial", flat=True))
    large_org = users["contact"].organisation_id
    own_ids = list(
        Device.objects.filter(site__organisation_id=large_org).values_list("id", flat=True)
    )
    deep = max(0, min(args.devices // 2, args.devices - 100))
    filtered = "kind=endpoint&in_warranty=true"

    endpoints = [
        Endpoint(
            "API list, first page",
            "staff-api",
            lambda r: "/api/v1/devices",
            True,
            lambda n: f"/api/v1/devices?limit={n}",
        ),
        Endpoint(
            "API list, filtered page",
            "staff-api",
            lambda r: f"/api/v1/devices?organisation={r.choice(org_ids)}&{filtered}",
            True,
            lambda n: f"/api/v1/devices?organisation={large_org}&{filtered}&limit={n}",
        ),
        Endpoint(
            "API list, by serial",
            "staff-api",
            lambda r: f"/api/v1/devices?serial={r.choice(serials)}",
            True,
        ),
        Endpoint(
            f"API list, offset ~{deep:,}",
            "staff-api",
            lambda r: f"/api/v1/devices?offset={deep + r.randint(0, 50)}",
            False,
        ),
        Endpoint(
            "API list, large customer",
            "contact-api",
            lambda r: "/api/v1/devices",
            True,
            lambda n: f"/api/v1/devices?limit={n}",
        ),
        Endpoint(
            "API list, large customer, filtered",
            "contact-api",
            lambda r: f"/api/v1/devices?{filtered}",
            True,
            lambda n: f"/api/v1/devices?{filtered}&limit={n}",
        ),
        Endpoint(
            "API list, small customer",
            "small-api",
            lambda r: "/api/v1/devices",
            True,
            lambda n: f"/api/v1/devices?limit={n}",
        ),
        Endpoint(
            "API read one device",
            "staff-api",
            lambda r: f"/api/v1/devices/{r.randint(low, high)}",
            True,
        ),
        Endpoint(
            "Detail page /devices/<id>/",
            "staff-page",
            lambda r: f"/devices/{r.randint(low, high)}/",
            True,
        ),
        Endpoint(
            "Detail page, customer contact",
            "contact-page",
            lambda r: f"/devices/{r.choice(own_ids)}/",
            True,
        ),
        Endpoint("List page /devices/", "staff-page", lambda r: "/devices/", False),
    ]

    if args.only:
        endpoints = [e for e in endpoints if args.only.lower() in e.name.lower()]
    return [measure_endpoint(e, clients[e.client], rng=rng, args=args) for e in endpoints]


def measure_endpoint(
    endpoint: Endpoint, client, *, rng: random.Random, args: argparse.Namespace
) -> dict:
    """`args.warmup` untimed and `args.requests` timed GETs of `endpoint` through `client`,
    then 20 with their queries counted and timed, and the query counts at limit=5 and 100.
    Prints and returns the row; with `args.explain`, also the slowest query's plan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get(url: str):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{endpoint.name}: GET {url} answered {response.status_code}")
        return response

    for _ in range(args.warmup):
        get(endpoint.url(rng))
    samples = []
    for _ in range(args.requests):
        url = endpoint.url(rng)
        started = time.perf_counter()
        get(url)
        samples.append((time.perf_counter() - started) * 1000)

    # Queries: counted and timed on separate requests, since that costs time too.
    counts, sql_totals, timed = [], [], []
    for _ in range(20):
        timer = QueryTimer()
        with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timer):
            get(endpoint.url(rng))
        counts.append(len(ctx.captured_queries))
        sql_totals.append(sum(ms for ms, _sql, _params in timer.queries))
        timed.extend(timer.queries)
    query_counts = sorted(set(counts))
    sql_ms = statistics.median(sql_totals)
    slowest = max(timed, key=lambda q: q[0], default=None)

    at = {}
    if endpoint.limit_url is not None:
        for limit in (5, 100):
            with CaptureQueriesContext(connection) as ctx:
                response = get(endpoint.limit_url(limit))
            if len(response.json()["items"]) > limit:
                raise SystemExit(f"{endpoint.name}: more than {limit} items at limit={limit}")
            at[limit] = len(ctx.captured_queries)

    row = {
        "endpoint": endpoint.name,
        "example": endpoint.url(rng),
        "as": endpoint.client,
        "target": endpoint.target,
        "requests": len(samples),
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "max_ms": round(max(samples), 2),
        "sql_ms": round(sql_ms, 2),
        "queries": query_counts[-1],
        "queries_seen": query_counts,
        "queries_limit5": at.get(5),
        "queries_limit100": at.get(100),
        "slowest_query_ms": round(slowest[0], 2) if slowest else None,
        "slowest_query": slowest[1] if slowest else None,
    }
    print(
        f"  {endpoint.name:<38} p50 {row['p50_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f} ms  "
        f"sql {row['sql_ms']:5.1f} ms  queries {row['queries']}"
        + (f" (limit 5: {at[5]}, limit 100: {at[100]})" if at else ""),
        flush=True,
    )
    if args.explain and slowest:
        short = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", slowest[1], flags=re.DOTALL)
        print(f"    slowest query ({slowest[0]:.1f} ms): {short}  {slowest[2]}")
        print(explain(slowest[1], slowest[2]))
    return row


def run_child(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    seed_seconds = ensure_seeded(n_devices=args.devices, n_sites=args.sites, reseed=args.reseed)
    load_before = os.getloadavg()
    rows = measure(args)
    load_after = os.getloadavg()

    engine, version, measured_at, machine = run_environment(load_before, load_after)
    result = {
        "database": args.db,
        "engine": engine,
        "server_version": version,
        "devices": args.devices,
        "sites": args.sites,
        "seed_seconds": None if seed_seconds is None else round(seed_seconds, 1),
        "measured_at": measured_at,
        "machine": machine,
        "rows": rows,
    }
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def run_environment(load_before: tuple, load_after: tuple) -> tuple[str, str, str, dict]:
    """(engine, server version, time measured, machine) for a child's result."""
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        server_version = cursor.fetchone()[0]
    machine = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        # 1-minute load average before and after measuring: other work on the machine
        # shows up in the figures.
        "loadavg_1min": [round(load_before[0], 2), round(load_after[0], 2)],
    }
    measured_at = datetime.now(UTC).isoformat(timespec="seconds")
    return connection.vendor, server_version, measured_at, machine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--devices", type=int, default=DEVICES)
    parser.add_argument("--sites", type=int, default=SITES)
    parser.add_argument("--reseed", action="store_true", help="empty and seed again")
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
