"""Tracking: administrators set up assessment points; a school's users with full pupil
access enter working-at grades and read their pupils' tracking."""

from __future__ import annotations

import datetime as dt

from server.models.enums import KeyStage
from server.permissions.checks import require_administrator, require_user
from server.permissions.scope import sets_targets
from server.schema.enums import KeyStage as KeyStageType
from server.schema.error_codes import field_errors
from server.schema.errors import Forbidden
from server.schema.tracking import (
    AddAssessmentPointPayload,
    AssessmentPoint,
    PupilTrack,
    SetWorkingAtGradePayload,
    SubjectTracking,
    TrackingError,
    TrackingErrorCode,
    TrackStatus,
    WorkingAtGrade,
    YearGroupTracking,
)
from server.services.errors import UserInputError
from server.services.targets import aggregates
from server.services.tracking import entry, status


def point_type(point) -> AssessmentPoint:
    return AssessmentPoint(
        id=str(point.id), key_stage=KeyStageType[KeyStage(point.key_stage).name],
        year_group=point.year_group, academic_year=point.academic_year, name=point.name,
        date=point.on,
    )


def _error(error: UserInputError) -> TrackingError:
    return field_errors(TrackingError, error)[0]


async def add_assessment_point(context, input) -> AddAssessmentPointPayload:
    account = require_administrator(context)
    try:
        point = await entry.add_assessment_point(
            context.actor, account.organisation_id, input.key_stage.stored(),
            input.year_group, (input.name or "")[:200], input.date,
        )
    except UserInputError as error:
        return AddAssessmentPointPayload(point=None, errors=[_error(error)])
    return AddAssessmentPointPayload(point=point_type(point), errors=[])


async def set_working_at_grade(context, input) -> SetWorkingAtGradePayload:
    account = require_user(context)
    if not sets_targets(context.scope.persona, account.organisation_id):
        raise Forbidden("Only your school's users with full access to pupil data enter "
                        "working-at grades.")
    try:
        point_id = int(str(input.point_id))
    except ValueError:
        return SetWorkingAtGradePayload(working_at=None, errors=[_error(UserInputError(
            "Choose an assessment point", field="pointId", code=TrackingErrorCode.UNKNOWN_POINT))])
    try:
        done = await entry.set_working_at(
            context.actor, account.organisation_id, (input.upn or "")[:20],
            (input.subject_code or "")[:40], point_id, (input.grade or "")[:20],
        )
    except UserInputError as error:
        return SetWorkingAtGradePayload(working_at=None, errors=[_error(error)])
    return SetWorkingAtGradePayload(
        working_at=WorkingAtGrade(
            upn=done.pupil.upn, subject_code=done.subject_code, point=point_type(done.point),
            grade=done.recorded.grade, points=done.recorded.points,
        ),
        errors=[],
    )


async def year_group_tracking(context, key_stage, year_group: int) -> YearGroupTracking:
    """The viewer's own school; pupil rows and counts need full pupil access."""
    account = context.viewer.account
    if account is None:
        require_user(context)
    persona = context.scope.persona
    is_admin = persona is not None and persona.is_administrator
    if not is_admin and not sets_targets(persona, account.organisation_id):
        raise Forbidden("Only your school's users with full access to pupil data and its "
                        "administrators read pupil tracking.")
    ks = aggregates.year_group_of(key_stage.stored(), year_group)
    school_id = account.organisation_id
    points = await entry.points_for(school_id, ks, year_group)
    if is_admin:
        return YearGroupTracking(point=None, points=[point_type(p) for p in points],
                                 subjects=[], pupils=[])
    point, tracks, upns = await status.school_tracking(school_id, ks, year_group,
                                                       dt.date.today())
    counts = status.counts_by_subject(tracks)
    return YearGroupTracking(
        point=point_type(point) if point else None,
        points=[point_type(p) for p in points],
        subjects=[SubjectTracking(subject_code=c, on_track=n.on_track, above_track=n.above,
                                  below_track=n.below) for c, n in sorted(counts.items())],
        pupils=[PupilTrack(upn=upns[t.pupil_id], subject_code=t.subject_code,
                           working_at=t.working_at, working_at_points=t.working_at_points,
                           expected_points=round(t.expected, 4),
                           status=TrackStatus(t.status.value)) for t in tracks],
    )
