"""Targets export for other school systems (CSV and .xlsx): every cell is text.

The rows hold the values as they are; the CSV encoder neutralises formula-like ones
(server.formula_safety), the workbook types every cell as text instead.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence

from server import xlsx_stream
from server.formula_safety import neutralise
from server.models.enums import BenchmarkLevel, PriorAttainmentSource
from server.services.targets.pupil_targets import PupilTargetRow

__all__ = ["COLUMNS", "XLSX_TYPE", "export_row", "file_name", "neutralise", "workbook_bytes"]

# "Estimate" is always the estimate's points with two decimals, whatever the subject's scale;
# "Benchmark grade" is the grade on the scale named by "Grade format". "Baseline" says what
# the estimate was made from: a standardised score is a fallback baseline (docs/BASELINES.md).
COLUMNS: tuple[str, ...] = (
    "UPN", "Forename", "Surname", "Subject", "Target", "Benchmark", "Benchmark grade",
    "Estimate", "Grade format", "Baseline",
)
BASELINE_WORDS = {
    PriorAttainmentSource.KS1: "KS1 result",
    PriorAttainmentSource.KS2: "KS2 result",
    PriorAttainmentSource.KS4: "GCSE results",
    PriorAttainmentSource.STANDARDISED_SCORE: "Standardised score (fallback baseline)",
    PriorAttainmentSource.NONE: "None (no estimate)",
}
BENCHMARK_WORDS = {BenchmarkLevel.AVERAGE: "Average (50th percentile)",
                   BenchmarkLevel.HIGH: "High (20th percentile)",
                   BenchmarkLevel.VERY_HIGH: "Very high (5th percentile)"}
XLSX_TYPE = xlsx_stream.CONTENT_TYPE


def benchmark_words(row: PupilTargetRow) -> str:
    """The "Benchmark" cell: a benchmark's name, or "Custom: " and the school's own level."""
    level = BenchmarkLevel(row.choice.benchmark)
    if level == BenchmarkLevel.CUSTOM:
        return f"Custom: {row.choice.custom.label}"
    return BENCHMARK_WORDS[level]


def export_row(row: PupilTargetRow) -> list[str]:
    """The row's values as text, not yet neutralised (the CSV encoder does that)."""
    grade, points = _estimate_cells(row)
    return [
        "" if v is None else str(v)
        for v in (
            row.pupil.upn, row.pupil.forename, row.pupil.surname, row.subject.name,
            row.target.grade if row.target else "",
            benchmark_words(row), grade, points,
            row.scale.name, BASELINE_WORDS[row.cohort.source(row.column)],
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
    """(benchmark grade, points with two decimals) as row.estimate() gives them, or ("", "")
    without one."""
    if row.column < 0:  # joined the year group after the estimates were read
        return "", ""
    code, level, scale = row.subject.code, BenchmarkLevel(row.choice.benchmark), row.scale
    by_subject = _formatted(row.cohort)
    cells = by_subject.get((code, level.value, id(scale)))
    if cells is None:
        points = row.cohort.points(code, level)
        cells = (scale.grades_of(points).tolist(),
                 [None if p != p else f"{p:.2f}" for p in points.tolist()])
        by_subject[(code, level.value, id(scale))] = cells
    grade, points = cells[0][row.column], cells[1][row.column]
    return ("", "") if grade is None else (grade, points)


def file_name(urn: str, key_stage: str, year_group: int, extension: str) -> str:
    return f"targets-{urn}-{key_stage}-year{year_group}.{extension}"


def workbook_bytes(rows: Iterable[Sequence[str]], title: str = "Targets") -> bytes:
    """A one-sheet workbook, header first, every cell a text cell (number format @): formula-
    like values stay as they are, since a typed text cell is never evaluated."""
    return xlsx_stream.workbook_bytes(COLUMNS, rows, title)
