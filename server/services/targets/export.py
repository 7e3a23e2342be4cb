"""Targets export for other school systems (CSV and .xlsx): every cell is text.

Values that a spreadsheet would read as a formula (starting with =, +, -, @, tab, carriage
return or NUL) are neutralised with a leading single quote (OWASP CSV injection).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence

from server import xlsx_stream
from server.models.enums import BenchmarkLevel
from server.services.targets.pupil_targets import PupilTargetRow

COLUMNS: tuple[str, ...] = (
    "UPN", "Forename", "Surname", "Subject", "Target", "Benchmark grade", "Estimate",
)
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\x00")
XLSX_TYPE = xlsx_stream.CONTENT_TYPE


def neutralise(value: object) -> str:
    """The value as text, with a leading ' when it starts like a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_DANGEROUS) else text


def export_row(row: PupilTargetRow) -> list[str]:
    grade, fine_grade = _estimate_cells(row)
    return [
        neutralise(v)
        for v in (
            row.pupil.upn, row.pupil.forename, row.pupil.surname, row.subject.name,
            row.target.grade if row.target else "", grade, fine_grade,
        )
    ]


# The year group's benchmark and fine grades per subject, formatted once for all its pupils
# (with the scale's own array functions) rather than once per row. Kept per cohort object
# for as long as it lives (a weak reference: the entry goes with the cohort).
_FORMATTED: dict[int, tuple[weakref.ref, dict[tuple[str, str, int], tuple[list, list]]]] = {}


def _formatted(cohort) -> dict[tuple[str, str, int], tuple[list, list]]:
    key = id(cohort)
    kept = _FORMATTED.get(key)
    if kept is None or kept[0]() is not cohort:
        kept = (weakref.ref(cohort, lambda _, key=key: _FORMATTED.pop(key, None)), {})
        _FORMATTED[key] = kept
    return kept[1]


def _estimate_cells(row: PupilTargetRow) -> tuple[str, str]:
    """(benchmark grade, fine grade) as row.estimate() gives them, or ("", "") without one."""
    if row.column < 0:  # joined the year group after the estimates were read
        return "", ""
    code, level, scale = row.subject.code, BenchmarkLevel(row.choice.benchmark), row.scale
    by_subject = _formatted(row.cohort)
    cells = by_subject.get((code, level.value, id(scale)))
    if cells is None:
        points = row.cohort.points(code, level)
        cells = (scale.grades_of(points).tolist(), scale.format_fine_grades(points).tolist())
        by_subject[(code, level.value, id(scale))] = cells
    grade, fine_grade = cells[0][row.column], cells[1][row.column]
    return ("", "") if grade is None else (grade, fine_grade)


def file_name(urn: str, key_stage: str, year_group: int, extension: str) -> str:
    return f"targets-{urn}-{key_stage}-year{year_group}.{extension}"


def workbook_bytes(rows: Iterable[Sequence[str]], title: str = "Targets") -> bytes:
    """A one-sheet workbook, header first, every cell a text cell (number format @)."""
    return xlsx_stream.workbook_bytes(
        COLUMNS, ([neutralise(v) for v in row] for row in rows), title)
