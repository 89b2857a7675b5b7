"""Load the demo installed base once; `--logins` prints the demo logins.

`make run` calls this on every start: the first run loads the data (through the domain
services, so history rows exist), later runs see the marker organisation and do nothing.
"""

import random
import secrets
import string
import time
import unicodedata
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vcdesk.accounts.choices import Role
from vcdesk.accounts.models import User
from vcdesk.accounts.services import user_create
from vcdesk.assets.choices import DeviceKind, DeviceStatus
from vcdesk.assets.models import Device, DeviceModel, FirmwareChange
from vcdesk.assets.services import device_create, device_model_create, device_update
from vcdesk.contracts.models import Contract
from vcdesk.contracts.services import contract_create
from vcdesk.customers.models import Contact, Organisation, Site
from vcdesk.customers.services import contact_create, organisation_create, site_create
from vcdesk.demo import data
from vcdesk.demo.assurance_data import load_assurance
from vcdesk.demo.inspection_data import load_inspections
from vcdesk.demo.rma_data import load_rmas
from vcdesk.demo.service_data import load_service_records
from vcdesk.demo.spares_data import load_spares
from vcdesk.demo.voice_data import load_voice


def demo_loaded() -> bool:
    return Organisation.objects.filter(name=data.MARKER_ORGANISATION).exists()


class Command(BaseCommand):
    help = "Load the demo data once (a later run does nothing); --logins prints the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins",
            action="store_true",
            help="Print the demo logins (role and username), one per line, and load nothing.",
        )

    def handle(self, *args, logins: bool = False, **options):
        if logins:
            self.print_logins()
            return
        if demo_loaded():
            self.stdout.write(
                f"Demo data already loaded ({data.MARKER_ORGANISATION} exists); nothing to do."
            )
            return
        started = time.monotonic()
        try:
            with transaction.atomic():
                # Again inside the transaction (SQLite takes the write lock at BEGIN; on
                # PostgreSQL a concurrent second load fails on the unique organisation name).
                if demo_loaded():
                    self.stdout.write("Demo data already loaded; nothing to do.")
                    return
                counts = DemoLoader(today=timezone.localdate()).load()
        except ValidationError as exc:
            raise CommandError(f"Demo data not loaded: {exc}") from exc
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Loaded demo data: {summary} ({time.monotonic() - started:.1f} s).")
        )

    def print_logins(self) -> None:
        users = {
            u.username: u
            for u in User.objects.filter(
                username__in=[spec["username"] for spec in data.USERS]
            ).select_related("organisation")
        }
        if not users:
            self.stdout.write("    (no demo logins: run `python manage.py seed_demo` first)")
            return
        lines = []
        for spec in data.USERS:
            user = users.get(spec["username"])
            if user is None:
                continue
            label = str(_("Superuser")) if user.is_superuser else str(Role(spec["role"]).label)
            if user.organisation is not None:
                label = f"{label} ({user.organisation})"
            lines.append((label, user.username, user.full_name))
        width = max(_width(label) for label, _u, _n in lines)
        for label, username, full_name in lines:
            padding = " " * (width - _width(label))
            self.stdout.write(f"    {label}{padding}  {username.ljust(8)}  {full_name}".rstrip())


class DemoLoader:
    """Builds the demo data from vcdesk.demo.data with a fixed random seed."""

    def __init__(self, *, today: date):
        self.today = today
        self.rng = random.Random(data.RANDOM_SEED)
        self.serials: set[tuple[str, str]] = set()
        self.existing: set[int] = set()  # users that were there before the demo

    def load(self) -> dict[str, int]:
        users = self.create_staff()
        actor = users["manager"]
        orgs = self.create_organisations(actor)
        contacts = self.create_contacts(actor, orgs)
        models = self.create_device_models(actor)
        contracts = self.create_contracts(actor, orgs)
        sites = self.create_sites(actor, orgs)
        devices = self.create_devices(actor, sites, contracts, models)
        self.retire_some(actor, devices, contracts)
        users.update(self.create_customer_users(actor, orgs, contacts))
        records = load_service_records(users=users, now=timezone.now(), seed=data.RANDOM_SEED)
        load_spares(users=users)
        load_rmas(users=users, now=timezone.now())
        load_assurance(users=users, now=timezone.now())
        load_inspections(users=users, now=timezone.now())
        load_voice(users=users, now=timezone.now())
        return {
            "organisations": len(orgs),
            "sites": len(sites),
            "contacts": sum(len(c) for c in contacts.values()),
            "contracts": len(contracts),
            "device models": len(models),
            "devices": len(devices),
            "users": len(users),
            "service records": records,
        }

    # People ---------------------------------------------------------------------------

    def _user(self, *, username, full_name, role, organisation=None, email="", actor=None):
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            self.existing.add(existing.pk)  # someone made this login already: leave it alone
            return existing
        # The service checks the password against the validators meant for real people; the
        # demo password is public anyway, so it is set directly afterwards.
        user = user_create(
            username=username,
            password=secrets.token_urlsafe(24),
            full_name=full_name,
            role=role,
            organisation=organisation,
            email=email,
            actor=actor,
        )
        user.set_password(settings.VCDESK_DEMO_PASSWORD)
        user._history_user = actor
        user.save(update_fields=["password"])
        return user

    def create_staff(self) -> dict[str, User]:
        users: dict[str, User] = {}
        for spec in data.USERS:
            if spec["role"] == Role.CUSTOMER_CONTACT:
                continue
            user = self._user(
                username=spec["username"],
                full_name=spec["full_name"],
                role=spec["role"],
                email=f"{spec['username']}@{data.STAFF_MAIL_DOMAIN}",
                actor=users.get("admin"),
            )
            if spec.get("superuser") and not user.is_superuser and user.pk not in self.existing:
                user.is_superuser = True
                user.is_staff = True
                user.save(update_fields=["is_superuser", "is_staff"])
            users[spec["username"]] = user
        return users

    def create_customer_users(self, actor, orgs, contacts) -> dict[str, User]:
        users: dict[str, User] = {}
        for spec in data.USERS:
            if spec["role"] != Role.CUSTOMER_CONTACT:
                continue
            person = contacts[spec["org"]][0]
            users[spec["username"]] = self._user(
                username=spec["username"],
                full_name=person.name,
                role=Role.CUSTOMER_CONTACT,
                organisation=orgs[spec["org"]],
                email=person.email,
                actor=actor,
            )
        return users

    # Customers ------------------------------------------------------------------------

    def create_organisations(self, actor) -> dict[str, Organisation]:
        return {
            spec["key"]: organisation_create(
                actor=actor,
                name=spec["name"],
                short_name=spec["short_name"],
                industry=spec["industry"],
                address=spec["address"],
            )
            for spec in data.ORGANISATIONS
        }

    def _mobile(self) -> str:
        return self.rng.choice(data.MOBILE_PREFIXES) + "".join(self.rng.choices(string.digits, k=8))

    def _office(self, city: str) -> str:
        area = data.AREA_CODES[city]
        digits = 8 if len(area) == 3 else 7
        first = self.rng.choice("2345678")
        return f"{area}-{first}{''.join(self.rng.choices(string.digits, k=digits - 1))}"

    def create_contacts(self, actor, orgs) -> dict[str, list[Contact]]:
        cities = {spec["key"]: spec["city"] for spec in data.ORGANISATIONS}
        domains = {spec["key"]: spec["domain"] for spec in data.ORGANISATIONS}
        contacts: dict[str, list[Contact]] = {}
        for key, people in data.CONTACTS.items():
            contacts[key] = [
                contact_create(
                    actor=actor,
                    organisation=orgs[key],
                    name=name,
                    phone=self._mobile(),
                    fax=self._office(cities[key]) if has_fax else "",
                    email=f"{mailbox}@{domains[key]}",
                    role=role,
                )
                for name, mailbox, role, has_fax in people
            ]
        return contacts

    def create_sites(self, actor, orgs) -> list[tuple[Site, str, bool]]:
        return [
            (
                site_create(
                    actor=actor,
                    organisation=orgs[org],
                    name=name,
                    city=city,
                    address=address,
                    travel_minutes=minutes,
                ),
                contract,
                hub,
            )
            for org, contract, name, city, address, minutes, hub in data.SITES
        ]

    # Contracts ------------------------------------------------------------------------

    def _months_ago(self, months: int) -> date:
        return self.today - timedelta(days=round(months * 30.44))

    def create_contracts(self, actor, orgs) -> dict[str, Contract]:
        planned = []
        for spec in data.CONTRACTS:
            accepted_on = self._months_ago(spec["accepted_months_ago"])
            signed_on = accepted_on - timedelta(days=self.rng.randint(60, 150))
            planned.append((signed_on, accepted_on, spec))
        planned.sort(key=lambda p: p[0])
        per_year: dict[int, int] = {}
        contracts: dict[str, Contract] = {}
        for signed_on, accepted_on, spec in planned:
            per_year[signed_on.year] = per_year.get(signed_on.year, 0) + 1
            contracts[spec["key"]] = contract_create(
                actor=actor,
                number=f"HT-{signed_on.year}-{per_year[signed_on.year]:04d}",
                organisation=orgs[spec["org"]],
                signed_on=signed_on,
                accepted_on=accepted_on,
                warranty_years=spec["warranty_years"],
                inspections_per_year=spec["inspections_per_year"],
                assurance_visits_per_year=spec["assurance_visits_per_year"],
                free_upgrades=spec.get("free_upgrades", True),
            )
        return contracts

    # Devices --------------------------------------------------------------------------

    def create_device_models(self, actor) -> dict[str, DeviceModel]:
        return {
            spec["key"]: device_model_create(
                actor=actor,
                vendor=spec["vendor"],
                name=spec["name"],
                kind=spec["kind"],
                end_of_production=spec.get("end_of_production"),
            )
            for spec in data.DEVICE_MODELS
        }

    def _serial(self, vendor: str, installed_on: date) -> str:
        rng = self.rng
        while True:
            made = installed_on - timedelta(days=rng.randint(20, 240))
            made_year, made_week, _day = made.isocalendar()
            if vendor == "Polycom":
                # 82 + year and week of manufacture + 6 hex digits, e.g. 8218350A3F2C
                serial = f"82{made_year % 100:02d}{made_week:02d}" + "".join(
                    rng.choices("0123456789ABCDEF", k=6)
                )
            elif vendor == "Cisco":
                # FTT + (year - 1996) + week of manufacture + 4 characters, e.g. FTT2235A1B7
                serial = f"FTT{made_year - 1996}{made_week:02d}" + "".join(
                    rng.choices(string.ascii_uppercase + string.digits, k=4)
                )
            else:
                # Huawei bar code: 210235 + item code + sequence, e.g. 2102351Q610234
                serial = (
                    "210235"
                    + "".join(rng.choices(string.ascii_uppercase + string.digits, k=2))
                    + "".join(rng.choices(string.digits, k=6))
                )
            if (vendor, serial) not in self.serials:
                self.serials.add((vendor, serial))
                return serial

    def _new_device(self, actor, model, spec, site, contract) -> tuple[Device, list]:
        installed_on = contract.accepted_on - timedelta(days=self.rng.randint(3, 45))
        firmware = spec["firmware"]
        older = len(firmware) > 1 and self.rng.random() < data.OLDER_FIRMWARE_SHARE
        version = self.rng.choice(firmware[1:]) if older else firmware[0]
        device = device_create(
            actor=actor,
            model=model,
            serial=self._serial(model.vendor, installed_on),
            site=site,
            contract=contract,
            firmware_version=version,
            installed_on=installed_on,
        )
        # The service stamps "installed" with the current time; the demo backdates it.
        stamps = [(device.pk, version, _at(installed_on))]
        if older and self.rng.random() < 0.5:
            span = max((self.today - installed_on).days - 30, 1)
            upgraded_on = installed_on + timedelta(days=self.rng.randint(30, 30 + span))
            device = device_update(
                device, actor=actor, firmware_version=firmware[0], note="年度巡检时升级"
            )
            stamps.append((device.pk, firmware[0], _at(min(upgraded_on, self.today))))
        return device, stamps

    def create_devices(self, actor, sites, contracts, models) -> list[Device]:
        by_key = {spec["key"]: spec for spec in data.DEVICE_MODELS}
        contract_specs = {spec["key"]: spec for spec in data.CONTRACTS}
        devices: list[Device] = []
        stamps: list = []

        def add(model_key, site, contract):
            device, changes = self._new_device(
                actor, models[model_key], by_key[model_key], site, contract
            )
            devices.append(device)
            stamps.extend(changes)

        for site, contract_key, hub in sites:
            spec = contract_specs[contract_key]
            contract = contracts[contract_key]
            keys = [k for k, _w in spec["endpoints"]]
            weights = [w for _k, w in spec["endpoints"]]
            if hub:
                if spec["mcu"]:
                    add(spec["mcu"], site, contract)
                for other in spec["hub_other"]:
                    add(other, site, contract)
                n_endpoints = self.rng.randint(*data.HUB_ENDPOINTS)
            else:
                n_endpoints = self.rng.randint(*data.ROOM_ENDPOINTS)
            for key in self.rng.choices(keys, weights=weights, k=n_endpoints):
                add(key, site, contract)
            if not hub and spec["room_other"]:
                for _i in range(self.rng.randint(*data.ROOM_OTHER)):
                    add(self.rng.choice(spec["room_other"]), site, contract)

        self._backdate_firmware_changes(stamps)
        return devices

    def _backdate_firmware_changes(self, stamps) -> None:
        changes = {
            (fc.device_id, fc.to_version): fc
            for fc in FirmwareChange.objects.filter(device_id__in={pk for pk, _v, _t in stamps})
        }
        for device_id, version, at in stamps:
            change = changes.get((device_id, version))
            if change is not None:
                change.changed_at = at
        FirmwareChange.objects.bulk_update(changes.values(), ["changed_at"], batch_size=500)

    def retire_some(self, actor, devices, contracts) -> None:
        expired = {c.pk for c in contracts.values() if c.warranty_ends_on < self.today}
        mcus = set(DeviceModel.objects.filter(kind=DeviceKind.MCU).values_list("pk", flat=True))
        candidates = [d for d in devices if d.contract_id in expired and d.model_id not in mcus]
        for device in self.rng.sample(candidates, min(data.RETIRED_DEVICES, len(candidates))):
            device_update(device, actor=actor, status=DeviceStatus.RETIRED, note="设备报废")


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _at(day: date) -> datetime:
    """10:00 local time on `day`, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=10))
