"""Devices in and out of warranty, spares to ship, and RMAs and quotes made through the
services, at a frozen moment (T0: Tuesday 2026-03-10, 09:00 in Beijing)."""

import datetime as dt
from decimal import Decimal

import time_machine

from vcdesk.assets.tests.factories import DeviceFactory, DeviceModelFactory
from vcdesk.contracts.tests.factories import ContractFactory
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.rma import services
from vcdesk.spares.choices import WarehouseKind
from vcdesk.spares.services import stock_receive
from vcdesk.spares.tests.factories import PartModelFactory, WarehouseFactory

T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
MARKET_PRICE = Decimal("28000.00")


def device_of(organisation, *, accepted_on=dt.date(2025, 3, 1), serial=None, **fields):
    """A device of `organisation` under a contract accepted on `accepted_on` (3 years'
    warranty by default: accepted 2020 is out of warranty at T0, 2025 in)."""
    site_name = fields.pop("site_name", None)
    site = SiteFactory(organisation=organisation, **({"name": site_name} if site_name else {}))
    contract = ContractFactory(organisation=organisation, accepted_on=accepted_on)
    model = DeviceModelFactory(vendor="Polycom", name="RMX 2000")
    extra = {"serial": serial} if serial else {}
    return DeviceFactory(site=site, contract=contract, model=model, **extra, **fields)


def out_of_warranty_device(organisation, **fields):
    return device_of(organisation, accepted_on=dt.date(2020, 1, 1), **fields)


def media_board(**fields):
    fields.setdefault("name", "RMX 媒体处理板 MPMx-D")
    fields.setdefault("market_price", MARKET_PRICE)
    return PartModelFactory(**fields)


def bonded_warehouse():
    return WarehouseFactory(name="Polycom 上海保税库", city="上海", kind=WarehouseKind.BONDED)


def stocked(warehouse, part_model, *, serials=(), quantity=None, actor):
    stock_receive(
        warehouse=warehouse,
        part_model=part_model,
        quantity=quantity or len(serials),
        serials=list(serials),
        actor=actor,
    )
    return warehouse


def rma_form(**fields) -> dict:
    """The form's fields as a repair request fills them."""
    return {
        "contact_name": "张伟",
        "phone": "010-86092233",
        "fax": "010-86092234",
        "consignee": "李娜",
        "address": "北京市朝阳区建国路 98 号 12 层设备间",
        "post_code": "100022",
        "fault_symptom": "MCU 媒体板告警，4 个端口无法呼通",
        **fields,
    }


def file_rma(device, *, actor, at=T0, **fields):
    """An RMA for `device` filed at `at` (None: now, for a browser against a live server)."""
    if at is None:
        return services.rma_create(
            organisation=device.organisation,
            products=[{"device": device}],
            actor=actor,
            **rma_form(**fields),
        )
    with time_machine.travel(at, tick=False):
        return file_rma(device, actor=actor, at=None, **fields)


def step(rma, type, *, actor, at, **fields):
    with time_machine.travel(at, tick=False):
        return services.rma_event_add(rma, type=type, actor=actor, **fields)
