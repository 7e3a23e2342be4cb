"""The school's own expected grade at an assessment point, per subject and year group
(docs/API-TRACKING.md): set by administrators, cleared to go back to the linear path.

The rule that uses it is in flight_paths.expected_points; status.year_group_tracks reads the
table. Writing replaces in one statement (INSERT ... ON CONFLICT on the unique point,
subject and year group), so two administrators saving at once leave one row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from tortoise import connections
from tortoise.transactions import in_transaction

from server.models import AssessmentPoint, ExpectedGrade, Subject, Target
from server.models.enums import YEAR_GROUPS, BenchmarkLevel, KeyStage
from server.services.audit import Actor, record
from server.services.errors import UserInputError
from server.services.targets import sql
from server.services.targets.aggregates import is_suppressed, subjects_by_code
from server.services.targets.cohort import grade_formats, year_group_estimates
from server.services.tracking.errors import TrackingErrorCode
from server.services.tracking.flight_paths import expected_points, path_fraction, working_at_points
from server.services.tracking.status import key_stage_span

_UPSERT = """
INSERT INTO expected_grade (point_id, subject_id, year_group, grade, points, set_by_id, set_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (point_id, subject_id, year_group) DO UPDATE SET
    grade = excluded.grade, points = excluded.points,
    set_by_id = excluded.set_by_id, set_at = excluded.set_at
RETURNING id, grade, points
"""
_DELETE = "DELETE FROM expected_grade WHERE point_id = ? AND subject_id = ? AND year_group = ?"


class ExpectedGradesError(UserInputError):
    """Every refused subject of one save; the first one is the message. Nothing was saved."""

    def __init__(self, problems: list[UserInputError]) -> None:
        first = problems[0]
        super().__init__(first.message, first.field, first.code)
        self.problems = problems


async def point_for_year_group(school_id: int, point_id: int, year_group: int
                               ) -> AssessmentPoint:
    """One of the school's points that applies to the year group, else UNKNOWN_POINT or
    INVALID_YEAR_GROUP."""
    point = await AssessmentPoint.filter(id=point_id, school_id=school_id).first()
    if point is None:
        raise UserInputError("Choose one of your school's assessment points", field="pointId",
                             code=TrackingErrorCode.UNKNOWN_POINT)
    ks = KeyStage(point.key_stage)
    if year_group not in YEAR_GROUPS[ks] or (
        point.year_group is not None and point.year_group != year_group
    ):
        raise UserInputError(f"{point.name} is not an assessment point of Year {year_group}",
                             field="yearGroup", code=TrackingErrorCode.INVALID_YEAR_GROUP)
    return point


@dataclass(frozen=True)
class ExpectedSet:
    point: AssessmentPoint
    subject_code: str
    year_group: int
    grade: str
    points: float


def _parse(ks: KeyStage, code: str, grade: str, field: str) -> tuple[str, float]:
    if not (grade or "").strip():
        raise UserInputError("Enter the grade expected at this point", field=field,
                             code=TrackingErrorCode.REQUIRED)
    return working_at_points(grade_formats(ks, code), grade, field=field)


async def _subject(ks: KeyStage, code: str, field: str = "subjectCode") -> Subject:
    found = (await subjects_by_code(ks, [code])).get(code)
    if found is None:
        raise UserInputError(f"{code[:40]} is not a {ks.value} subject", field=field,
                             code=TrackingErrorCode.UNKNOWN_SUBJECT)
    return found


async def _upsert(connection, point_id: int, subject_id: int, year_group: int, grade: str,
                  points: float, actor: Actor) -> None:
    await sql.fetch(connection, _UPSERT, [
        point_id, subject_id, year_group, grade, points,
        actor.account.id if actor.account else None, datetime.now(UTC),
    ])


async def set_expected_grade(
    actor: Actor, school_id: int, point_id: int, year_group: int, subject_code: str, grade: str,
) -> ExpectedSet:
    """The school's expected grade for one subject at a point; bad input changes nothing."""
    point = await point_for_year_group(school_id, point_id, year_group)
    ks = KeyStage(point.key_stage)
    subject = await _subject(ks, subject_code)
    stored, points = _parse(ks, subject_code, grade, "grade")
    await _upsert(connections.get("default"), point.id, subject.id, year_group, stored, points,
                  actor)
    await record(actor, "tracking.expected_set", school_id, "assessment_point", str(point.id),
                 after={"subject": subject_code, "yearGroup": year_group, "grade": stored})
    return ExpectedSet(point, subject_code, year_group, stored, points)


async def clear_expected_grade(
    actor: Actor, school_id: int, point_id: int, year_group: int, subject_code: str,
) -> bool:
    """Back to the linear path; True when there was a school-set grade to clear."""
    point = await point_for_year_group(school_id, point_id, year_group)
    subject = await _subject(KeyStage(point.key_stage), subject_code)
    removed = await sql.execute(connections.get("default"), _DELETE,
                                [point.id, subject.id, year_group])
    if removed:
        await record(actor, "tracking.expected_cleared", school_id, "assessment_point",
                     str(point.id), before={"subject": subject_code, "yearGroup": year_group})
    return bool(removed)


async def set_expected_grades(
    actor: Actor, school_id: int, point_id: int, year_group: int, grades: Mapping[str, str],
) -> tuple[int, int]:
    """Every subject's expected grade at one point, a blank grade going back to linear: all
    saved in one transaction, or (any refused) none. The numbers set and cleared."""
    point = await point_for_year_group(school_id, point_id, year_group)
    ks = KeyStage(point.key_stage)
    subjects = await subjects_by_code(ks, list(grades))
    problems: list[UserInputError] = []
    to_set: list[tuple[Subject, str, float]] = []
    to_clear: list[Subject] = []
    for code, grade in grades.items():
        field = f"grade-{code}"
        subject = subjects.get(code)
        if subject is None:
            problems.append(UserInputError(f"{code[:40]} is not a {ks.value} subject",
                                           field=field, code=TrackingErrorCode.UNKNOWN_SUBJECT))
        elif not (grade or "").strip():
            to_clear.append(subject)
        else:
            try:
                stored, points = working_at_points(grade_formats(ks, code), grade, field=field)
            except UserInputError as error:
                problems.append(error)
                continue
            to_set.append((subject, stored, points))
    if problems:
        raise ExpectedGradesError(problems)
    cleared = 0
    async with in_transaction() as connection:
        for subject, stored, points in to_set:
            await _upsert(connection, point.id, subject.id, year_group, stored, points, actor)
        for subject in to_clear:
            cleared += await sql.execute(connection, _DELETE, [point.id, subject.id, year_group])
        await record(actor, "tracking.expected_saved", school_id, "assessment_point",
                     str(point.id), after={"yearGroup": year_group,
                                           "set": {s.code: g for s, g, _ in to_set},
                                           "cleared": cleared},
                     connection=connection)
    return len(to_set), cleared


@dataclass(frozen=True)
class ExpectedCell:
    point: AssessmentPoint
    linear_points: float | None  # the year group's mean linear value; None: none or too few
    grade: str | None  # the school's own, None: linear
    points: float | None


@dataclass(frozen=True)
class SubjectExpected:
    code: str
    name: str
    cells: list[ExpectedCell]


async def expected_grid(school_id: int, key_stage: KeyStage, year_group: int,
                        points: list[AssessmentPoint], threshold: int) -> list[SubjectExpected]:
    """Per included subject, per point: the school's grade, else the linear default shown as
    the year group's mean (the line from the mean starting position to the mean target of
    the pupils with a path), hidden for fewer than `threshold` pupils."""
    cohort = await year_group_estimates(school_id, key_stage, year_group)
    codes = [c for c in cohort.subjects if cohort.choices[c].included]
    if not codes:
        return []
    subjects = await subjects_by_code(key_stage, codes)
    by_id = {s.id: code for code, s in subjects.items()}
    targets: dict[str, dict[int, float]] = {c: {} for c in codes}
    for t in await Target.filter(
        school_id=school_id, year_group=year_group, deleted_at__isnull=True,
        history_academic_year__isnull=True, subject_id__in=list(by_id),
    ).values("pupil_id", "subject_id", "points"):
        targets[by_id[t["subject_id"]]][t["pupil_id"]] = float(t["points"])
    own = {
        (e["point_id"], by_id.get(e["subject_id"])): (e["grade"], e["points"])
        for e in await ExpectedGrade.filter(
            point_id__in=[p.id for p in points], year_group=year_group,
        ).values("point_id", "subject_id", "grade", "points")
    } if points else {}
    out = []
    for code in codes:
        starts = cohort.points(code, BenchmarkLevel.AVERAGE)
        pairs = [(float(starts[i]), targets[code][pid]) for i, pid in enumerate(cohort.pupil_ids)
                 if pid in targets[code] and not np.isnan(starts[i])]
        hidden = not pairs or is_suppressed(len(pairs), len(pairs), threshold)
        mean_start = float(np.mean([a for a, _ in pairs])) if pairs else 0.0
        mean_target = float(np.mean([b for _, b in pairs])) if pairs else 0.0
        cells = []
        for p in points:
            begins, ends = key_stage_span(key_stage, year_group, p.academic_year)
            linear = None if hidden else round(expected_points(
                mean_start, mean_target, path_fraction(p.on, begins, ends)), 2)
            grade, set_points = own.get((p.id, code), (None, None))
            cells.append(ExpectedCell(p, linear, grade, set_points))
        out.append(SubjectExpected(code, cohort.choices[code].name, cells))
    return out
