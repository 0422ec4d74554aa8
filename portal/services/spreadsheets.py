"""Reading uploaded spreadsheets (CSV, including Excel's GBK CSV, and XLSX) into rows keyed by column, and
writing exports (openpyxl's write-only workbooks)."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from openpyxl import Workbook

from portal.services.errors import MissingColumns, NotASpreadsheet

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


def new_workbook(title: str, *head_rows: list) -> tuple[Workbook, object]:
    """A write-only workbook with one sheet (Excel allows 31 characters of title) and its first rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in head_rows:
        sheet.append(row)
    return workbook, sheet


def saved_workbook(workbook: Workbook) -> tempfile.SpooledTemporaryFile:
    """The workbook written to a temporary file (in memory up to 8 MB), rewound for streaming."""
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the caller streams and closes it
    workbook.save(handle)
    handle.seek(0)
    return handle


def cell_time(instant: datetime | None) -> str:
    """An instant as exports write it: local time to the second; empty when there is none."""
    return format_datetime(instant, "yyyy-MM-dd HH:mm:ss") if instant else ""
