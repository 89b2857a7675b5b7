"""Installed-base import (XLSX or CSV, all rows or none) and XLSX export of the device list.

The import checks every row against the database with a few queries per kind of reference
(not one per row), reports every problem with its spreadsheet row number, and only when the
whole file is good creates the devices through `services.device_create` in one transaction,
so history and firmware rows are written as for a device entered by hand. The caller checks
that the actor may edit the installed base; the export's caller passes a queryset already
scoped to the user (`selectors.device_visible`) and filtered (`filters.DeviceFilter`).
"""

import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from vcdesk.assets.filters import DeviceFilter
from vcdesk.assets.models import Device, DeviceModel
from vcdesk.assets.services import device_create
from vcdesk.contracts.models import Contract
from vcdesk.customers.models import Organisation, Site

IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000
EXPORT_MAX_ROWS = 100_000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Values per `IN (…)` lookup; keeps every query well under SQLite's bound-parameter limit.
LOOKUP_CHUNK = 500

# Each column of the import and the headers that name it (compared after _header_key).
COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation": ("organisation", "organization", "客户单位"),
    "site": ("site", "站点", "会场"),
    "vendor": ("vendor", "厂商"),
    "model": ("model", "型号"),
    "serial": ("serial", "serial_number", "序列号"),
    "contract": ("contract", "contract_number", "合同编号"),
    "installed_on": ("installed_on", "installed_date", "安装日期"),
    "firmware_version": ("firmware_version", "固件版本"),
}
REQUIRED_COLUMNS = ("organisation", "site", "model", "serial", "contract", "installed_on")
_HEADER_TO_COLUMN = {header: column for column, headers in COLUMNS.items() for header in headers}
_COLUMN_ORDER = {column: index for index, column in enumerate(COLUMNS)}
# The column names as a page shows them (the models' own field labels, already translated).
COLUMN_LABELS = {
    "organisation": gettext_lazy("organisation"),
    "site": gettext_lazy("site"),
    "vendor": gettext_lazy("vendor"),
    "model": gettext_lazy("model"),
    "serial": gettext_lazy("serial number"),
    "contract": gettext_lazy("contract"),
    "installed_on": gettext_lazy("installed on"),
    "firmware_version": gettext_lazy("firmware version"),
}

# 2024-03-05, 2024/3/5 (how Chinese Excel writes dates into CSV), 2024.3.5, 2024年3月5日,
# each optionally followed by a time of day.
_DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
)
# Excel stores dates as day numbers; openpyxl only recognises a date cell by its number
# format and does not know the locale-specific built-in formats Chinese Excel uses
# (numFmtId 27-36, 50-58), so such cells arrive as plain numbers.
_EXCEL_SERIAL_YEARS = range(1970, 2101)

EXPORT_HEADER = (
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


@dataclass(frozen=True)
class RowError:
    """One problem of an import file; `row` is the spreadsheet row (the header is row 1)."""

    row: int
    field: str  # a key of COLUMNS, or "" for the file as a whole
    reason: str

    @property
    def label(self) -> str:
        """The column's name for a page, in the user's language."""
        return str(COLUMN_LABELS.get(self.field, ""))


class ImportRejected(Exception):
    """The file was not imported; nothing was written. `errors` holds every problem found."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(f"row {e.row} {e.field}: {e.reason}" for e in errors[:5]))
        self.errors = errors


def _reject(reason: str, *, row: int = 1, field: str = "") -> ImportRejected:
    return ImportRejected([RowError(row=row, field=field, reason=reason)])


@dataclass
class _Row:
    number: int
    values: dict[str, str]
    installed_on: date | None = None
    errors: list[RowError] = field(default_factory=list)
    resolved: dict[str, Any] = field(default_factory=dict)

    def error(self, column: str, reason: str) -> None:
        self.errors.append(RowError(row=self.number, field=column, reason=reason))


def devices_import(*, filename: str, data: bytes, actor) -> int:
    """Create one device per row of an XLSX or CSV file; all rows or none.

    Raises ImportRejected with every problem (row-numbered) and writes nothing when any
    row is bad. Returns the number of devices created.
    """
    if len(data) > IMPORT_MAX_BYTES:
        raise _reject(
            _("The file is larger than %(limit)d MB.") % {"limit": IMPORT_MAX_BYTES // 2**20}
        )
    if not data:
        raise _reject(_("The file is empty."))
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        header, lines, epoch = _read_xlsx(data)
    elif suffix == ".csv":
        header, lines, epoch = _read_csv(data)
    else:
        raise _reject(_("Upload an .xlsx or .csv file."))

    rows = _parse(header, lines, epoch=epoch)
    _resolve(rows)
    errors = [error for row in rows for error in row.errors]
    if errors:
        raise ImportRejected(_in_file_order(errors))

    with transaction.atomic():
        for row in rows:
            try:
                device_create(actor=actor, **row.resolved)
            except ValidationError as exc:
                # Reachable only when the installed base changed since the checks above
                # (someone entered a device with the same serial meanwhile, say).
                errors.extend(_validation_errors(row.number, exc))
        if errors:
            raise ImportRejected(_in_file_order(errors))  # leaving the block rolls back
    return len(rows)


# --- reading the file ---------------------------------------------------------------------

_Line = tuple[int, tuple[Any, ...]]


def _read_xlsx(data: bytes) -> tuple[tuple[Any, ...], list[_Line], datetime | None]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _reject(_("The file is not a readable XLSX workbook.")) from exc
    try:
        if not workbook.worksheets:
            raise _reject(_("The file is empty."))
        sheet = workbook.worksheets[0]
        header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        # Read no further right than the header reaches: cells there belong to no column.
        width = max((i + 1 for i, value in enumerate(header) if _text(value)), default=None)
        body = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
        return tuple(header[:width]), _data_lines(enumerate(body, start=2)), workbook.epoch
    finally:
        workbook.close()


def _read_csv(data: bytes) -> tuple[tuple[Any, ...], list[_Line], None]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in a Chinese locale saves "CSV" in the system code page (GBK ⊂ GB18030).
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise _reject(_("The file is neither UTF-8 nor GB18030 text.")) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = tuple(next(reader, ()))
        lines = _data_lines((number, tuple(values)) for number, values in enumerate(reader, 2))
    except csv.Error as exc:
        raise _reject(
            _("The file is not readable CSV: %(error)s") % {"error": exc}, row=reader.line_num
        ) from exc
    return header, lines, None


def _data_lines(numbered: Iterable[_Line]) -> list[_Line]:
    """The non-blank rows below the header; rejects the file past IMPORT_MAX_ROWS of them."""
    lines: list[_Line] = []
    for number, values in numbered:
        if not any(_text(value) for value in values):
            continue
        if len(lines) == IMPORT_MAX_ROWS:
            raise _reject(
                _("The file has more than %(limit)s devices; split it into several files.")
                % {"limit": f"{IMPORT_MAX_ROWS:,}"},
                row=number,
            )
        lines.append((number, values))
    return lines


# --- checking the rows --------------------------------------------------------------------


def _parse(header: tuple[Any, ...], lines: list[_Line], *, epoch: datetime | None) -> list[_Row]:
    """Map the columns and check each cell on its own (no database yet)."""
    if not lines and not any(_text(value) for value in header):
        raise _reject(_("The file is empty."))
    columns = _columns(header)
    if not lines:
        raise _reject(_("The file holds no devices below the header row."))
    max_lengths = {
        name: Device._meta.get_field(name).max_length for name in ("serial", "firmware_version")
    }
    rows: list[_Row] = []
    for number, values in lines:
        cells = {
            column: values[index] if index < len(values) else None
            for column, index in columns.items()
        }
        row = _Row(number=number, values={column: _text(cells.get(column)) for column in COLUMNS})
        for column in ("organisation", "site", "model", "serial", "contract"):
            if not row.values[column]:
                row.error(column, _("This field is required."))
        for column, max_length in max_lengths.items():
            if len(row.values[column]) > max_length:
                row.error(column, _("At most %(limit)d characters.") % {"limit": max_length})
        try:
            row.installed_on = _date(cells["installed_on"], epoch=epoch)
        except (ValueError, OverflowError):
            row.error("installed_on", _("Write the date as YYYY-MM-DD."))
        rows.append(row)
    return rows


def _columns(header: tuple[Any, ...]) -> dict[str, int]:
    """Which cell of a row holds which column; rejects the file when a column is missing."""
    found: dict[str, int] = {}
    errors: list[RowError] = []
    for index, value in enumerate(header):
        column = _HEADER_TO_COLUMN.get(_header_key(value))
        if column is None:
            continue  # a column of the customer's own (remarks, …) is left alone
        if column in found:
            errors.append(
                RowError(row=1, field=column, reason=_("Two columns name the same field."))
            )
        found[column] = index
    for column in REQUIRED_COLUMNS:
        if column not in found:
            reason = _("The column is missing; head it with one of: %(headers)s.") % {
                "headers": " / ".join(COLUMNS[column])
            }
            errors.append(RowError(row=1, field=column, reason=reason))
    if errors:
        raise ImportRejected(_in_file_order(errors))
    return found


def _resolve(rows: list[_Row]) -> None:
    """Find each row's organisation, site, model and contract, and check its serial.

    Each kind of reference is looked up for all rows at once (in chunks of LOOKUP_CHUNK
    distinct values), never once per row.
    """
    organisation_of = _organisation_finder(_distinct(rows, "organisation"))
    organisations: dict[int, Organisation] = {}  # by row number
    for row in rows:
        if row.values["organisation"]:
            organisation, reason = organisation_of(row.values["organisation"])
            if reason:
                row.error("organisation", reason)
            else:
                organisations[row.number] = organisation

    organisation_ids = sorted({organisation.pk for organisation in organisations.values()})
    sites: dict[tuple[int, str], Site] = {}
    for ids in _chunks(organisation_ids):
        for names in _chunks(_distinct(rows, "site")):
            for site in Site.objects.filter(organisation_id__in=ids, name__in=names):
                sites[(site.organisation_id, site.name)] = site

    contracts: dict[str, Contract] = {}
    for numbers in _chunks(_distinct(rows, "contract")):
        for contract in Contract.objects.filter(number__in=numbers).select_related("organisation"):
            contracts[contract.number] = contract

    model_of = _model_finder()
    existing: set[tuple[str, str]] = set()
    for serials in _chunks(_distinct(rows, "serial")):
        existing.update(Device.objects.filter(serial__in=serials).values_list("vendor", "serial"))

    first_row_of: dict[tuple[str, str], int] = {}
    for row in rows:
        organisation = organisations.get(row.number)
        values = row.values
        site = None
        if organisation is not None and values["site"]:
            site = sites.get((organisation.pk, values["site"]))
            if site is None:
                row.error(
                    "site",
                    _("%(organisation)s has no site named “%(value)s”.")
                    % {"organisation": organisation.name, "value": values["site"]},
                )

        model = None
        if values["model"]:
            model, reason = model_of(values["model"], vendor=values["vendor"])
            if reason:
                row.error("model", reason)

        if model is not None and values["serial"]:
            key = (model.vendor, values["serial"])
            if key in existing:
                row.error(
                    "serial",
                    _("A device of %(vendor)s with serial number %(value)s already exists.")
                    % {"vendor": model.vendor, "value": values["serial"]},
                )
            elif key in first_row_of:
                row.error(
                    "serial",
                    _("Serial number %(value)s of %(vendor)s is also on row %(row)d.")
                    % {"vendor": model.vendor, "value": values["serial"], "row": first_row_of[key]},
                )
            else:
                first_row_of[key] = row.number

        contract = None
        if values["contract"]:
            contract = contracts.get(values["contract"])
            if contract is None:
                row.error(
                    "contract",
                    _("No contract has the number %(value)s.") % {"value": values["contract"]},
                )
            elif organisation is not None and contract.organisation_id != organisation.pk:
                row.error(
                    "contract",
                    _("Contract %(value)s belongs to another organisation (%(owner)s).")
                    % {"value": contract.number, "owner": contract.organisation.name},
                )

        if not row.errors:
            row.resolved = {
                "model": model,
                "serial": values["serial"],
                "site": site,
                "contract": contract,
                "installed_on": row.installed_on,
                "firmware_version": values["firmware_version"],
            }


def _organisation_finder(names: list[str]):
    """Match by full name, else by short name when exactly one organisation bears it."""
    by_name: dict[str, Organisation] = {}
    by_short_name: dict[str, dict[int, Organisation]] = defaultdict(dict)
    for chunk in _chunks(names):
        for organisation in Organisation.objects.filter(
            Q(name__in=chunk) | Q(short_name__in=chunk)
        ):
            by_name[organisation.name] = organisation
            if organisation.short_name:
                by_short_name[organisation.short_name][organisation.pk] = organisation

    def find(value: str) -> tuple[Organisation | None, str]:
        if value in by_name:
            return by_name[value], ""
        candidates = list(by_short_name.get(value, {}).values())
        if len(candidates) == 1:
            return candidates[0], ""
        if candidates:
            return None, _(
                "Several organisations have the short name “%(value)s”; write the full name."
            ) % {"value": value}
        return None, _("No organisation is named “%(value)s”.") % {"value": value}

    return find


def _model_finder():
    """Match a model by its name, or by "vendor name" (Polycom RMX 2000), ignoring case.

    The catalogue is reference data of a few hundred rows, read once.
    """
    by_key: dict[str, dict[int, DeviceModel]] = defaultdict(dict)
    for model in DeviceModel.objects.all():
        by_key[_model_key(model.name)][model.pk] = model
        by_key[_model_key(f"{model.vendor} {model.name}")][model.pk] = model

    def find(value: str, *, vendor: str) -> tuple[DeviceModel | None, str]:
        candidates = list(by_key.get(_model_key(value), {}).values())
        if vendor:
            candidates = [m for m in candidates if _model_key(m.vendor) == _model_key(vendor)]
        if len(candidates) == 1:
            return candidates[0], ""
        if candidates:
            example = f"{candidates[0].vendor} {candidates[0].name}"
            return None, _(
                "Several vendors make a model named “%(value)s”; write the vendor before it, "
                "as in “%(example)s”."
            ) % {"value": value, "example": example}
        return None, _("No device model is named “%(value)s”.") % {"value": value}

    return find


def _validation_errors(number: int, exc: ValidationError) -> Iterator[RowError]:
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for name, reasons in messages.items():
        column = name if name in COLUMNS else ""
        yield from (RowError(row=number, field=column, reason=reason) for reason in reasons)


# --- small helpers ------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a serial or contract number typed into a number cell
    return str(value).strip()


def _header_key(value: Any) -> str:
    return re.sub(r"[\s\-]+", "_", _text(value).lower())


def _model_key(value: str) -> str:
    return " ".join(value.split()).casefold()


def _date(value: Any, *, epoch: datetime | None) -> date | None:
    """A date cell, an Excel day number, or text such as 2024-03-05 or 2024/3/5."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and epoch is not None:
        day = from_excel(value, epoch=epoch)
        if isinstance(day, datetime) and day.year in _EXCEL_SERIAL_YEARS:
            return day.date()
        raise ValueError(value)
    text = _text(value)
    if not text:
        return None
    match = _DATE_RE.fullmatch(text)
    if match is None:
        raise ValueError(text)
    return date(*(int(part) for part in match.groups()))


def _distinct(rows: list[_Row], column: str) -> list[str]:
    return sorted({row.values[column] for row in rows} - {""})


def _chunks(values: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _in_file_order(errors: list[RowError]) -> list[RowError]:
    return sorted(errors, key=lambda error: (error.row, _COLUMN_ORDER.get(error.field, -1)))


# --- export -------------------------------------------------------------------------------


def devices_export_filename(*, on: date) -> str:
    return f"devices-{on:%Y%m%d}.xlsx"


def devices_export_xlsx(*, devices: QuerySet[Device]) -> bytes:
    """The devices as an XLSX sheet with a Chinese header row; at most EXPORT_MAX_ROWS.

    `devices` is already scoped to the user and filtered. Streams in chunks, so memory and
    the number of queries stay flat however many devices there are.
    """
    # "In warranty" is the list filter's own definition, so the column agrees with it.
    covered = DeviceFilter(in_warranty=True).get_filter_expression()
    devices = devices.select_related("model", "site__organisation", "contract").annotate(
        in_warranty_today=ExpressionWrapper(covered, output_field=BooleanField())
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="设备")
    sheet.append(EXPORT_HEADER)
    for index, device in enumerate(devices[: EXPORT_MAX_ROWS + 1].iterator(chunk_size=2000)):
        if index == EXPORT_MAX_ROWS:
            note = _("Only the first %(limit)s devices are exported; narrow the filters.")
            sheet.append([note % {"limit": f"{EXPORT_MAX_ROWS:,}"}])
            break
        site = device.site
        sheet.append(
            [
                _export_cell(sheet, value)
                for value in (
                    site.organisation.name,
                    site.name,
                    site.city,
                    device.vendor,
                    device.model.name,
                    str(device.model.get_kind_display()),
                    device.serial,
                    device.contract.number,
                    device.firmware_version,
                    device.installed_on,
                    str(device.get_status_display()),
                    "是" if device.in_warranty_today else "否",
                    device.contract.warranty_ends_on,
                )
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _export_cell(sheet, value: Any) -> Any:
    """Text stays text: "=…" typed into a serial or site name must not become a formula."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith("=") or value.startswith("#"):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
