"""Root fields of the national estimates versions (a school's own administrators only)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from server.resolvers import estimates as resolve
from server.schema.enums import KeyStage
from server.schema.estimates import (
    ApplyEstimatesVersionInput,
    ApplyEstimatesVersionPayload,
    EstimatesImpact,
    EstimatesVersion,
    RollBackEstimatesVersionInput,
    RollBackEstimatesVersionPayload,
    SchoolEstimatesVersion,
)


@strawberry.type
class EstimatesQuery:
    @strawberry.field(description="The school's applied national estimates version per key stage.")
    async def estimates_versions(
        self, info: Info, school_id: strawberry.ID | None = None
    ) -> list[SchoolEstimatesVersion]:
        return await resolve.school_versions(info.context, school_id)

    @strawberry.field(description="Every version of a key stage's national estimates loaded, "
                      "the shipped one first.")
    async def loaded_estimates_versions(self, info: Info, key_stage: KeyStage) -> list[EstimatesVersion]:
        return await resolve.loaded_versions(info.context, key_stage)

    @strawberry.field(description="Impact preview: per year group and subject, how many "
                      "pre-populated targets applying `version` would move up, down or leave, "
                      "and the change in their average points.")
    async def estimates_impact(
        self, info: Info, key_stage: KeyStage, version: str, school_id: strawberry.ID | None = None
    ) -> EstimatesImpact:
        return await resolve.impact(info.context, key_stage, version, school_id)


@strawberry.type
class EstimatesMutation:
    @strawberry.mutation(description="Apply a loaded version to the school's estimates and "
                         "pre-populated targets (one transaction, audited).")
    async def apply_estimates_version(
        self, info: Info, input: ApplyEstimatesVersionInput
    ) -> ApplyEstimatesVersionPayload:
        return await resolve.apply_version(info.context, input)

    @strawberry.mutation(description="Go back to the version before the last apply, the same way.")
    async def roll_back_estimates_version(
        self, info: Info, input: RollBackEstimatesVersionInput
    ) -> RollBackEstimatesVersionPayload:
        return await resolve.roll_back(info.context, input)
