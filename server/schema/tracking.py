"""Tracking types (docs/API-TRACKING.md): assessment points, working-at grades and whether
pupils are on track against their flight path."""

from __future__ import annotations

import datetime
from enum import Enum

import strawberry

from server.schema.enums import KeyStage
from server.schema.error_codes import error_codes
from server.services.estimates.errors import GradeErrorCode
from server.services.spreadsheets.errors import SpreadsheetErrorCode
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


error_codes(TrackingErrorCode, accepts=(GradeErrorCode, SpreadsheetErrorCode))


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


@strawberry.type(description="The expected grade at one assessment point: the school's own, "
                 "else the linear flight path")
class ExpectedGradeCell:
    point: AssessmentPoint
    linear_points: float | None = strawberry.field(
        description="The linear path's value for the year group: the line from its pupils' "
        "mean starting position to their mean target; null with no pupils on a path or too "
        "few to show")
    grade: str | None = strawberry.field(description="The school's own; null: linear")
    points: float | None


@strawberry.type
class SubjectExpectedGrades:
    subject_code: str
    subject_name: str
    points: list[ExpectedGradeCell]


@strawberry.type
class ExpectedGrade:
    point: AssessmentPoint
    subject_code: str
    year_group: int
    grade: str
    points: float


@strawberry.input
class SetExpectedGradeInput:
    point_id: strawberry.ID
    year_group: int
    subject_code: str
    grade: str


@strawberry.input
class ClearExpectedGradeInput:
    point_id: strawberry.ID
    year_group: int
    subject_code: str


@strawberry.input
class SubjectGradeInput:
    subject_code: str
    grade: str = strawberry.field(description="Blank: back to the linear path")


@strawberry.input
class SetExpectedGradesInput:
    point_id: strawberry.ID
    year_group: int
    grades: list[SubjectGradeInput]


@strawberry.type
class SetExpectedGradePayload:
    expected_grade: ExpectedGrade | None
    errors: list[TrackingError]


@strawberry.type
class ClearExpectedGradePayload:
    cleared: bool = strawberry.field(description="False: the subject was already linear")
    errors: list[TrackingError]


@strawberry.type
class SetExpectedGradesPayload:
    set: int
    cleared: int
    errors: list[TrackingError] = strawberry.field(
        description="One per refused subject (field grade-<subjectCode>); nothing was saved")


@strawberry.enum
class WorkingAtUploadStatus(Enum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISCARDED = "discarded"


@strawberry.type
class UploadSubject:
    code: str
    name: str


@strawberry.type(description="One grade of an uploaded row: accepted, or refused and why")
class WorkingAtUploadCell:
    subject_code: str
    grade: str
    accepted: bool
    problem: str | None


@strawberry.type
class WorkingAtUploadRow:
    row: int = strawberry.field(description="The row number in the file")
    upn: str
    name: str
    problem: str | None = strawberry.field(
        description="Why the whole row is refused (no such pupil, a second row for one)")
    cells: list[WorkingAtUploadCell]


@strawberry.type(description="A checked working-at spreadsheet: pending until confirmed. "
                 "Once confirmed only its refused grades are kept")
class WorkingAtUpload:
    id: strawberry.ID
    file_name: str
    year_group: int
    point: AssessmentPoint
    status: WorkingAtUploadStatus
    subjects: list[UploadSubject]
    ignored_columns: list[str]
    rows: int
    accepted_grades: int
    refused_grades: int
    saved_grades: int | None = strawberry.field(description="Once confirmed")
    pupils: list[WorkingAtUploadRow]


@strawberry.type
class TrackingSpreadsheet:
    file_name: str
    content_type: str
    content_base64: str


@strawberry.input
class CheckWorkingAtUploadInput:
    point_id: strawberry.ID
    year_group: int
    file_name: str
    content_base64: str = strawberry.field(description="The file's bytes, base64 encoded "
                                           "(.xlsx, .xls or .csv, at most 5 MB)")


@strawberry.input
class ConfirmWorkingAtUploadInput:
    id: strawberry.ID


@strawberry.type
class WorkingAtUploadPayload:
    upload: WorkingAtUpload | None
    errors: list[TrackingError]
