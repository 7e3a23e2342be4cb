"""Tracking types (docs/API-TRACKING.md): assessment points, working-at grades and whether
pupils are on track against their flight path."""

from __future__ import annotations

import datetime
from enum import Enum

import strawberry

from server.schema.enums import KeyStage
from server.schema.error_codes import error_codes
from server.services.estimates.errors import GradeErrorCode
from server.services.tracking.errors import TrackingErrorCode


@strawberry.enum(description="Against the flight path at the latest assessment point: on "
                 "track within one grade (three scaled-score points at KS2) either side")
class TrackStatus(Enum):
    ON_TRACK = "on_track"
    ABOVE = "above"
    BELOW = "below"


@strawberry.type
class AssessmentPoint:
    id: strawberry.ID
    key_stage: KeyStage
    year_group: int | None = strawberry.field(
        description="null: every year group of the key stage")
    academic_year: int
    name: str
    date: datetime.date


@strawberry.type
class WorkingAtGrade:
    upn: str
    subject_code: str
    point: AssessmentPoint
    grade: str
    points: float


@strawberry.type
class SubjectTracking:
    subject_code: str
    on_track: int
    above_track: int
    below_track: int


@strawberry.type
class PupilTrack:
    upn: str
    subject_code: str
    working_at: str
    working_at_points: float
    expected_points: float
    status: TrackStatus


@strawberry.type(description="A year group's tracking at its latest assessment point")
class YearGroupTracking:
    point: AssessmentPoint | None
    points: list[AssessmentPoint]
    subjects: list[SubjectTracking]
    pupils: list[PupilTrack]


@strawberry.input
class AddAssessmentPointInput:
    key_stage: KeyStage
    year_group: int | None = None
    name: str
    date: datetime.date | None = None


@strawberry.input
class SetWorkingAtGradeInput:
    upn: str
    subject_code: str
    point_id: strawberry.ID
    grade: str


error_codes(TrackingErrorCode, accepts=(GradeErrorCode,))


@strawberry.type
class TrackingError:
    field: str | None
    message: str
    code: TrackingErrorCode


@strawberry.type
class AddAssessmentPointPayload:
    point: AssessmentPoint | None
    errors: list[TrackingError]


@strawberry.type
class SetWorkingAtGradePayload:
    working_at: WorkingAtGrade | None
    errors: list[TrackingError]
