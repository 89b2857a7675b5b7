"""Demo spares: six warehouses, part models for the demo device models, opening stock and
two spare requests on open demo records — all through the services."""

from vcdesk.assets.models import DeviceModel
from vcdesk.service.choices import RecordStatus
from vcdesk.service.models import ServiceRecord
from vcdesk.spares import services
from vcdesk.spares.choices import WarehouseKind
from vcdesk.spares.reference import part_model_create, warehouse_create


def load_spares(*, users: dict) -> int:
    keeper = users["spares"]

    WAREHOUSES = [
        # name, city, kind, address
        ("北京备件库", "北京", WarehouseKind.REGIONAL, "北京市海淀区上地信息路 12 号"),
        ("上海备件库", "上海", WarehouseKind.REGIONAL, "上海市闵行区莘庄工业区春东路 508 号"),
        ("广州备件库", "广州", WarehouseKind.REGIONAL, "广州市天河区科韵路 16 号"),
        ("成都备件库", "成都", WarehouseKind.REGIONAL, "成都市高新区天府大道中段 1388 号"),
        ("武汉备件库", "武汉", WarehouseKind.REGIONAL, "武汉市东湖高新区光谷大道 77 号"),
        (
            "Polycom 上海保税库",
            "上海",
            WarehouseKind.BONDED,
            "上海市浦东新区外高桥保税区富特北路 211 号",
        ),
    ]
    warehouses = {
        name: warehouse_create(actor=keeper, name=name, city=city, kind=kind, address=address)
        for name, city, kind, address in WAREHOUSES
    }

    # vendor, part number, name, serialised, market price (CNY), low below, device models served
    PART_MODELS = [
        (
            "Polycom",
            "2215-28431-001",
            "RMX 媒体处理板 MPMx-D",
            True,
            "38000.00",
            1,
            ["RMX 2000", "RMX 4000"],
        ),
        ("Polycom", "2215-28433-001", "RMX 主控板 CNTL 4000", True, "26500.00", 1, ["RMX 4000"]),
        ("Polycom", "2215-28437-001", "RMX 4000 电源模块", True, "9800.00", 2, ["RMX 4000"]),
        ("Polycom", "2215-28439-001", "RMX 2000 电源模块", True, "7600.00", 1, ["RMX 2000"]),
        (
            "Polycom",
            "2215-28435-001",
            "RMX 风扇模块",
            False,
            "1850.00",
            3,
            ["RMX 2000", "RMX 4000"],
        ),
        (
            "Polycom",
            "2201-52641-001",
            "Group 500 主机（更换件）",
            True,
            "21800.00",
            1,
            ["RealPresence Group 500"],
        ),
        (
            "Polycom",
            "2201-52637-001",
            "Group 310 主机（更换件）",
            True,
            "14600.00",
            1,
            ["RealPresence Group 310"],
        ),
        (
            "Polycom",
            "2201-52635-001",
            "Group 700 主机（更换件）",
            True,
            "45200.00",
            1,
            ["RealPresence Group 700"],
        ),
        (
            "Polycom",
            "8200-64370-001",
            "EagleEye IV 12x 摄像机",
            True,
            "16900.00",
            2,
            ["RealPresence Group 310", "RealPresence Group 500", "RealPresence Group 700"],
        ),
        (
            "Polycom",
            "2215-69729-001",
            "Group 系列遥控器",
            False,
            "680.00",
            5,
            ["RealPresence Group 310", "RealPresence Group 500", "RealPresence Group 700"],
        ),
        (
            "Polycom",
            "1517-61577-001",
            "Group 系列电源适配器",
            False,
            "950.00",
            5,
            ["RealPresence Group 310", "RealPresence Group 500"],
        ),
        (
            "Polycom",
            "2200-40000-001",
            "SoundStation IP 7000 话机",
            True,
            "5200.00",
            2,
            ["SoundStation IP 7000"],
        ),
        (
            "Cisco",
            "MSE-8510-MEDIA2",
            "MCU 5300 媒体刀片",
            True,
            "52000.00",
            1,
            ["TelePresence MCU 5300"],
        ),
        (
            "Cisco",
            "PWR-MCU5300-AC",
            "MCU 5300 电源模块",
            True,
            "6400.00",
            1,
            ["TelePresence MCU 5300"],
        ),
        (
            "Cisco",
            "CTS-SX80-K9",
            "SX80 编解码器（更换件）",
            True,
            "58000.00",
            1,
            ["TelePresence SX80"],
        ),
        (
            "Cisco",
            "CTS-CAM-P60",
            "PrecisionHD 60 摄像机",
            True,
            "24500.00",
            1,
            ["TelePresence SX80"],
        ),
        ("Cisco", "CS-KIT-K9", "Room Kit 主机（更换件）", True, "32000.00", 1, ["Webex Room Kit"]),
        (
            "Cisco",
            "CS-TRC5",
            "Touch 10 控制面板",
            True,
            "8900.00",
            2,
            ["TelePresence SX80", "Webex Room Kit"],
        ),
        ("Huawei", "03030QJN", "MCU 9600 主控板 MPUB", True, "42000.00", 1, ["MCU 9600"]),
        ("Huawei", "03030QJP", "MCU 9600 媒体板 VPUB", True, "36500.00", 1, ["MCU 9600"]),
        ("Huawei", "02120527", "TE40/TE60 主机（更换件）", True, "18800.00", 1, ["TE40", "TE60"]),
        ("Huawei", "21242274", "TE 系列电源适配器", False, "560.00", 4, ["TE40", "TE60"]),
    ]
    models = {m.name: m for m in DeviceModel.objects.all()}
    parts = {}
    for vendor, number, name, serialised, price, low, served in PART_MODELS:
        parts[number] = part_model_create(
            actor=keeper,
            vendor=vendor,
            part_number=number,
            name=name,
            serialised=serialised,
            market_price=price,
            low_stock_threshold=low,
            device_models=[models[n].pk for n in served if n in models],
        )

    # How many of each part each warehouse keeps (missing: none kept there).
    STOCK = {
        "北京备件库": {
            "2215-28431-001": 2,
            "2215-28433-001": 1,
            "2215-28437-001": 3,
            "2215-28435-001": 6,
            "2201-52641-001": 2,
            "8200-64370-001": 3,
            "2215-69729-001": 12,
            "1517-61577-001": 8,
            "03030QJN": 1,
            "21242274": 6,
            "CTS-CAM-P60": 1,
        },
        "上海备件库": {
            "2215-28431-001": 1,
            "2215-28437-001": 1,
            "2201-52637-001": 2,
            "8200-64370-001": 1,
            "2215-69729-001": 4,
            "CS-TRC5": 2,
            "CS-KIT-K9": 1,
            "02120527": 2,
        },
        "广州备件库": {
            "2215-28435-001": 2,
            "2201-52641-001": 1,
            "2215-69729-001": 6,
            "1517-61577-001": 2,
            "03030QJP": 1,
            "21242274": 2,
        },
        "成都备件库": {
            "2215-28431-001": 1,
            "2215-28439-001": 1,
            "2201-52635-001": 1,
            "8200-64370-001": 1,
            "2200-40000-001": 2,
            "2215-69729-001": 3,
        },
        "武汉备件库": {
            "2215-28433-001": 1,
            "2215-28435-001": 4,
            "2201-52641-001": 1,
            "1517-61577-001": 1,
            "MSE-8510-MEDIA2": 1,
            "PWR-MCU5300-AC": 1,
        },
        "Polycom 上海保税库": {
            "2215-28431-001": 4,
            "2215-28433-001": 3,
            "2215-28437-001": 4,
            "2215-28439-001": 2,
            "2201-52641-001": 3,
            "2201-52637-001": 2,
            "2201-52635-001": 2,
            "8200-64370-001": 4,
            "2200-40000-001": 3,
        },
    }
    serial = 0
    for warehouse_name, quantities in STOCK.items():
        for number, quantity in quantities.items():
            part = parts[number]
            serials = []
            if part.serialised:
                serials = [
                    f"{number.replace('-', '')[:8]}{serial + i:05d}" for i in range(quantity)
                ]
                serial += quantity
            services.stock_receive(
                warehouse=warehouses[warehouse_name],
                part_model=part,
                quantity=quantity,
                serials=serials,
                note="期初库存",
                actor=keeper,
            )

    # Two open records of the demo awaiting a spare: one reserved, one already on its way.
    waiting = (
        ServiceRecord.objects.exclude(
            status__in=[
                RecordStatus.CLOSED,
                RecordStatus.RESOLVED,
                RecordStatus.CONFIRMED,
                RecordStatus.AWAITING_SPARE,
            ]
        )
        .select_related("device__model", "site")
        .order_by("reported_at")
    )
    made = 0
    for record in waiting:
        serving = record.device.model.part_models.filter(serialised=True).first()
        if serving is None or made == 2:
            continue
        try:
            spare = services.spare_request_create(
                service_record=record, part_model=serving, actor=keeper
            )
        except Exception as exc:  # no stock for it anywhere, or the record cannot take a spare now
            print(record.number, exc)
            continue
        if made == 1:
            shipped = services.serials_in_stock(warehouse=spare.warehouse, part_model=serving)[0]
            services.spare_request_ship(
                spare,
                carrier="顺丰速运",
                tracking_number="SF1402877365",
                serial=shipped,
                actor=keeper,
            )
        made += 1
    print(
        "spares demo:",
        len(warehouses),
        "warehouses,",
        len(parts),
        "part models,",
        made,
        "spare requests",
    )
    return made
