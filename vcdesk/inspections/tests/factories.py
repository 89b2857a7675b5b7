"""An installed base to inspect, and inspections planned, started and filled through the
services, at a frozen moment (T0: Tuesday 2026-03-10, 09:00 in Beijing)."""

import datetime as dt

import time_machine

from vcdesk.assets.tests.factories import DeviceFactory, DeviceModelFactory
from vcdesk.contracts.tests.factories import ContractFactory
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.inspections import services
from vcdesk.inspections.choices import ItemResult
from vcdesk.inspections.models import Inspection

T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing
TODAY = dt.date(2026, 3, 10)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def installed_base(
    organisation, *, accepted_on=dt.date(2025, 6, 1), per_year=1, suffix="", **contract
):
    """A contract of `organisation` with an MCU in its equipment room and two endpoints in a
    meeting room: 2 sites × 3 environment checks + 5 MCU checks + 2 × 3 endpoint checks.
    `suffix` ends the serials, for a second installed base in one test."""
    contract = ContractFactory(
        organisation=organisation,
        accepted_on=accepted_on,
        inspections_per_year=per_year,
        **contract,
    )
    core = SiteFactory(organisation=organisation, name="中心机房" + suffix, city="北京")
    room = SiteFactory(organisation=organisation, name="一号会议室" + suffix, city="北京")
    mcu = DeviceModelFactory(vendor="Polycom", name="RMX 4000", kind="mcu")
    endpoint = DeviceModelFactory(vendor="Polycom", name="RealPresence Group 500", kind="endpoint")
    DeviceFactory(site=core, contract=contract, model=mcu, serial="82RMX4000A17" + suffix)
    DeviceFactory(site=room, contract=contract, model=endpoint, serial="8216G500A1" + suffix)
    DeviceFactory(site=room, contract=contract, model=endpoint, serial="8216G500A2" + suffix)
    return contract


def planned(organisation, *, engineer=None, actor=None, **contract_fields) -> Inspection:
    """The first inspection of a new contract's current year (due on the year's last day).
    The contract is made at T0 too: in a transaction test its creation plans it at once."""
    with time_machine.travel(T0, tick=False):
        contract = installed_base(organisation, **contract_fields)
        services.inspection_plans_ensure(contract=contract, actor=actor)
    inspection = Inspection.objects.filter(contract=contract).order_by("due_on", "id").first()
    if engineer is not None and inspection.engineer_id != engineer.pk:
        Inspection.objects.filter(pk=inspection.pk).update(engineer=engineer)
        inspection.refresh_from_db()
    return inspection


def started(organisation, *, engineer, **contract_fields) -> Inspection:
    inspection = planned(organisation, engineer=engineer, **contract_fields)
    with time_machine.travel(T0 + HOUR, tick=False):
        return services.inspection_start(inspection, actor=engineer)


def answer_all(inspection: Inspection, *, actor, result=ItemResult.OK, note="") -> None:
    for answer in inspection.answers.all():
        services.checklist_answer_record(answer, result=result, note=note, actor=actor)


def completed(organisation, *, engineer, **contract_fields) -> Inspection:
    inspection = started(organisation, engineer=engineer, **contract_fields)
    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        answer_all(inspection, actor=engineer)
        return services.inspection_complete(
            inspection, summary="系统运行正常", customer_representative="张伟", actor=engineer
        )
