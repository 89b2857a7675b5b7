"""Demo meeting assurance, built through the services and relative to the load time.

Three senior field engineers (the demo's field engineer and two more). For the first demo
customer: a critical meeting under way (two engineers checked in, every site checked, the
rehearsal found a problem, a spare reserved), one held earlier today with an incident that
opened a service record, upcoming meetings (one staffed, one not yet, one beyond the contract
year's quota) and a cancelled one. The second customer booked one themselves.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from vcdesk.accounts.choices import Role
from vcdesk.accounts.models import User
from vcdesk.accounts.services import user_create, user_set_senior
from vcdesk.assets.models import Device
from vcdesk.assurance import services
from vcdesk.assurance.choices import CheckKind, CheckResult, Importance, Outcome
from vcdesk.contracts.models import Contract
from vcdesk.customers.models import Organisation, Site
from vcdesk.service.choices import FaultClass
from vcdesk.spares.models import StockLevel

H, D = timedelta(hours=1), timedelta(days=1)

# Field engineers besides the demo's own (`field`); like every demo login, the password is
# VCDESK_DEMO_PASSWORD.
MORE_SENIORS = [("field2", "孙浩"), ("field3", "周敏")]


def _field_engineer(username: str, full_name: str, actor) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    user = user_create(
        username=username,
        password=secrets.token_urlsafe(24),
        full_name=full_name,
        role=Role.FIELD_ENGINEER,
        email=f"{username}@example.com",
        actor=actor,
    )
    user.set_password(settings.VCDESK_DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user


def _covered(organisation: Organisation) -> tuple[Contract, list[Site]]:
    """The organisation's earliest contract and the sites with a device under it."""
    contract = Contract.objects.filter(organisation=organisation).order_by("accepted_on").first()
    site_ids = Device.objects.filter(contract=contract).values_list("site_id", flat=True)
    return contract, list(Site.objects.filter(pk__in=site_ids.distinct()).order_by("name"))


def _hour(now: datetime, *, days: int, hour: int) -> datetime:
    day = timezone.localtime(now) + days * D
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def load_assurance(*, users: dict, now: datetime) -> int:
    manager, duty = users["manager"], users["duty"]
    chen = user_set_senior(users["field"], is_senior=True, actor=manager)
    sun, zhou = (
        user_set_senior(_field_engineer(name, full, manager), is_senior=True, actor=manager)
        for name, full in MORE_SENIORS
    )
    brtv, spdb = users["contact"], users["contact2"]
    contract, sites = _covered(brtv.organisation)
    spdb_contract, spdb_sites = _covered(spdb.organisation)
    bookings = []

    def book(actor, starts_at, hours, **fields):
        booking = services.booking_create(
            contract=fields.pop("contract", contract),
            sites=fields.pop("sites", sites[:2]),
            starts_at=starts_at,
            ends_at=starts_at + hours * H,
            contact_name=fields.pop("contact_name", "张伟"),
            contact_phone=fields.pop("contact_phone", "13801010001"),
            actor=actor,
            **fields,
        )
        bookings.append(booking)
        return booking

    # Under way: critical, so two engineers; both checked in.
    under_way = book(
        duty,
        now - H,
        3,
        sites=sites[:4],
        title="全台安全播出视频调度会",
        importance=Importance.CRITICAL,
        expected_participants=160,
        notes="台领导出席；主会场双链路备份。",
    )
    services.booking_assign(under_way, actor=manager, engineers=[chen, sun])
    for site in sites[:4]:
        services.check_record(
            under_way,
            kind=CheckKind.DEVICE_CHECK,
            site=site,
            result=CheckResult.PASSED,
            note="图像、声音、双流正常。",
            checked_at=now - 20 * H,
            actor=chen,
        )
    services.check_record(
        under_way,
        kind=CheckKind.REHEARSAL,
        result=CheckResult.PROBLEM,
        note="切换到第二分会场时有回声，已调整回声抵消；为该会场预留备件。",
        checked_at=now - 19 * H,
        actor=chen,
    )
    level = (
        StockLevel.objects.filter(on_hand__gt=0, part_model__serialised=False)
        .select_related("warehouse", "part_model")
        .order_by("warehouse__name", "part_model__part_number")
        .first()
    )
    if level is not None and level.available > 0:
        services.kit_item_reserve(
            under_way,
            warehouse=level.warehouse,
            part_model=level.part_model,
            site=sites[1],
            actor=chen,
        )
    for engineer in (chen, sun):
        services.booking_check_in(under_way, engineer=engineer, at=now - 1.5 * H, actor=engineer)

    # Held earlier today; an endpoint dropped out and opened a service record.
    held = book(
        duty,
        now - 4 * H,
        4.25,
        sites=sites[4:6] or sites[:1],
        title="季度节目评审视频会",
        importance=Importance.IMPORTANT,
        expected_participants=40,
        contact_name="李娜",
        contact_phone="13801010002",
    )
    services.booking_assign(held, actor=manager, engineers=[zhou])
    services.booking_check_in(held, engineer=zhou, at=now - 4.5 * H, actor=zhou)
    dropped = Device.objects.filter(site__in=held.sites.all(), contract=contract).first()
    services.incident_record(
        held,
        description="分会场终端掉线约 3 分钟，重启后恢复。",
        occurred_at=now - 2 * H,
        device=dropped,
        open_service_record=dropped is not None,
        fault_class=FaultClass.NODE_DOWN,
        actor=zhou,
    )
    services.booking_outcome(
        held, outcome=Outcome.WITH_INCIDENTS, note="会议按时完成，一次短暂掉线。", actor=zhou
    )

    # Coming up: one staffed, one nobody has been assigned to yet.
    soon = book(
        brtv,
        _hour(now, days=3, hour=9),
        2.5,
        title="年度工作部署视频会",
        importance=Importance.IMPORTANT,
        expected_participants=120,
    )
    services.booking_assign(soon, actor=manager, engineers=[sun])
    book(
        brtv,
        _hour(now, days=9, hour=14),
        2,
        sites=sites[:4],
        title="全省广电系统视频培训",
        expected_participants=300,
    )
    # The fifth of four included this contract year: booked, flagged beyond the quota.
    book(
        brtv,
        _hour(now, days=16, hour=10),
        1.5,
        title="党组理论学习中心组视频会",
        expected_participants=30,
    )
    cancelled = book(
        brtv, _hour(now, days=12, hour=15), 2, title="技术交流视频会", expected_participants=25
    )
    services.booking_cancel(cancelled, actor=brtv, reason="会议延期，另行通知。")

    # The second customer's own booking.
    book(
        spdb,
        _hour(now, days=5, hour=10),
        2,
        contract=spdb_contract,
        sites=spdb_sites[:3],
        title="分行行长视频会议",
        importance=Importance.CRITICAL,
        expected_participants=90,
        contact_name="王强",
        contact_phone="13902020003",
    )
    return len(bookings)
