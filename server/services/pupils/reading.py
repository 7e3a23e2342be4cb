"""Reading an uploaded pupil or value-added file (.xlsx or CSV) safely.

A minimal reader of its own: server.services.spreadsheets.reading is built for user
batches (at most 100 rows, messages about people and templates), while a school's pupil
list has thousands of rows. The same rules hold here: the real type is decided by the
first bytes, never the file name; an .xlsx has its zip directory checked (declared
sizes, ratio, member count) before openpyxl opens it read-only; rows are capped and the
sheet's declared dimensions are never trusted.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from server.services.errors import UserInputError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 50
MAX_COLUMNS = 50

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other old Office files


@dataclass(frozen=True)
class Table:
    """The header row and the data rows, each with its row number in the file."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]


def _refuse(message: str, code: str = "UNREADABLE") -> UserInputError:
    return UserInputError(message, field="file", code=code)


def check_zip(data: bytes) -> None:
    """Refuse a zip whose declared contents are too big, too compressed or too many."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse("The file is not a readable .xlsx spreadsheet") from None
    if len(members) > MAX_MEMBERS:
        raise _refuse("The file is not a readable .xlsx spreadsheet (too many parts)")
    total = sum(m.file_size for m in members)
    compressed = sum(m.compress_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _refuse("The spreadsheet is too large once opened: it can be at most 50 MB")
    if total > MAX_RATIO * max(compressed, 1) or any(
        m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members
    ):
        raise _refuse("The file cannot be opened safely: it expands to far more data than "
                      "a spreadsheet of pupils needs")
    if any(m.flag_bits & 0x1 for m in members):
        raise _refuse("The spreadsheet is protected with a password: remove the password "
                      "in Excel and upload it again")
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise _refuse("The file is a zip file, not an .xlsx spreadsheet")


def _trim(cells: Iterable[Any]) -> tuple[Any, ...]:
    values = list(cells)[: MAX_COLUMNS + 1]
    while values and _empty(values[-1]):
        values.pop()
    return tuple(values)


def _empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _blank(cells: tuple[Any, ...]) -> bool:
    return all(_empty(c) for c in cells)


def _xlsx_rows(data: bytes, max_scanned: int) -> Iterator[tuple[Any, ...]]:
    import openpyxl  # defusedxml is installed, so openpyxl parses its XML safely

    check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise _refuse("The file is not a readable .xlsx spreadsheet") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise _refuse("The spreadsheet has no sheets")
        # max_row and max_col given: the sheet's declared <dimension> is never used.
        for row in sheet.iter_rows(max_row=max_scanned, max_col=MAX_COLUMNS, values_only=True):
            yield _trim(row)
    except UserInputError:
        raise
    except Exception:
        raise _refuse("The file is not a readable .xlsx spreadsheet") from None
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> Iterator[tuple[Any, ...]]:
    if b"\x00" in data:
        raise _refuse("The file is not a CSV or .xlsx file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise _refuse("The CSV file's characters could not be read: save it as UTF-8")
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            yield _trim(cell[:500] for cell in row[: MAX_COLUMNS + 1])
    except csv.Error:
        raise _refuse("The CSV file could not be read: check it is comma separated") from None


def read_table(data: bytes, max_rows: int, what: str = "pupils") -> Table:
    """The first sheet (or the CSV) as a header and data rows; blank rows are skipped.

    Raises UserInputError (field "file") for an empty, unreadable or oversized file, or
    one with more than `max_rows` data rows.
    """
    if not data:
        raise _refuse("The selected file is empty", code="REQUIRED")
    if len(data) > MAX_FILE_BYTES:
        raise _refuse("The file must be smaller than 5 MB", code="TOO_LARGE")
    if data.startswith(OLE_MAGIC):
        raise _refuse("Old .xls files cannot be read here: save the file as .xlsx or CSV")
    max_scanned = 2 * max_rows + 1000
    rows = _xlsx_rows(data, max_scanned) if data.startswith(XLSX_MAGIC) else _csv_rows(data)
    header: tuple[str, ...] | None = None
    found: list[tuple[int, tuple[Any, ...]]] = []
    for number, cells in enumerate(rows, start=1):
        if number > max_scanned:
            raise _refuse(
                f"The file has more than {max_scanned:,} rows, counting blank ones: delete "
                "the empty rows below your data and upload it again",
                code="TOO_MANY_ROWS",
            )
        if _blank(cells):
            continue
        if header is None:
            header = tuple("" if c is None else str(c).strip() for c in cells)
            continue
        if len(found) >= max_rows:
            raise _refuse(
                f"The file has more than {max_rows:,} {what}: split it into smaller files",
                code="TOO_MANY_ROWS",
            )
        found.append((number, cells))
    if header is None:
        raise _refuse("The file has no header row: its first row must name the columns",
                      code="NO_HEADER")
    return Table(header=header, rows=tuple(found))


def header_key(text: str) -> str:
    """A column name without case, spaces or punctuation: "Date of birth" -> "dateofbirth"."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def match_columns(
    header: tuple[str, ...], columns: dict[str, tuple[str, ...]]
) -> dict[str, int]:
    """Each field's column index, found by name in any order; UserInputError if missing.

    `columns` maps a field to its accepted names, the first being the one to show.
    """
    positions: dict[str, int] = {}
    keys = [header_key(h) for h in header]
    for field, names in columns.items():
        wanted = {header_key(n) for n in names}
        hits = [i for i, key in enumerate(keys) if key in wanted]
        if len(hits) > 1:
            raise _refuse(f"The column {names[0]} appears more than once", code="BAD_HEADER")
        if hits:
            positions[field] = hits[0]
    missing = [names[0] for field, names in columns.items() if field not in positions]
    if missing:
        raise _refuse(
            "The file's first row must name the columns. Missing: " + ", ".join(missing),
            code="BAD_HEADER",
        )
    return positions
