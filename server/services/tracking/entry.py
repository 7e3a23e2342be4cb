"""Setting up assessment points (administrators) and entering working-at grades (a school's
users with full pupil access). Every write is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.expressions import Q

from server.models import AssessmentPoint, Organisation, Pupil
from server.models.enums import YEAR_GROUPS, KeyStage
from server.services.audit import Actor, record
from server.services.errors import UserInputError
from server.services.pupils.importing import school_academic_year
from server.services.targets.aggregates import subjects_by_code
from server.services.targets.cohort import grade_formats
from server.services.tracking.errors import TrackingErrorCode
from server.services.tracking.flight_paths import working_at_points
from server.services.tracking.points import (
    MAX_POINTS_PER_YEAR,
    check_point_date,
    check_point_name,
)
from server.services.tracking.recording import Recorded, record_working_at


def key_stage_of_year(year_group: int) -> KeyStage | None:
    for ks, years in YEAR_GROUPS.items():
        if year_group in years:
            return ks
    return None


async def add_assessment_point(
    actor: Actor, school_id: int, key_stage: KeyStage, year_group: int | None, name: str,
    on: date | None,
) -> AssessmentPoint:
    """A new point for one year group of the key stage, or every year group (None)."""
    if year_group is not None and year_group not in YEAR_GROUPS[key_stage]:
        raise UserInputError(f"Year {year_group} is not a {key_stage.value} year group",
                             field="yearGroup", code=TrackingErrorCode.INVALID_YEAR_GROUP)
    school = await Organisation.get(id=school_id)
    academic_year = school_academic_year(school)
    cleaned = check_point_name(name)
    day = check_point_date(on, academic_year)
    same = AssessmentPoint.filter(school_id=school_id, key_stage=key_stage,
                                  academic_year=academic_year)
    same = same.filter(year_group=year_group) if year_group is not None else \
        same.filter(year_group__isnull=True)
    if await same.filter(name=cleaned).exists():
        raise UserInputError(f"There is already an assessment point called {cleaned}",
                             field="name", code=TrackingErrorCode.DUPLICATE)
    if await same.count() >= MAX_POINTS_PER_YEAR:
        raise UserInputError(f"A year has at most {MAX_POINTS_PER_YEAR} assessment points",
                             field="name", code=TrackingErrorCode.TOO_MANY)
    point = await AssessmentPoint.create(
        school_id=school_id, key_stage=key_stage, year_group=year_group,
        academic_year=academic_year, name=cleaned, on=day,
        created_by_id=actor.account.id if actor.account else None,
    )
    await record(actor, "tracking.point_added", school_id, "assessment_point", str(point.id),
                 after={"keyStage": key_stage.value, "yearGroup": year_group,
                        "name": cleaned, "date": day.isoformat()})
    return point


async def points_for(school_id: int, key_stage: KeyStage, year_group: int | None
                     ) -> list[AssessmentPoint]:
    """The school's points of its current academic year for the year group (its own and
    the key stage's), by date."""
    school = await Organisation.get(id=school_id)
    query = AssessmentPoint.filter(school_id=school_id, key_stage=key_stage,
                                   academic_year=school_academic_year(school))
    if year_group is not None:
        query = query.filter(Q(year_group=year_group) | Q(year_group__isnull=True))
    return await query.order_by("on", "id")


@dataclass(frozen=True)
class WorkingAtEntered:
    pupil: Pupil
    subject_code: str
    point: AssessmentPoint
    recorded: Recorded


async def set_working_at(
    actor: Actor, school_id: int, upn: str, subject_code: str, point_id: int, grade: str,
) -> WorkingAtEntered:
    """One pupil's working-at grade in a subject at a point; bad input changes nothing."""
    pupil = await Pupil.filter(school_id=school_id, upn=(upn or "").strip().upper(),
                               left_at__isnull=True).first()
    if pupil is None:
        raise UserInputError("There is no such pupil in your school", field="upn",
                             code=TrackingErrorCode.UNKNOWN_PUPIL)
    ks = key_stage_of_year(pupil.year_group)
    point = await AssessmentPoint.filter(id=point_id, school_id=school_id).first()
    if ks is None or point is None or point.key_stage != ks or (
        point.year_group is not None and point.year_group != pupil.year_group
    ):
        raise UserInputError("Choose one of your assessment points for this pupil's year group",
                             field="pointId", code=TrackingErrorCode.UNKNOWN_POINT)
    subjects = await subjects_by_code(ks, [subject_code])
    subject = subjects.get(subject_code)
    if subject is None:
        raise UserInputError(f"{subject_code[:40]} is not a {ks.value} subject",
                             field="subjectCode", code=TrackingErrorCode.UNKNOWN_SUBJECT)
    if not (grade or "").strip():
        raise UserInputError("Enter the grade the pupil is working at", field="grade",
                             code=TrackingErrorCode.REQUIRED)
    stored, points = working_at_points(grade_formats(ks, subject_code), grade)
    recorded = await record_working_at(
        school_id, pupil.id, subject.id, point.id, stored, points,
        actor.account.id if actor.account else None,
    )
    await record(actor, "tracking.working_at_set", school_id, "pupil", str(pupil.id),
                 after={"subject": subject_code, "point": point.name, "grade": stored})
    return WorkingAtEntered(pupil, subject_code, point, recorded)
