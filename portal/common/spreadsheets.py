"""Reading uploaded spreadsheets (CSV, including Excel's GBK CSV, and XLSX) into rows keyed by column, and
writing exports (openpyxl's write-only workbooks)."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal

from flask_babel import format_datetime
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.utils import get_column_letter

from portal.common.errors import MissingColumns, NotASpreadsheet

MAX_ROWS = 50_000


def _cells_to_text(values: Iterable[object]) -> list[str]:
    texts = []
    for value in values:
        if value is None:
            texts.append("")
        elif isinstance(value, float) and value.is_integer():
            texts.append(str(int(value)))  # Excel keeps long digit strings typed as numbers as floats
        else:
            texts.append(str(value).strip())
    return texts


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook  # imported on first use: keeps it off every worker's start-up

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise NotASpreadsheet() from error
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield _cells_to_text(values)
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if b"\x00" in data[:4096]:
        raise NotASpreadsheet()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise NotASpreadsheet()
    for values in csv.reader(io.StringIO(text)):
        yield _cells_to_text(values)


def read_spreadsheet(data: bytes, filename: str, headers: dict[str, tuple[str, ...]]) -> list[dict[str, str]]:
    """The rows of an uploaded CSV or XLSX file as dicts keyed by column, or ``NotASpreadsheet``.

    ``headers`` maps each column's key to the names its header may have (the second is shown when missing).
    """
    lowered = filename.lower()
    if lowered.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    elif lowered.endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    else:
        raise NotASpreadsheet()
    header = next(rows, None)
    if not header:
        raise NotASpreadsheet()
    positions: dict[str, int] = {}
    for key, names in headers.items():
        for index, cell in enumerate(header):
            if cell.strip().lower() in names:
                positions[key] = index
                break
    missing = [headers[key][1] for key in headers if key not in positions]
    if missing:
        raise MissingColumns(_("Columns missing from the first row: %(names)s.", names="、".join(missing)))
    records = []
    for values in rows:
        if not any(values):
            continue
        if len(records) >= MAX_ROWS:
            raise MissingColumns(_("At most %(n)d rows can be imported at once.", n=MAX_ROWS))
        records.append(
            {key: values[index] if index < len(values) else "" for key, index in positions.items()}
        )
    return records


# A cell's text that begins with one of these is read by spreadsheet programs as a formula (or, for tab
# and carriage return, slips one past a filter): a member naming a team ``=HYPERLINK("http://…")`` would
# otherwise put a live link into the admin's export (OWASP, "CSV Injection").
PERCENT_FORMAT = "0.00%"
MONEY_FORMAT = "#,##0.00"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text_cell(value):
    """``value`` as an export writes it: text that a spreadsheet would take for a formula is prefixed
    with an apostrophe (OWASP's advice; the name stays readable), everything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class ExportSheet:
    """A write-only sheet whose every appended cell goes through ``as_text_cell``: exports cannot write a
    formula, whoever chose the text. Anything else is the sheet's own (``WriteOnlyCell`` takes it)."""

    def __init__(self, sheet) -> None:
        self._sheet = sheet

    def append(self, row) -> None:
        cells = []
        for cell in row:
            if isinstance(cell, Cell):  # a WriteOnlyCell with its own number format
                cell.value = as_text_cell(cell.value)
                cells.append(cell)
            else:
                cells.append(as_text_cell(cell))
        self._sheet.append(cells)

    def __getattr__(self, name: str):
        return getattr(self._sheet, name)


def new_workbook(title: str, *head_rows: list) -> tuple[Workbook, ExportSheet]:
    """A write-only workbook with one sheet (Excel allows 31 characters of title) and its first rows, the
    last of them the column headers: the rows above the data stay in view when scrolling (frozen), and
    each column is as wide as its header. Every cell appended is escaped (``ExportSheet``)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    if head_rows:
        sheet.freeze_panes = f"A{len(head_rows) + 1}"
        for index, header in enumerate(head_rows[-1], start=1):
            sheet.column_dimensions[get_column_letter(index)].width = _width(str(header))
    export = ExportSheet(sheet)
    for row in head_rows:
        export.append(row)
    return workbook, export


def _width(text: str) -> float:
    """A column's width for ``text`` in Excel's units: a CJK character takes two, bounds 10 to 40."""
    units = sum(2 if ord(character) >= 0x2E80 else 1 for character in text)
    return float(min(max(units + 2, 10), 40))


def percent_cell(sheet, ratio) -> WriteOnlyCell | None:
    """A ratio (0.6364, a ``Fraction``) as a number Excel shows as a percentage (63.64%); empty when there
    is none."""
    if ratio is None:
        return None
    cell = WriteOnlyCell(sheet, value=round(float(ratio), 4))  # what "0.00%" shows
    cell.number_format = PERCENT_FORMAT
    return cell


def money_cell(sheet, fen: int | None) -> WriteOnlyCell | None:
    """An amount kept in fen as a number of yuan (1.00), formatted as money; empty when there is none."""
    if fen is None:
        return None
    cell = WriteOnlyCell(sheet, value=Decimal(fen) / 100)
    cell.number_format = MONEY_FORMAT
    return cell


def saved_workbook(workbook: Workbook) -> tempfile.SpooledTemporaryFile:
    """The workbook written to a temporary file (in memory up to 8 MB), rewound for streaming."""
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the caller streams and closes it
    workbook.save(handle)
    handle.seek(0)
    return handle


def cell_time(instant: datetime | None) -> str:
    """An instant as exports write it: local time to the second; empty when there is none."""
    return format_datetime(instant, "yyyy-MM-dd HH:mm:ss") if instant else ""
