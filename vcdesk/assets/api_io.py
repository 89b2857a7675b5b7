"""Installed-base import (XLSX/CSV, all rows or none) and XLSX export of the device list."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from vcdesk.accounts.permissions import may_edit_installed_base
from vcdesk.assets import io, selectors
from vcdesk.assets.filters import DeviceFilter
from vcdesk.core.api import ErrorOut, require

router = Router(tags=["installed base"])


class ImportOut(Schema):
    created: int


@router.post(
    "/devices/import",
    response={201: ImportOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="devices_import",
    summary="Import devices from an XLSX or CSV file",
    description=(
        "Multipart field `file`: an .xlsx or .csv (UTF-8 or GB18030) of at most 10 MB and "
        "20,000 rows. Row 1 is the header: organisation (客户单位), site (站点/会场), model "
        "(型号, or vendor and model), serial (序列号), contract (合同编号), installed_on "
        "(安装日期, YYYY-MM-DD), optional firmware_version (固件版本) and vendor (厂商). "
        "All rows or none: any bad row answers 422 with one item per problem, "
        '`loc` = `["file", <row>, <column>]`, and nothing is created.'
    ),
)
def import_devices(request: HttpRequest, file: File[UploadedFile]):
    require(may_edit_installed_base(request.auth))
    # Read one byte past the limit, so an oversized upload is refused without holding it all.
    data = file.read(io.IMPORT_MAX_BYTES + 1)
    try:
        created = io.devices_import(filename=file.name or "", data=data, actor=request.auth)
    except io.ImportRejected as exc:
        return Status(
            422,
            {
                "detail": [
                    {
                        "loc": ["file", error.row, *([error.field] if error.field else [])],
                        "msg": error.reason,
                        "type": "invalid",
                    }
                    for error in exc.errors
                ]
            },
        )
    return Status(201, {"created": created})


@router.get(
    "/devices/export",
    operation_id="devices_export",
    summary="Export devices as XLSX",
    description=(
        "The device list with the same filters as `GET /devices`, as an XLSX attachment "
        f"(at most {io.EXPORT_MAX_ROWS:,} rows) with a Chinese header row."
    ),
    openapi_extra={
        "responses": {
            200: {
                "description": "The devices as an XLSX workbook.",
                "content": {
                    io.XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def export_devices(request: HttpRequest, filters: Query[DeviceFilter]):
    devices = filters.filter(selectors.device_visible(user=request.auth))
    response = HttpResponse(
        io.devices_export_xlsx(devices=devices), content_type=io.XLSX_CONTENT_TYPE
    )
    filename = io.devices_export_filename(on=timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
