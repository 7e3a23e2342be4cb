"""Targets export for other school systems (CSV and .xlsx): every cell is text.

Values that a spreadsheet would read as a formula (starting with =, +, -, @, tab, carriage
return or NUL) are neutralised with a leading single quote (OWASP CSV injection).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from server.services.targets.pupil_targets import PupilTargetRow

COLUMNS: tuple[str, ...] = (
    "UPN", "Forename", "Surname", "Subject", "Target", "Benchmark grade", "Estimate",
)
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\x00")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: object) -> str:
    """The value as text, with a leading ' when it starts like a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_DANGEROUS) else text


def export_row(row: PupilTargetRow) -> list[str]:
    estimate = row.estimate()
    return [
        neutralise(v)
        for v in (
            row.pupil.upn, row.pupil.forename, row.pupil.surname, row.subject.name,
            row.target.grade if row.target else "",
            estimate.grade if estimate else "",
            estimate.fine_grade if estimate else "",
        )
    ]


def file_name(urn: str, key_stage: str, year_group: int, extension: str) -> str:
    return f"targets-{urn}-{key_stage}-year{year_group}.{extension}"


def workbook_bytes(rows: Iterable[Sequence[str]], title: str = "Targets") -> bytes:
    """A one-sheet workbook, header first, every cell a text cell (number format @)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])

    def text_cells(values: Sequence[str]) -> list[WriteOnlyCell]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            cell.data_type = "s"
            cell.number_format = "@"
            cells.append(cell)
        return cells

    sheet.append(text_cells(COLUMNS))
    for row in rows:
        sheet.append(text_cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
