"""Demo RMAs and a quote (suggested as vcdesk/demo/rma_data.py), built through the services:
an advance replacement whose faulty unit has been owed for 9 days, a repair that went the
whole way to closed, and an out-of-warranty repair with a quote sent to the demo customer."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from vcdesk.assets.choices import DeviceStatus
from vcdesk.assets.models import Device
from vcdesk.calendars.workdays import BEIJING
from vcdesk.rma import services as rma
from vcdesk.spares.choices import WarehouseKind
from vcdesk.spares.models import PartModel, Warehouse
from vcdesk.spares.reference import part_model_create, warehouse_create
from vcdesk.spares.services import serials_in_stock, stock_receive

D, H = timedelta(days=1), timedelta(hours=1)


def _form(device: Device, **fields) -> dict:
    return {
        "organisation": device.organisation,
        "products": [{"device": device}],
        "contact_name": "张伟",
        "phone": "010-86092233",
        "fax": "010-86092234",
        "consignee": "李娜",
        "address": device.site.address or "北京市朝阳区建国路 98 号 12 层设备间",
        "post_code": "100022",
        **fields,
    }


def load_rmas(*, users: dict, now: datetime) -> int:
    keeper = users["spares"]
    today = timezone.localdate(now, timezone=BEIJING)
    devices = list(
        Device.objects.filter(
            status=DeviceStatus.ACTIVE, organisation=users["contact"].organisation
        )
        .select_related("contract", "model", "site", "organisation")
        .order_by("id")
    )
    in_warranty = next(d for d in devices if d.contract.warranty_ends_on > today + 60 * D)
    out_of_warranty = next(d for d in devices if d.contract.warranty_ends_on < today - 60 * D)
    bonded = Warehouse.objects.filter(kind=WarehouseKind.BONDED).first() or warehouse_create(
        name="Polycom 上海保税库", city="上海", kind=WarehouseKind.BONDED, actor=keeper
    )
    board = PartModel.objects.filter(
        serialised=True, market_price__isnull=False
    ).first() or part_model_create(
        vendor="Polycom",
        part_number="2215-28436-001",
        name="RMX 媒体处理板 MPMx-D",
        serialised=True,
        market_price=Decimal("28000.00"),
        actor=keeper,
    )
    if not serials_in_stock(warehouse=bonded, part_model=board):
        stock_receive(
            warehouse=bonded, part_model=board, quantity=1, serials=["MPMX-DEMO-0001"], actor=keeper
        )

    # 先行发货: the replacement left the bonded warehouse 9 days ago; the faulty board is owed.
    owed = rma.rma_create(
        requested_at=now - 9 * D - 2 * H,
        fault_symptom="MCU 媒体板告警，4 个端口无法呼通",
        actor=keeper,
        **_form(in_warranty),
    )
    rma.rma_advance_replacement(
        owed, warehouse=bonded, part_model=board, at=now - 9 * D, actor=keeper
    )

    # The whole flow, closed: received, sent to the vendor, replaced, returned to the user.
    done = rma.rma_create(
        requested_at=now - 30 * D,
        fault_symptom="终端主板无法启动",
        actor=keeper,
        **_form(in_warranty),
    )
    rma.rma_update(
        done, cause_and_measures="主板电源模块损坏，返厂更换主板", actor=users["support"]
    )
    for days, step in ((28, "faulty_received"), (26, "sent_to_vendor"), (15, "repaired")):
        rma.rma_event_add(done, type=step, at=now - days * D, actor=keeper)
    rma.rma_part_add(
        done, part_model=board, serial="MPMX-VENDOR-0042", arrived_at=now - 14 * D, actor=keeper
    )
    for days, step in ((13, "returned_to_user"), (12, "closed")):
        rma.rma_event_add(done, type=step, at=now - days * D, actor=keeper)

    # Out of warranty: labour free, the board at its market price; sent, for the demo
    # customer ("contact") to accept or decline in the portal.
    paid = rma.rma_create(
        requested_at=now - 2 * D,
        fault_symptom="MCU 主控板告警，系统反复重启",
        actor=keeper,
        **_form(out_of_warranty),
    )
    rma.rma_event_add(paid, type="faulty_received", at=now - D, actor=keeper)
    quote = rma.quote_create(
        rma=paid,
        lines=[
            {"kind": "part", "part_model": board, "quantity": 1, "unit_price": board.market_price}
        ],
        note="报价有效期 30 天。",
        actor=keeper,
    )
    rma.quote_send(quote, actor=keeper)
    return 3
