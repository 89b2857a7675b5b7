import csv
import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook

from vcdesk.assets import io as assets_io
from vcdesk.assets.choices import DeviceKind, DeviceStatus
from vcdesk.assets.io import (
    XLSX_CONTENT_TYPE,
    ImportRejected,
    RowError,
    devices_export_xlsx,
    devices_import,
)
from vcdesk.assets.models import Device, FirmwareChange
from vcdesk.assets.tests.factories import DeviceFactory, DeviceModelFactory
from vcdesk.contracts.tests.factories import ContractFactory
from vcdesk.customers.tests.factories import SiteFactory

IMPORT_URL = "/api/v1/devices/import"
EXPORT_URL = "/api/v1/devices/export"
HEADER = ["organisation", "site", "model", "serial", "contract", "installed_on"]
CHINESE_HEADER = ["客户单位", "会场", "型号", "序列号", "合同编号", "安装日期", "固件版本"]


@pytest.fixture(autouse=True)
def english(client):
    """Reasons are asserted in English: the request asks for it, as an English user's would."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def base(org_a, org_b):
    """Sites, contracts and the catalogue the files below refer to."""
    return {
        "site_a": SiteFactory(organisation=org_a, name="1号会议室", city="北京"),
        "site_b": SiteFactory(organisation=org_b, name="总行视频会议室", city="上海"),
        "contract_a": ContractFactory(organisation=org_a, number="HT-A-001"),
        "contract_b": ContractFactory(organisation=org_b, number="HT-B-001"),
        "rmx": DeviceModelFactory(vendor="Polycom", name="RMX 2000", kind=DeviceKind.MCU),
        "te40": DeviceModelFactory(vendor="Huawei", name="TE40", kind=DeviceKind.ENDPOINT),
    }


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def rejected(*, filename: str, data: bytes, actor) -> list[RowError]:
    with pytest.raises(ImportRejected) as caught:
        devices_import(filename=filename, data=data, actor=actor)
    return caught.value.errors


def upload(client, who, filename: str, data: bytes):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(filename, data)}, **who.auth)


def sheet_rows(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


# --- import -------------------------------------------------------------------------------


def test_import_creates_every_device_of_a_good_csv_file(base, service_manager):
    data = csv_bytes(
        [
            HEADER,
            [
                "北京广播电视台",
                "1号会议室",
                "Polycom RMX 2000",
                "RMX-0001",
                "HT-A-001",
                "2025-03-01",
            ],
            ["浦发银行", "总行视频会议室", "TE40", "TE-0001", "HT-B-001", ""],
        ],
        encoding="utf-8-sig",
    )

    created = devices_import(filename="devices.csv", data=data, actor=service_manager.user)

    assert created == 2
    rmx = Device.objects.get(serial="RMX-0001")
    assert (rmx.model, rmx.vendor, rmx.site, rmx.contract) == (
        base["rmx"],
        "Polycom",
        base["site_a"],
        base["contract_a"],
    )
    assert rmx.installed_on == datetime.date(2025, 3, 1)
    assert Device.objects.get(serial="TE-0001").installed_on is None


def test_import_accepts_chinese_headers_in_xlsx(base, service_manager):
    data = xlsx(
        [
            CHINESE_HEADER,
            ["北京台", "1号会议室", "RMX 2000", "RMX-0002", "HT-A-001", "2025/3/1", "8.7.1"],
        ]
    )

    assert devices_import(filename="设备清单.XLSX", data=data, actor=service_manager.user) == 1

    device = Device.objects.get(serial="RMX-0002")
    assert device.firmware_version == "8.7.1"
    assert device.installed_on == datetime.date(2025, 3, 1)


def test_import_reads_excel_date_cells_and_day_numbers_of_chinese_date_formats(
    base, service_manager
):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["北京台", "1号会议室", "TE40", "TE-0002", "HT-A-001", datetime.date(2025, 3, 1)])
    # Chinese Excel's "2025年3月2日" is a built-in number format openpyxl does not know as a
    # date, so the cell reads as its day number.
    sheet.append(["北京台", "1号会议室", "TE40", "TE-0003", "HT-A-001", 45718])
    buffer = io.BytesIO()
    workbook.save(buffer)

    devices_import(filename="devices.xlsx", data=buffer.getvalue(), actor=service_manager.user)

    assert Device.objects.get(serial="TE-0002").installed_on == datetime.date(2025, 3, 1)
    assert Device.objects.get(serial="TE-0003").installed_on == datetime.date(2025, 3, 2)


def test_import_accepts_gb18030_csv(base, service_manager):
    data = csv_bytes(
        [CHINESE_HEADER, ["北京台", "1号会议室", "TE40", "TE-0004", "HT-A-001", "2025/3/1", ""]],
        encoding="gb18030",
    )

    assert devices_import(filename="devices.csv", data=data, actor=service_manager.user) == 1
    assert Device.objects.get(serial="TE-0004").site == base["site_a"]


def test_import_with_one_bad_row_rejects_the_whole_file_and_names_the_row(
    base, service_manager, client
):
    data = xlsx(
        [
            HEADER,
            ["北京台", "1号会议室", "TE40", "TE-0005", "HT-A-001", "2025-03-01"],
            ["北京台", "不存在的会议室", "TE40", "TE-0006", "HT-A-001", "2025-03-01"],
            ["北京台", "1号会议室", "TE40", "TE-0007", "HT-A-001", "2025-03-01"],
        ]
    )

    response = upload(client, service_manager, "devices.xlsx", data)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["file", 3, "site"],
                "msg": "北京广播电视台 has no site named “不存在的会议室”.",
                "type": "invalid",
            }
        ]
    }
    assert not Device.objects.exists()


def test_import_reports_every_problem_of_every_row_in_file_order(base, service_manager):
    data = csv_bytes(
        [
            HEADER,
            ["无此单位", "1号会议室", "TE40", "TE-0008", "HT-A-001", "2025-03-01"],
            ["北京台", "1号会议室", "TE99", "", "HT-X-999", "2025-13-01"],
            ["北京台", "1号会议室", "TE40", "TE-0009", "HT-A-001", "三月一日"],
        ]
    )

    errors = rejected(filename="devices.csv", data=data, actor=service_manager.user)

    assert [(e.row, e.field) for e in errors] == [
        (2, "organisation"),
        (3, "model"),
        (3, "serial"),
        (3, "contract"),
        (3, "installed_on"),
        (4, "installed_on"),
    ]
    assert errors[0].reason == "No organisation is named “无此单位”."
    assert errors[2].reason == "This field is required."
    assert errors[5].reason == "Write the date as YYYY-MM-DD."


def test_import_keeps_spreadsheet_row_numbers_across_blank_rows(base, service_manager):
    data = xlsx(
        [
            HEADER,
            ["北京台", "1号会议室", "TE40", "TE-0010", "HT-A-001", "2025-03-01"],
            [],
            ["北京台", "1号会议室", "TE40", "TE-0011", "HT-NONE", "2025-03-01"],
        ]
    )

    errors = rejected(filename="devices.xlsx", data=data, actor=service_manager.user)

    assert [(e.row, e.field) for e in errors] == [(4, "contract")]


def test_import_rejects_duplicate_serials_within_the_file(base, service_manager):
    data = csv_bytes(
        [
            HEADER,
            ["北京台", "1号会议室", "TE40", "TE-0012", "HT-A-001", "2025-03-01"],
            ["北京台", "1号会议室", "RMX 2000", "TE-0012", "HT-A-001", "2025-03-01"],
            ["浦发银行", "总行视频会议室", "Huawei TE40", "TE-0012", "HT-B-001", "2025-03-01"],
        ]
    )

    errors = rejected(filename="devices.csv", data=data, actor=service_manager.user)

    # Row 3 is another vendor's device: serials are unique per vendor only.
    assert errors == [
        RowError(row=4, field="serial", reason="Serial number TE-0012 of Huawei is also on row 2.")
    ]
    assert not Device.objects.exists()


def test_import_rejects_a_serial_the_vendor_already_has_in_the_database(base, service_manager):
    DeviceFactory(model=base["te40"], serial="TE-0013", site=base["site_a"])
    data = csv_bytes([HEADER, ["北京台", "1号会议室", "TE40", "TE-0013", "HT-A-001", "2025-03-01"]])

    errors = rejected(filename="devices.csv", data=data, actor=service_manager.user)

    assert errors == [
        RowError(
            row=2,
            field="serial",
            reason="A device of Huawei with serial number TE-0013 already exists.",
        )
    ]


def test_import_rejects_a_contract_of_another_organisation(base, service_manager):
    data = csv_bytes([HEADER, ["北京台", "1号会议室", "TE40", "TE-0014", "HT-B-001", "2025-03-01"]])

    errors = rejected(filename="devices.csv", data=data, actor=service_manager.user)

    assert errors == [
        RowError(
            row=2,
            field="contract",
            reason="Contract HT-B-001 belongs to another organisation (上海浦东发展银行).",
        )
    ]


def test_import_asks_for_the_vendor_when_two_vendors_make_a_model_of_that_name(
    base, service_manager
):
    DeviceModelFactory(vendor="ZTE", name="TE40")
    row = ["北京台", "1号会议室", "TE40", "TE-0015", "HT-A-001", "2025-03-01"]

    errors = rejected(
        filename="devices.csv", data=csv_bytes([HEADER, row]), actor=service_manager.user
    )
    assert [(e.row, e.field) for e in errors] == [(2, "model")]
    assert "write the vendor before it" in errors[0].reason

    with_vendor = csv_bytes([[*HEADER, "vendor"], [*row, "Huawei"]])
    assert devices_import(filename="d.csv", data=with_vendor, actor=service_manager.user) == 1
    assert Device.objects.get(serial="TE-0015").model == base["te40"]


def test_import_rejects_a_file_with_missing_columns_on_row_1(base, service_manager):
    data = csv_bytes(
        [["客户单位", "站点", "型号"], ["北京台", "1号会议室", "TE40"]], encoding="utf-8-sig"
    )

    errors = rejected(filename="devices.csv", data=data, actor=service_manager.user)

    assert [(e.row, e.field) for e in errors] == [
        (1, "serial"),
        (1, "contract"),
        (1, "installed_on"),
    ]
    assert "序列号" in errors[0].reason
    assert errors[0].label == "serial number"


def test_import_rejects_two_columns_that_name_the_same_field(base, service_manager):
    data = csv_bytes(
        [[*HEADER, "序列号"], ["北京台", "1号会议室", "TE40", "A", "HT-A-001", "", "B"]]
    )

    errors = rejected(filename="devices.csv", data=data, actor=service_manager.user)

    assert errors == [RowError(row=1, field="serial", reason="Two columns name the same field.")]


@pytest.mark.parametrize(
    ("filename", "data", "reason"),
    [
        ("devices.csv", b"", "The file is empty."),
        ("devices.csv", b"\xef\xbb\xbf\r\n\r\n", "The file is empty."),
        ("devices.xlsx", xlsx([]), "The file is empty."),
        ("devices.xlsx", xlsx([HEADER]), "The file holds no devices below the header row."),
        ("devices.xlsx", b"PK\x03\x04 not really", "The file is not a readable XLSX workbook."),
        ("devices.xls", b"\xd0\xcf\x11\xe0", "Upload an .xlsx or .csv file."),
    ],
)
def test_import_rejects_empty_unreadable_and_unknown_files_on_row_1(
    filename, data, reason, service_manager
):
    errors = rejected(filename=filename, data=data, actor=service_manager.user)

    assert errors == [RowError(row=1, field="", reason=reason)]


def test_import_rejects_a_file_over_10_mb(service_manager, client):
    data = b"x" * (assets_io.IMPORT_MAX_BYTES + 1)

    response = upload(client, service_manager, "devices.csv", data)

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["file", 1], "msg": "The file is larger than 10 MB.", "type": "invalid"}
    ]


def test_import_rejects_more_than_20000_rows(base, service_manager):
    line = ["北京台", "1号会议室", "TE40", "X", "HT-A-001", "2025-03-01"]
    data = csv_bytes([HEADER] + [line] * (assets_io.IMPORT_MAX_ROWS + 1))

    errors = rejected(filename="devices.csv", data=data, actor=service_manager.user)

    assert errors == [
        RowError(
            row=assets_io.IMPORT_MAX_ROWS + 2,
            field="",
            reason="The file has more than 20,000 devices; split it into several files.",
        )
    ]


def test_import_checks_rows_in_a_fixed_number_of_queries(base, service_manager):
    def queries_to_reject(count: int) -> int:
        lines = [
            ["北京台", "1号会议室", "TE40", f"Q-{n}", "HT-B-001", "2025-03-01"]
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            rejected(filename="d.csv", data=csv_bytes([HEADER, *lines]), actor=service_manager.user)
        return len(queries)

    assert queries_to_reject(3) == queries_to_reject(300)


def test_import_writes_history(base, service_manager):
    data = csv_bytes(
        [
            ["organisation", "site", "model", "serial", "contract_number", "installed_date"]
            + ["firmware_version"],
            ["北京台", "1号会议室", "RMX 2000", "RMX-0016", "HT-A-001", "2025-03-01", "8.7.1"],
        ]
    )

    devices_import(filename="devices.csv", data=data, actor=service_manager.user)

    device = Device.objects.get(serial="RMX-0016")
    [created] = device.history.all()
    assert created.history_type == "+"
    assert created.history_user == service_manager.user
    [firmware] = FirmwareChange.objects.filter(device=device)
    assert (firmware.to_version, firmware.changed_by) == ("8.7.1", service_manager.user)


def test_import_writes_nothing_when_a_device_fails_while_being_created(
    base, service_manager, monkeypatch
):
    """Someone may enter a conflicting device between the checks and the writes."""
    real_create = assets_io.device_create

    def create_then_collide(**fields):
        if fields["serial"] == "TE-0018":
            DeviceFactory(model=base["te40"], serial="TE-0018", site=base["site_a"])
        return real_create(**fields)

    monkeypatch.setattr(assets_io, "device_create", create_then_collide)
    data = csv_bytes(
        [
            HEADER,
            ["北京台", "1号会议室", "TE40", "TE-0017", "HT-A-001", "2025-03-01"],
            ["北京台", "1号会议室", "TE40", "TE-0018", "HT-A-001", "2025-03-01"],
        ]
    )

    errors = rejected(filename="devices.csv", data=data, actor=service_manager.user)

    assert [(e.row, e.field) for e in errors] == [(3, "serial")]
    assert not Device.objects.exists()


def test_import_through_the_api_answers_201_with_the_count(base, support_engineer, client):
    data = xlsx([HEADER, ["北京台", "1号会议室", "TE40", "TE-0019", "HT-A-001", "2025-03-01"]])

    response = upload(client, support_engineer, "devices.xlsx", data)

    assert response.status_code == 201
    assert response.json() == {"created": 1}


@pytest.mark.parametrize("who", ["contact_of_a", "duty_officer"])
def test_import_by_customer_contact_is_forbidden(who, base, client, request):
    persona = request.getfixturevalue(who)
    data = xlsx([HEADER, ["北京台", "1号会议室", "TE40", "TE-0020", "HT-A-001", "2025-03-01"]])

    response = upload(client, persona, "devices.xlsx", data)

    assert response.status_code == 403
    assert not Device.objects.exists()


# --- export -------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_export_has_a_chinese_header_and_one_row_per_device(base, service_manager, api):
    DeviceFactory(
        model=base["rmx"],
        serial="RMX-0021",
        site=base["site_a"],
        contract=base["contract_a"],
        firmware_version="8.7.1",
        installed_on=datetime.date(2025, 3, 1),
    )
    expired = ContractFactory(
        organisation=base["site_a"].organisation,
        number="HT-A-OLD",
        accepted_on=datetime.date(2020, 1, 1),
        warranty_years=3,
    )
    DeviceFactory(
        model=base["te40"],
        serial="TE-0022",
        site=base["site_a"],
        contract=expired,
        firmware_version="",
        status=DeviceStatus.RETIRED,
    )

    response = api.get(EXPORT_URL, service_manager)

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="devices-20260601.xlsx"'
    header, *rows = sheet_rows(response)
    assert header == (
        "客户单位",
        "站点",
        "城市",
        "厂商",
        "型号",
        "类型",
        "序列号",
        "合同编号",
        "固件版本",
        "安装日期",
        "状态",
        "是否在保",
        "保修截止",
    )
    assert rows == [
        (
            "北京广播电视台",
            "1号会议室",
            "北京",
            "Polycom",
            "RMX 2000",
            "MCU (multipoint control unit)",
            "RMX-0021",
            "HT-A-001",
            "8.7.1",
            datetime.datetime(2025, 3, 1),
            "Active",
            "是",
            datetime.datetime(2028, 3, 1),
        ),
        (
            "北京广播电视台",
            "1号会议室",
            "北京",
            "Huawei",
            "TE40",
            "Video-conferencing endpoint",
            "TE-0022",
            "HT-A-OLD",
            None,
            None,
            "Retired",
            "否",
            datetime.datetime(2023, 1, 1),
        ),
    ]


def test_export_of_a_customer_contact_holds_only_their_organisation(base, contact_of_a, api):
    DeviceFactory(serial="A-1", site=base["site_a"], contract=base["contract_a"])
    DeviceFactory(serial="B-1", site=base["site_b"], contract=base["contract_b"])

    response = api.get(EXPORT_URL, contact_of_a)
    # Asking for the other organisation by filter does not widen the scope.
    asking_for_b = api.get(EXPORT_URL, contact_of_a, organisation=base["site_b"].organisation_id)

    assert response.status_code == 200
    assert [row[6] for row in sheet_rows(response)[1:]] == ["A-1"]
    assert sheet_rows(asking_for_b)[1:] == []


def test_export_follows_the_list_filters(base, service_manager, api):
    DeviceFactory(model=base["rmx"], serial="MCU-1", site=base["site_a"])
    DeviceFactory(model=base["te40"], serial="EP-1", site=base["site_a"])
    DeviceFactory(model=base["rmx"], serial="MCU-2", site=base["site_b"])

    mcus = api.get(EXPORT_URL, service_manager, kind="mcu")
    mcus_of_b = api.get(
        EXPORT_URL, service_manager, kind="mcu", organisation=base["site_b"].organisation_id
    )
    listed = api.get("/api/v1/devices", service_manager, kind="mcu")

    assert [row[6] for row in sheet_rows(mcus)[1:]] == ["MCU-1", "MCU-2"]
    assert [item["serial"] for item in listed.json()["items"]] == ["MCU-1", "MCU-2"]
    assert [row[6] for row in sheet_rows(mcus_of_b)[1:]] == ["MCU-2"]


def test_export_query_count_does_not_grow_with_devices(base, service_manager):
    def queries_to_export() -> int:
        with CaptureQueriesContext(connection) as queries:
            devices_export_xlsx(devices=Device.objects.all())
        return len(queries)

    DeviceFactory.create_batch(2, site=base["site_a"])
    few = queries_to_export()
    DeviceFactory.create_batch(30, site=base["site_b"])

    assert queries_to_export() == few == 1


def test_export_keeps_text_that_looks_like_a_formula_as_text(base):
    DeviceFactory(serial='=HYPERLINK("http://example.com")', site=base["site_a"])

    workbook = load_workbook(io.BytesIO(devices_export_xlsx(devices=Device.objects.all())))
    cell = workbook.active.cell(row=2, column=7)

    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://example.com")', "s")


def test_export_stops_at_the_row_cap_and_says_so(base, monkeypatch):
    monkeypatch.setattr(assets_io, "EXPORT_MAX_ROWS", 2)
    DeviceFactory.create_batch(3, site=base["site_a"])

    workbook = load_workbook(io.BytesIO(devices_export_xlsx(devices=Device.objects.all())))
    rows = list(workbook.active.iter_rows(values_only=True))

    assert len(rows) == 4
    assert rows[3][0] == "Only the first 2 devices are exported; narrow the filters."


def test_import_and_export_are_documented_in_the_openapi_schema(api, service_manager):
    paths = api.get("/api/v1/openapi.json").json()["paths"]

    importing = paths["/api/v1/devices/import"]["post"]
    exporting = paths["/api/v1/devices/export"]["get"]
    assert importing["operationId"] == "devices_import"
    assert "multipart/form-data" in importing["requestBody"]["content"]
    assert set(importing["responses"]) == {"201", "403", "422"}
    assert exporting["operationId"] == "devices_export"
    assert XLSX_CONTENT_TYPE in exporting["responses"]["200"]["content"]
    assert {"kind", "organisation", "in_warranty"} <= {p["name"] for p in exporting["parameters"]}
