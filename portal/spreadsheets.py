"""Reading and writing spreadsheets (CSV and XLSX) safely, for imports and exports.

Reading: `read_table(upload)` turns an uploaded CSV (UTF-8, with or without BOM; comma, semicolon or
tab separated) or XLSX (first worksheet) into a header row and data rows numbered as the spreadsheet
shows them; every problem is a `SpreadsheetError` with a message for the user (too big, wrong type,
empty, not UTF-8, damaged). Cell values arrive as JSON-friendly Python values (str, int, float,
bool, None; dates as ISO strings).

Writing: `write_csv` / `write_xlsx` / `spreadsheet_response` escape every text cell that a
spreadsheet program would run as a formula (one starting with =, +, -, @, tab or carriage return) by
prefixing a single quote, so exported data can never execute in the reader's spreadsheet.
"""
from __future__ import annotations

import csv
import datetime
import decimal
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 100
# An XLSX is a zip: refuse archives that would unpack to far more than any honest sheet (zip bombs).
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(Exception):
    """A file the user uploaded cannot be read; the message says why, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """A sheet's header row and its non-empty data rows as (row number in the sheet, cells)."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    header_row: int = 1


# --- reading --------------------------------------------------------------------------------------


def detect_format(name: str, head: bytes) -> str:
    """CSV or XLSX from the file's name and first bytes; anything else is a SpreadsheetError."""
    lowered = (name or "").lower()
    is_zip = head.startswith(b"PK\x03\x04")
    if lowered.endswith((".xlsx", ".xlsm")):
        if not is_zip:
            raise SpreadsheetError(_("This file is not a valid XLSX workbook."))
        return XLSX
    if lowered.endswith((".csv", ".txt")):
        if is_zip or head.startswith(b"\xd0\xcf\x11\xe0"):
            raise SpreadsheetError(_("This file has a .csv name but is not a text file; save it as CSV (UTF-8)."))
        return CSV
    if lowered.endswith(".xls") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(_("Old Excel files (.xls) cannot be read; save the sheet as .xlsx or as CSV (UTF-8)."))
    raise SpreadsheetError(_("Upload an XLSX workbook or a CSV file (UTF-8)."))


def read_table(upload, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Table:
    """Read an uploaded file (a Django UploadedFile or any binary file with a `name`)."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise SpreadsheetError(_("The file is too big (%(size)s MB); the limit is %(limit)s MB.") % {
            "size": _megabytes(size), "limit": _megabytes(max_bytes)})
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SpreadsheetError(_("The file is too big; the limit is %(limit)s MB.") % {"limit": _megabytes(max_bytes)})
    if not data.strip():
        raise SpreadsheetError(_("The file is empty."))
    kind = detect_format(getattr(upload, "name", ""), data[:8])
    table = _read_xlsx(data, max_rows) if kind == XLSX else _read_csv(data, max_rows)
    if not any(h for h in table.headers):
        raise SpreadsheetError(_("The file is empty."))
    if not table.rows:
        raise SpreadsheetError(_("The file has a header row but no data rows."))
    return table


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _too_many_rows(max_rows: int) -> SpreadsheetError:
    return SpreadsheetError(_("The file has more than %(max)s data rows; split it into smaller files.") % {
        "max": max_rows})


def _collect(lines: Iterable[tuple[int, Sequence[Any]]], max_rows: int) -> Table:
    table: Table | None = None
    for number, cells in lines:
        cells = [_json_value(c) for c in cells[:MAX_COLUMNS]]
        while cells and _blank(cells[-1]):
            cells.pop()
        if not cells:
            continue
        if table is None:
            table = Table(headers=[str(c).strip() if c is not None else "" for c in cells], header_row=number)
            continue
        if len(table.rows) >= max_rows:
            raise _too_many_rows(max_rows)
        table.rows.append((number, cells))
    return table or Table(headers=[])


def _json_value(value: Any) -> Any:
    """A cell as str/int/float/bool/None (dates as ISO text), with a leading export escape undone."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return unescape_cell(value)
    return value


def _read_csv(data: bytes, max_rows: int) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(
            _("The CSV file is not UTF-8 text; in your spreadsheet program save it as “CSV UTF-8”.")
        ) from exc
    if "\x00" in text:
        raise SpreadsheetError(_("This file has a .csv name but is not a text file; save it as CSV (UTF-8)."))
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    try:
        dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar='"')
    try:
        return _collect(((reader.line_num, row) for row in reader), max_rows)
    except csv.Error as exc:
        raise SpreadsheetError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def _read_xlsx(data: bytes, max_rows: int) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED_BYTES:
                raise SpreadsheetError(_("This workbook is too big to read."))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except SpreadsheetError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged or foreign files
        raise SpreadsheetError(_("This file is not a valid XLSX workbook.")) from exc
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_("The file is empty."))
        sheet = workbook.worksheets[0]
        try:
            lines = (
                (number, list(cells))
                for number, cells in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1)
            )
            return _collect(lines, max_rows)
        except SpreadsheetError:
            raise
        except Exception as exc:
            raise SpreadsheetError(_("This file is not a valid XLSX workbook.")) from exc
    finally:
        workbook.close()


# --- writing --------------------------------------------------------------------------------------


def escape_cell(value: Any) -> Any:
    """A cell value safe to put in a spreadsheet: text that would start a formula gets a leading
    single quote (numbers, dates and booleans are left as they are)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """Undo `escape_cell` on text read back from a file this portal wrote."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool | int | float | decimal.Decimal | datetime.date | datetime.datetime):
        return value
    return escape_cell(str(value))


def write_csv(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file (UTF-8 with BOM, so spreadsheet programs show Chinese text) with escaped cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_text(_cell(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def write_xlsx(
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet1",
    notes: Sequence[Sequence[Any]] | None = None,
    notes_title: str = "Notes",
) -> bytes:
    """An XLSX workbook: one sheet with a bold header row and the rows (text cells escaped, never
    formulas); `notes` adds a second sheet of explanations (escaped too)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    def clean(value: Any) -> Any:
        value = _cell(value)
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        return value

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(title)
    sheet.append([clean(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([clean(v) for v in row])
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[_column_letter(index)].width = max(12, min(40, len(str(header)) + 4))
    sheet.freeze_panes = "A2"
    if notes:
        extra = workbook.create_sheet(_sheet_title(notes_title))
        for row in notes:
            extra.append([clean(v) for v in row])
        for cell in extra[1]:
            cell.font = Font(bold=True)
        extra.column_dimensions["A"].width = 30
        extra.column_dimensions["B"].width = 14
        extra.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31] or "Sheet1"


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def spreadsheet_response(
    fmt: str, filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]], **xlsx_options
) -> HttpResponse:
    """A download of the rows as CSV or XLSX (`filename` without extension, ASCII)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown spreadsheet format {fmt!r}")
    body = write_xlsx(headers, rows, **xlsx_options) if fmt == XLSX else write_csv(headers, rows)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
