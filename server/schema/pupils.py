"""Pupils and school years: pupil imports, rolling forward, value-added history."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from server.schema.enums import KeyStage
from server.schema.error_codes import error_codes
from server.services.pupils.errors import (
    PupilFileErrorCode,
    PupilImportErrorCode,
    RollForwardErrorCode,
    StandardisedScoreErrorCode,
    ValueAddedErrorCode,
)


@strawberry.enum
class PupilImportStatus(Enum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISCARDED = "discarded"


@strawberry.enum(description="What confirming would do with a row")
class PupilImportRowStatus(Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    PROBLEM = "problem"


@strawberry.enum
class ProblemSeverity(Enum):
    ERROR = "error"
    WARNING = "warning"


@strawberry.type(description="What is wrong with one field of one row of an uploaded file")
class PupilImportProblem:
    field: str = strawberry.field(description="upn, forename, surname, gender, dateOfBirth, "
                                              "yearGroup, priorAttainment, disadvantaged, sen, eal, "
                                              "standardisedScore")
    column: str = strawberry.field(description="The column's name as the file should spell it")
    message: str
    severity: ProblemSeverity


@strawberry.type
class PupilImportRow:
    row: int = strawberry.field(description="The row number in the file (the header is row 1)")
    upn: str
    forename: str
    surname: str
    year_group: str
    status: PupilImportRowStatus
    problems: list[PupilImportProblem]


@strawberry.type
class PupilImportCounts:
    rows: int
    new_pupils: int
    updated_pupils: int
    unchanged_pupils: int
    rows_with_problems: int = strawberry.field(description="Rows with errors: never imported")
    rows_with_warnings: int = strawberry.field(description="Rows imported, but worth checking")
    missing_from_file: int = strawberry.field(
        description="Current pupils of the school who are not in the file (0 once the file "
        "is confirmed or cancelled)")


@strawberry.type
class PupilImportResult:
    created: int
    updated: int
    unchanged: int
    skipped: int
    marked_left: int
    prepopulated: int = strawberry.field(description="Targets pre-populated for new pupils")


@strawberry.type(description="An uploaded pupil file: checked, then confirmed or cancelled")
class PupilImport:
    id: strawberry.ID
    file_name: str
    academic_year: int | None
    academic_year_label: str | None
    status: PupilImportStatus
    created_at: datetime
    confirmed_at: datetime | None
    counts: PupilImportCounts = strawberry.field(
        description="Against the school's pupils as they are now")
    rows_with_problems: list[PupilImportRow] = strawberry.field(
        description="Rows with errors or warnings, in file order (at most 500)")
    result: PupilImportResult | None


@strawberry.type
class RollForwardYearGroup:
    year_group: int
    key_stage: KeyStage
    pupils: int
    next_year_group: int | None = strawberry.field(description="Null: these pupils leave")
    leaving: bool
    starts_key_stage: bool = strawberry.field(
        description="The pupils move to another key stage: prior attainment is cleared")
    targets: int = strawberry.field(description="The pupils' current targets")
    targets_kept_as_history: bool = strawberry.field(
        description="True when the pupils leave or move to another key stage")


@strawberry.type(description="Exactly what rolling the school forward would do now")
class RollForwardPlan:
    from_academic_year: int
    to_academic_year: int
    from_label: str
    to_label: str
    year_groups: list[RollForwardYearGroup]
    pupils_moving: int
    pupils_leaving: int
    pupils_starting_key_stage: int
    targets_moving: int
    targets_to_history: int


@strawberry.type
class ValueAddedYear:
    academic_year: int
    label: str
    value_added: float | None = strawberry.field(
        description="Mean residual in grade points; null where the year is missing")
    pupils: int | None


@strawberry.type
class SubjectValueAdded:
    key_stage: KeyStage
    code: str
    name: str
    years: list[ValueAddedYear] = strawberry.field(description="The last three years, oldest first")
    indicator: int | None = strawberry.field(
        description="The \"Your school\" percentile: 1 best, 50 average; null without history")


@strawberry.type(description="The viewer's school: its pupils, school year and value added")
class SchoolPupils:
    school_name: str
    urn: str | None
    current_academic_year: int
    current_academic_year_label: str
    current_pupils: int
    may_roll_forward: bool = strawberry.field(description="The viewer is an administrator")
    pending_import: PupilImport | None
    roll_forward: RollForwardPlan
    value_added: list[SubjectValueAdded]


error_codes(PupilImportErrorCode, accepts=(PupilFileErrorCode,))


@strawberry.type
class PupilImportError:
    field: str | None
    message: str
    code: PupilImportErrorCode


@strawberry.input
class SetStandardisedScoreInput:
    upn: str = strawberry.field(description="A current pupil of the viewer's school")
    score: str | None = strawberry.field(
        description="A standardised score from 60 to 140 (mean 100, SD 15, e.g. CAT4 mean SAS), "
        "one decimal kept; blank or null removes it")


@strawberry.type(description="A pupil's fallback baseline")
class PupilBaseline:
    upn: str
    forename: str
    surname: str
    year_group: int
    standardised_score: float | None


@strawberry.type
class SetStandardisedScorePayload:
    pupil: PupilBaseline | None
    changed: bool
    prepopulated: int = strawberry.field(
        description="Targets the year group's pre-population wrote afterwards")
    errors: list[StandardisedScoreError]


error_codes(StandardisedScoreErrorCode)


@strawberry.type
class StandardisedScoreError:
    field: str | None
    message: str
    code: StandardisedScoreErrorCode


@strawberry.input
class UploadFileInput:
    file_name: str
    content_base64: str = strawberry.field(description="The file's bytes, base64 encoded")


@strawberry.type
class UploadPupilFilePayload:
    pupil_import: PupilImport | None
    errors: list[PupilImportError]


@strawberry.input
class ConfirmPupilImportInput:
    id: strawberry.ID
    mark_missing_as_left: bool = strawberry.field(
        default=False, description="Pupils missing from this file have left")


@strawberry.type
class ConfirmPupilImportPayload:
    pupil_import: PupilImport | None
    errors: list[PupilImportError]


@strawberry.input
class DiscardPupilImportInput:
    id: strawberry.ID


@strawberry.type
class DiscardPupilImportPayload:
    pupil_import: PupilImport | None
    errors: list[PupilImportError]


error_codes(RollForwardErrorCode)


@strawberry.type
class RollForwardError:
    field: str | None
    message: str
    code: RollForwardErrorCode


@strawberry.input
class RollForwardSchoolInput:
    expected_academic_year: int = strawberry.field(
        description="The year the school is leaving, as shown: a second submit is refused")


@strawberry.type
class RollForwardResult:
    from_academic_year: int
    to_academic_year: int
    pupils_moved: int
    pupils_left: int
    targets_moved: int
    targets_to_history: int
    prior_attainment_cleared: int


@strawberry.type
class RollForwardSchoolPayload:
    result: RollForwardResult | None
    errors: list[RollForwardError]


error_codes(ValueAddedErrorCode, accepts=(PupilFileErrorCode,))


@strawberry.type
class ValueAddedError:
    field: str | None
    message: str
    code: ValueAddedErrorCode
    row: int | None = strawberry.field(description="The file's row, for a problem in a row")
    column: str | None


@strawberry.type
class ValueAddedImportResult:
    rows: int
    created: int
    updated: int


@strawberry.type
class ImportValueAddedPayload:
    result: ValueAddedImportResult | None
    errors: list[ValueAddedError]
