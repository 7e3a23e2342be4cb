"""Root query and mutation fields of the tracking domain (docs/API-TRACKING.md)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from server.resolvers import tracking as resolve
from server.schema.enums import KeyStage
from server.schema.tracking import (
    AddAssessmentPointInput,
    AddAssessmentPointPayload,
    SetWorkingAtGradeInput,
    SetWorkingAtGradePayload,
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
