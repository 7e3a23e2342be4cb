"""Reading an uploaded pupil or value-added file (.xlsx or CSV) safely.

A reader of its own shape (a header row and thousands of pupils; server.services.
spreadsheets.reading is built for batches of at most 100 people), with the shared safety
checks of server.services.uploads in its own words: the real type is decided by the first
bytes, never the file name; an .xlsx has its zip directory and every XML part checked
before openpyxl opens it read-only; rows are capped and the sheet's declared dimensions are
never trusted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from server.services import uploads
from server.services.pupils.errors import PupilFileErrorCode
from server.services.uploads import MAX_FILE_BYTES, OLE2_MAGIC, XLSX_MAGIC, Refusal, UploadError

__all__ = ["MAX_FILE_BYTES", "WORDING", "Table", "UploadError", "match_columns", "read_table"]

MAX_COLUMNS = 50
_NOT_XLSX = "The file is not a readable .xlsx spreadsheet"
WORDING = uploads.Wording(
    empty=Refusal("The selected file is empty", PupilFileErrorCode.REQUIRED),
    too_large=Refusal("The file must be smaller than 5 MB", PupilFileErrorCode.TOO_LARGE),
    damaged=Refusal(_NOT_XLSX, PupilFileErrorCode.UNREADABLE),
    too_many_parts=Refusal(_NOT_XLSX + " (too many parts)", PupilFileErrorCode.UNREADABLE),
    expands_too_far=Refusal("The spreadsheet is too large once opened: it can be at most 50 MB",
                            PupilFileErrorCode.UNREADABLE),
    too_compressed=Refusal("The file cannot be opened safely: it expands to far more data "
                           "than a spreadsheet of pupils needs", PupilFileErrorCode.UNREADABLE),
    protected=Refusal("The spreadsheet is protected with a password: remove the password "
                      "in Excel and upload it again", PupilFileErrorCode.UNREADABLE),
    not_workbook=Refusal("The file is a zip file, not an .xlsx spreadsheet",
                         PupilFileErrorCode.UNREADABLE),
    unsafe_xml=Refusal("The file cannot be opened safely: it contains a DOCTYPE or entity "
                       "definitions, which a spreadsheet saved by Excel never has. Save it "
                       "again from Excel as .xlsx or CSV", PupilFileErrorCode.UNREADABLE),
    not_base64=Refusal("The file could not be read: upload it again",
                       PupilFileErrorCode.UNREADABLE),
)


@dataclass(frozen=True)
class Table:
    """The header row and the data rows, each with its row number in the file."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]


def _refuse(message: str, code: PupilFileErrorCode = PupilFileErrorCode.UNREADABLE) -> UploadError:
    return UploadError(message, code)


def row_cap(max_rows: int, what: str) -> uploads.RowCap:
    """At most `max_rows` data rows, and twice that plus 1,000 rows looked at."""
    scanned = 2 * max_rows + 1000
    return uploads.RowCap(
        rows=max_rows,
        scanned=scanned,
        too_many_rows=Refusal(f"The file has more than {max_rows:,} {what}: split it into "
                              "smaller files", PupilFileErrorCode.TOO_MANY_ROWS),
        too_many_scanned=Refusal(f"The file has more than {scanned:,} rows, counting blank "
                                 "ones: delete the empty rows below your data and upload it "
                                 "again", PupilFileErrorCode.TOO_MANY_ROWS),
    )


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

    uploads.check_zip(data, WORDING)
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
    except UploadError:
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

    Raises UploadError (field "file") for an empty, unreadable or oversized file, or
    one with more than `max_rows` data rows.
    """
    uploads.check_size(data, WORDING)
    if data.startswith(OLE2_MAGIC):
        raise _refuse("Old .xls files cannot be read here: save the file as .xlsx or CSV")
    cap = row_cap(max_rows, what)
    rows = _xlsx_rows(data, cap.scanned + 1) if data.startswith(XLSX_MAGIC) else _csv_rows(data)
    header: tuple[str, ...] | None = None
    found: list[tuple[int, tuple[Any, ...]]] = []
    for number, cells in enumerate(rows, start=1):
        cap.check_scanned(number)
        if _blank(cells):
            continue
        if header is None:
            header = tuple("" if c is None else str(c).strip() for c in cells)
            continue
        cap.check_kept(len(found) + 1)
        found.append((number, cells))
    if header is None:
        raise _refuse("The file has no header row: its first row must name the columns",
                      code=PupilFileErrorCode.NO_HEADER)
    return Table(header=header, rows=tuple(found))


def header_key(text: str) -> str:
    """A column name without case, spaces or punctuation: "Date of birth" -> "dateofbirth"."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def match_columns(
    header: tuple[str, ...], columns: dict[str, tuple[str, ...]]
) -> dict[str, int]:
    """Each field's column index, found by name in any order; UploadError if missing.

    `columns` maps a field to its accepted names, the first being the one to show.
    """
    positions: dict[str, int] = {}
    keys = [header_key(h) for h in header]
    for field, names in columns.items():
        wanted = {header_key(n) for n in names}
        hits = [i for i, key in enumerate(keys) if key in wanted]
        if len(hits) > 1:
            raise _refuse(f"The column {names[0]} appears more than once", code=PupilFileErrorCode.BAD_HEADER)
        if hits:
            positions[field] = hits[0]
    missing = [names[0] for field, names in columns.items() if field not in positions]
    if missing:
        raise _refuse(
            "The file's first row must name the columns. Missing: " + ", ".join(missing),
            code=PupilFileErrorCode.BAD_HEADER,
        )
    return positions
