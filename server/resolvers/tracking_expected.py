"""The school-set expected grade: administrators read the grid and set or clear a grade."""

from __future__ import annotations

from server.permissions.checks import require_administrator
from server.resolvers.tracking import point_type
from server.schema.error_codes import field_errors
from server.schema.tracking import (
    ClearExpectedGradePayload,
    ExpectedGrade,
    ExpectedGradeCell,
    SetExpectedGradePayload,
    SetExpectedGradesPayload,
    SubjectExpectedGrades,
    TrackingError,
    TrackingErrorCode,
)
from server.services.errors import UserInputError
from server.services.targets import aggregates
from server.services.tracking import entry, expected
from server.settings import get_settings


def _point_id(value) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise UserInputError("Choose one of your school's assessment points", field="pointId",
                             code=TrackingErrorCode.UNKNOWN_POINT) from None


async def expected_grades(context, key_stage, year_group: int) -> list[SubjectExpectedGrades]:
    account = require_administrator(context)
    ks = aggregates.year_group_of(key_stage.stored(), year_group)
    points = await entry.points_for(account.organisation_id, ks, year_group)
    grid = await expected.expected_grid(account.organisation_id, ks, year_group, points,
                                        get_settings().suppression_threshold)
    return [SubjectExpectedGrades(
        subject_code=s.code, subject_name=s.name,
        points=[ExpectedGradeCell(point=point_type(c.point), linear_points=c.linear_points,
                                  grade=c.grade, points=c.points) for c in s.cells],
    ) for s in grid]


async def set_expected_grade(context, input) -> SetExpectedGradePayload:
    account = require_administrator(context)
    try:
        done = await expected.set_expected_grade(
            context.actor, account.organisation_id, _point_id(input.point_id), input.year_group,
            (input.subject_code or "")[:40], (input.grade or "")[:20])
    except UserInputError as error:
        return SetExpectedGradePayload(expected_grade=None,
                                       errors=field_errors(TrackingError, error))
    return SetExpectedGradePayload(expected_grade=ExpectedGrade(
        point=point_type(done.point), subject_code=done.subject_code,
        year_group=done.year_group, grade=done.grade, points=done.points), errors=[])


async def clear_expected_grade(context, input) -> ClearExpectedGradePayload:
    account = require_administrator(context)
    try:
        cleared = await expected.clear_expected_grade(
            context.actor, account.organisation_id, _point_id(input.point_id), input.year_group,
            (input.subject_code or "")[:40])
    except UserInputError as error:
        return ClearExpectedGradePayload(cleared=False, errors=field_errors(TrackingError, error))
    return ClearExpectedGradePayload(cleared=cleared, errors=[])


async def set_expected_grades(context, input) -> SetExpectedGradesPayload:
    account = require_administrator(context)
    try:
        grades = {(g.subject_code or "")[:40]: (g.grade or "")[:20] for g in input.grades[:100]}
        made, cleared = await expected.set_expected_grades(
            context.actor, account.organisation_id, _point_id(input.point_id), input.year_group,
            grades)
    except UserInputError as error:
        return SetExpectedGradesPayload(set=0, cleared=0,
                                        errors=field_errors(TrackingError, error))
    return SetExpectedGradesPayload(set=made, cleared=cleared, errors=[])
