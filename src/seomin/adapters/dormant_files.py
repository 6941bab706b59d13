"""Institutions' dormant-asset files as the importer reads them: CSV (UTF-8, with or without BOM) or XLSX
(the first sheet, the same header row). An XLSX is turned into the CSV text of the documented layout
(dates as YYYY-MM-DD, whole numbers without separators), so one importer validates both row by row."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

from openpyxl import load_workbook

MAX_BYTES = 200 * 1024 * 1024


class FileFormatError(ValueError):
    """A file that is neither UTF-8 CSV nor a readable XLSX workbook."""


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def xlsx_to_csv(data: bytes) -> str:
    """The first sheet of an XLSX workbook as CSV text; blank rows are dropped."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileFormatError(f"not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in sheet.iter_rows(values_only=True):
            cells = [_cell(v) for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                writer.writerow(cells)
        return out.getvalue()
    finally:
        workbook.close()


def file_text(name: str, data: bytes) -> str:
    """The CSV text of an uploaded file, by its content (an XLSX is a ZIP) more than its name (a file name
    or a content type)."""
    if len(data) > MAX_BYTES:
        raise FileFormatError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", "spreadsheetml.sheet")):
        return xlsx_to_csv(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileFormatError("a CSV file must be UTF-8") from None
