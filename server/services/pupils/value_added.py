"""A school's value-added history: importing it from CSV and showing it with the indicator.

Each row gives a school's value added (the mean residual y - est_50 of its pupils, in
grade points of the subject's scale) in one subject in one academic year. The file is
applied all or nothing: any row with a problem refuses the whole file with every
problem listed. Rows update the year's figure when it is already there (upsert).

The "Your school" indicator comes from the estimates engine over the three academic
years ending at the latest year the school has value added for in the key stage, as the
target-setting pages compute it.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import anyio
from tortoise.transactions import in_transaction

from server.models import SchoolValueAdded, Subject
from server.models.enums import KeyStage
from server.services.accounts.audit import Actor, record
from server.services.catalogue import ensure_subjects
from server.services.errors import UserInputError
from server.services.estimates import model
from server.services.estimates.parameters import load_parameters
from server.services.estimates.subjects import subjects_for
from server.services.pupils.errors import ValueAddedErrorCode
from server.services.pupils.importing import academic_year_label, school_by_id
from server.services.pupils.reading import match_columns, read_table

MAX_VALUE_ADDED_ROWS = 2000
FIRST_YEAR = 2000

COLUMNS: dict[str, tuple[str, ...]] = {
    "academic_year": ("Academic year", "Year"),
    "key_stage": ("Key stage", "KS"),
    "subject": ("Subject code or name", "Subject", "Subject code", "Subject name"),
    "value_added": ("Value added", "VA"),
    "pupils": ("Pupils", "Number of pupils"),
}

# The largest believable mean residual on each key stage's points scale.
VALUE_ADDED_LIMIT = {KeyStage.KS2: 20.0, KeyStage.KS4: 5.0, KeyStage.KS5: 4.0}


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    message: str


class ValueAddedFileError(UserInputError):
    """The file was refused: every problem found, by row and column."""

    def __init__(self, problems: list[RowProblem]) -> None:
        count = len(problems)
        super().__init__(
            f"The file has {count} problem{'s' if count != 1 else ''}: nothing was imported. "
            "Correct the rows listed and upload it again",
            field="file", code=ValueAddedErrorCode.INVALID)
        self.problems = problems


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def parse_academic_year(text: str) -> int:
    """2025, "2025/26" or "2025/2026" -> 2025 (the year the academic year starts)."""
    match = re.fullmatch(r"(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?", text.strip())
    if not match:
        raise ValueError("not an academic year")
    start = int(match.group(1))
    if match.group(2) is not None:
        end = int(match.group(2))
        if end % 100 != (start + 1) % 100:
            raise ValueError("the two years do not follow each other")
    return start


def parse_key_stage(text: str) -> KeyStage:
    key = text.strip().upper().replace(" ", "").replace("KEYSTAGE", "KS")
    if key in ("2", "4", "5"):
        key = "KS" + key
    return KeyStage(key)


SubjectKeys = dict[tuple[KeyStage, str], Subject]


def _subject_keys(subjects: SubjectKeys) -> SubjectKeys:
    keys: SubjectKeys = {}
    for (ks, code), subject in subjects.items():
        keys[(ks, code.lower())] = subject
        keys[(ks, subject.name.strip().lower())] = subject
    return keys


def parse_rows(
    rows: tuple[tuple[int, tuple[Any, ...]], ...], positions: dict[str, int],
    subjects: dict[tuple[KeyStage, str], Subject],
) -> tuple[dict[tuple[int, int], tuple[float, int]], list[RowProblem]]:
    """(subject id, academic year) -> (value added, pupils), and the problems found."""
    keys = _subject_keys(subjects)
    found: dict[tuple[int, int], tuple[float, int]] = {}
    seen_on: dict[tuple[int, int], int] = {}
    problems: list[RowProblem] = []
    for number, cells in rows:
        cell = {f: _text(cells[i]) if i < len(cells) else "" for f, i in positions.items()}
        before = len(problems)
        year = ks = subject = va = pupils = None
        try:
            year = parse_academic_year(cell["academic_year"])
            if not FIRST_YEAR <= year <= 2100:
                raise ValueError
        except ValueError:
            problems.append(RowProblem(number, "Academic year", "Enter the academic year, like "
                                                                "2025/26 or 2025"))
        try:
            ks = parse_key_stage(cell["key_stage"])
        except ValueError:
            problems.append(RowProblem(number, "Key stage", "Key stage must be KS2, KS4 or KS5"))
        if ks is not None:
            subject = keys.get((ks, cell["subject"].strip().lower()))
            if subject is None:
                names = ", ".join(s.name for s in subjects_for(ks.value))
                problems.append(RowProblem(
                    number, "Subject",
                    f"“{cell['subject'][:60]}” is not a {ks.value} subject. Use a code or "
                    f"name from: {names}" if cell["subject"] else "Enter the subject"))
        try:
            va = float(cell["value_added"])
            if not math.isfinite(va):
                raise ValueError
            if ks is not None and abs(va) > VALUE_ADDED_LIMIT[ks]:
                problems.append(RowProblem(
                    number, "Value added",
                    f"Value added must be between -{VALUE_ADDED_LIMIT[ks]:g} and "
                    f"{VALUE_ADDED_LIMIT[ks]:g} grade points for {ks.value}"))
        except ValueError:
            problems.append(RowProblem(number, "Value added", "Value added must be a number "
                                                              "of grade points, like 0.25"))
        try:
            pupils = int(cell["pupils"])
            if pupils < 1:
                raise ValueError
        except ValueError:
            problems.append(RowProblem(number, "Pupils", "Pupils must be a whole number, 1 "
                                                         "or more"))
        if len(problems) > before or subject is None or year is None:
            continue
        key = (subject.id, year)
        if key in seen_on:
            problems.append(RowProblem(
                number, "Subject",
                f"{subject.name} ({ks.value if ks else ''}) in {academic_year_label(year)} is "
                f"also on row {seen_on[key]}"))
            continue
        seen_on[key] = number
        found[key] = (float(va), int(pupils))  # type: ignore[arg-type]
    return found, problems


@dataclass(frozen=True)
class ValueAddedImport:
    rows: int
    created: int
    updated: int


async def import_value_added(
    school_id: int, data: bytes, actor: Actor, file_name: str = "value-added.csv"
) -> ValueAddedImport:
    """Upsert a school's value added from a file; all or nothing."""
    await school_by_id(school_id)
    table = await anyio.to_thread.run_sync(read_table, data, MAX_VALUE_ADDED_ROWS,
                                           "value-added rows")
    positions = match_columns(table.header, COLUMNS)
    subjects = await ensure_subjects()
    found, problems = parse_rows(table.rows, positions, subjects)
    if problems:
        raise ValueAddedFileError(problems)
    if not found:
        raise UserInputError("The file has the column headings but no rows", field="file",
                             code=ValueAddedErrorCode.NO_ROWS)
    async with in_transaction() as connection:
        existing = await SchoolValueAdded.filter(
            school_id=school_id, subject_id__in=sorted({s for s, _ in found})
        ).using_db(connection).values_list("subject_id", "academic_year")
        known = {(s, y) for s, y in existing}
        await SchoolValueAdded.bulk_create(
            [SchoolValueAdded(school_id=school_id, subject_id=s, academic_year=y,
                              value_added=va, pupils=n)
             for (s, y), (va, n) in sorted(found.items())],
            batch_size=500, on_conflict=["school_id", "subject_id", "academic_year"],
            update_fields=["value_added", "pupils"], using_db=connection,
        )
        updated = sum(1 for key in found if key in known)
        result = ValueAddedImport(rows=len(found), created=len(found) - updated,
                                  updated=updated)
        await record(actor, "school.value_added.import", school_id,
                     detail={"file": file_name[:200], **result.__dict__},
                     connection=connection)
    return result


@dataclass(frozen=True)
class YearValue:
    academic_year: int
    value_added: float | None
    pupils: int | None

    @property
    def label(self) -> str:
        return academic_year_label(self.academic_year)


@dataclass(frozen=True)
class SubjectHistory:
    key_stage: KeyStage
    code: str
    name: str
    years: tuple[YearValue, ...]  # the three years of the window, oldest first
    indicator: int | None


async def value_added_history(school_id: int) -> list[SubjectHistory]:
    """Per key stage and subject with any history: the last three years and the indicator."""
    rows = await SchoolValueAdded.filter(school_id=school_id).values(
        "subject__key_stage", "subject__code", "subject__name", "subject__sort_order",
        "academic_year", "value_added", "pupils")
    by_stage: dict[KeyStage, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_stage[KeyStage(row["subject__key_stage"])].append(row)
    out: list[SubjectHistory] = []
    for ks in (KeyStage.KS2, KeyStage.KS4, KeyStage.KS5):
        stage_rows = by_stage.get(ks)
        if not stage_rows:
            continue
        latest = max(r["academic_year"] for r in stage_rows)
        window = (latest - 2, latest - 1, latest)
        parameters = load_parameters(ks.value)
        by_subject: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        order: dict[str, tuple[int, str]] = {}
        for r in stage_rows:
            by_subject[r["subject__code"]][r["academic_year"]] = r
            order[r["subject__code"]] = (r["subject__sort_order"], r["subject__name"])
        for code in sorted(by_subject, key=lambda c: order[c]):
            years = by_subject[code]
            values = tuple(
                YearValue(y, years[y]["value_added"] if y in years else None,
                          years[y]["pupils"] if y in years else None)
                for y in window
            )
            if all(v.value_added is None for v in values):
                continue  # only years older than the window
            indicator = (
                model.school_indicator([v.value_added for v in values], parameters[code].su)
                if code in parameters.subjects else None
            )
            out.append(SubjectHistory(ks, code, order[code][1], values, indicator))
    return out
