"""Root query and mutation fields of the tracking domain (docs/API-TRACKING.md)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from server.resolvers import tracking as resolve
from server.resolvers import tracking_expected as expected
from server.resolvers import tracking_uploads as uploads
from server.schema.enums import KeyStage
from server.schema.tracking import (
    AddAssessmentPointInput,
    AddAssessmentPointPayload,
    CheckWorkingAtUploadInput,
    ClearExpectedGradeInput,
    ClearExpectedGradePayload,
    ConfirmWorkingAtUploadInput,
    SetExpectedGradeInput,
    SetExpectedGradePayload,
    SetExpectedGradesInput,
    SetExpectedGradesPayload,
    SetWorkingAtGradeInput,
    SetWorkingAtGradePayload,
    SubjectExpectedGrades,
    TrackingSpreadsheet,
    WorkingAtUpload,
    WorkingAtUploadPayload,
    YearGroupTracking,
)


@strawberry.type
class TrackingQuery:
    @strawberry.field(description="Your school's assessment points for a year group and, for "
                      "users with full pupil access, each pupil's working-at grade against "
                      "the flight path at the latest point, with counts per subject")
    async def year_group_tracking(
        self, info: Info, key_stage: KeyStage, year_group: int
    ) -> YearGroupTracking:
        return await resolve.year_group_tracking(info.context, key_stage, year_group)

    @strawberry.field(description="Administrators: per included subject of the year group, "
                      "the expected grade at each of its assessment points (the school's own, "
                      "else the linear path's value for the year group)")
    async def expected_grades(
        self, info: Info, key_stage: KeyStage, year_group: int
    ) -> list[SubjectExpectedGrades]:
        return await expected.expected_grades(info.context, key_stage, year_group)

    @strawberry.field(description="Users with full pupil access: an .xlsx to fill in with "
                      "working-at grades (UPN, Name, a column per included subject, the "
                      "grades already entered at the point)")
    async def working_at_template(
        self, info: Info, point_id: strawberry.ID, year_group: int
    ) -> TrackingSpreadsheet:
        return await uploads.working_at_template(info.context, point_id, year_group)

    @strawberry.field(description="One checked working-at spreadsheet of your school")
    async def working_at_upload(self, info: Info, id: strawberry.ID) -> WorkingAtUpload:
        return await uploads.working_at_upload(info.context, id)


@strawberry.type
class TrackingMutation:
    @strawberry.mutation(description="Administrators: add an assessment point (a name and a "
                         "date in the school's current academic year)")
    async def add_assessment_point(
        self, info: Info, input: AddAssessmentPointInput
    ) -> AddAssessmentPointPayload:
        return await resolve.add_assessment_point(info.context, input)

    @strawberry.mutation(description="A school's users with full pupil access: a pupil's "
                         "working-at grade in a subject at an assessment point (replaces one "
                         "entered before)")
    async def set_working_at_grade(
        self, info: Info, input: SetWorkingAtGradeInput
    ) -> SetWorkingAtGradePayload:
        return await resolve.set_working_at_grade(info.context, input)

    @strawberry.mutation(description="Administrators: the school's expected grade for a "
                         "subject and year group at an assessment point (replaces the linear "
                         "path there for every pupil)")
    async def set_expected_grade(
        self, info: Info, input: SetExpectedGradeInput
    ) -> SetExpectedGradePayload:
        return await expected.set_expected_grade(info.context, input)

    @strawberry.mutation(description="Administrators: back to the linear path for a subject "
                         "and year group at an assessment point")
    async def clear_expected_grade(
        self, info: Info, input: ClearExpectedGradeInput
    ) -> ClearExpectedGradePayload:
        return await expected.clear_expected_grade(info.context, input)

    @strawberry.mutation(description="Administrators: every listed subject's expected grade at "
                         "one point (a blank grade: linear), all or, if any is refused, none")
    async def set_expected_grades(
        self, info: Info, input: SetExpectedGradesInput
    ) -> SetExpectedGradesPayload:
        return await expected.set_expected_grades(info.context, input)

    @strawberry.mutation(description="Users with full pupil access: check a spreadsheet of "
                         "working-at grades; nothing is saved until it is confirmed")
    async def check_working_at_upload(
        self, info: Info, input: CheckWorkingAtUploadInput
    ) -> WorkingAtUploadPayload:
        return await uploads.check_working_at_upload(info.context, input)

    @strawberry.mutation(description="Save every accepted grade of a checked spreadsheet, in "
                         "one transaction; a second confirm saves nothing (ALREADY_CONFIRMED)")
    async def confirm_working_at_upload(
        self, info: Info, input: ConfirmWorkingAtUploadInput
    ) -> WorkingAtUploadPayload:
        return await uploads.confirm_working_at_upload(info.context, input)
