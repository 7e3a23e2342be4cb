"""A batch's remaining rows as an .xlsx to fix in Excel and upload again.

It starts from the template (same sheet, headings and dropdowns, so it can be uploaded
as it is), fills red and amber cells, puts a comment on each saying what is wrong and
adds a Problems column in words. Every cell is written as text, and values that a
spreadsheet could run as a formula (starting with = + - @ tab, carriage return or NUL)
are neutralised with a leading apostrophe.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from server.models.enums import BatchKind, OrganisationKind
from server.services.spreadsheets.columns import COLUMNS, SHEET_NAMES
from server.services.spreadsheets.templates import CONTENT_TYPES, SpreadsheetFile, xlsx_book

RED_FILL = "F6B4B4"
AMBER_FILL = "FFD98C"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")


class Note(Protocol):
    field: str | None
    severity: str  # "red" or "amber"
    message: str


@dataclass(frozen=True)
class AnnotatedRow:
    values: Mapping[str, str]
    notes: Sequence[Note]


def neutralise(value: str) -> str:
    """Text that no spreadsheet will take for a formula (OWASP CSV injection advice)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def annotated_workbook(
    kind: BatchKind, organisation_kind: OrganisationKind, rows: Sequence[AnnotatedRow],
    file_name: str,
) -> SpreadsheetFile:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    columns = COLUMNS[kind]
    book = xlsx_book(kind, organisation_kind)
    sheet = book[SHEET_NAMES[kind]]
    problems_col = len(columns) + 1
    header = sheet.cell(row=1, column=problems_col, value="Problems (ignored on upload)")
    header.font = Font(bold=True)
    sheet.column_dimensions[header.column_letter].width = 80
    fills = {
        "red": PatternFill("solid", fgColor=RED_FILL),
        "amber": PatternFill("solid", fgColor=AMBER_FILL),
    }
    for offset, row in enumerate(rows):
        row_index = offset + 2
        for col_index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=row_index, column=col_index)
            _text(cell, row.values.get(column.key, ""))
            notes = [note for note in row.notes if note.field == column.key]
            if notes:
                worst = "red" if any(n.severity == "red" for n in notes) else "amber"
                cell.fill = fills[worst]
                words = "\n".join(_describe(n) for n in notes)
                cell.comment = Comment(neutralise(words), "Aspire Open", width=300, height=120)
        summary = sheet.cell(row=row_index, column=problems_col)
        _text(summary, " ".join(f"{_heading(kind, n.field)}: {_describe(n)}" for n in row.notes))
        summary.alignment = Alignment(wrap_text=True)
    out = io.BytesIO()
    book.save(out)
    return SpreadsheetFile(file_name, CONTENT_TYPES["xlsx"], out.getvalue())


def _text(cell, value: str) -> None:
    cell.value = neutralise(value or "")
    cell.data_type = "s"  # never a formula, whatever the text looks like
    cell.number_format = "@"


def _describe(note: Note) -> str:
    prefix = "Error" if note.severity == "red" else "Check"
    return f"{prefix}: {note.message}"


def _heading(kind: BatchKind, key: str | None) -> str:
    for column in COLUMNS[kind]:
        if column.key == key:
            return column.heading
    return "Row"
