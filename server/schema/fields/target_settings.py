"""Root fields of target-setting administration (a school's own administrators only)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from server.resolvers import target_settings as resolve
from server.schema.enums import KeyStage
from server.schema.target_settings import (
    DeleteTargetsInput,
    DeleteTargetsPayload,
    ManagedSubject,
    RestoreTargetsInput,
    RestoreTargetsPayload,
    SaveBenchmarksInput,
    SaveBenchmarksPayload,
    SaveTargetSettingsInput,
    SaveTargetSettingsPayload,
    SaveTargetSubjectsInput,
    SaveTargetSubjectsPayload,
    SetCustomLevelInput,
    SetCustomLevelPayload,
    TargetDeletion,
    TargetSettingsOverview,
    YearGroupBenchmarks,
    YearGroupTargetCounts,
    YearGroupTargetSettings,
)

SCHOOL = "The school; default: the administrator's own"


@strawberry.type
class TargetSettingsQuery:
    @strawberry.field(description="Key stages, year groups and what the menus depend on.")
    async def target_settings_overview(
        self, info: Info, school_id: strawberry.ID | None = None
    ) -> TargetSettingsOverview:
        return await resolve.overview(info.context, school_id)

    @strawberry.field(description="Manage targets: a year group's settings.")
    async def year_group_target_settings(
        self,
        info: Info,
        key_stage: KeyStage,
        year_group: int,
        school_id: strawberry.ID | None = None,
    ) -> YearGroupTargetSettings:
        return await resolve.year_group_settings(info.context, school_id, key_stage, year_group)

    @strawberry.field(
        description="Manage benchmarks: per subject the benchmark, 'Your school' indicator, "
        "grade format and the cohort's average estimate at each benchmark."
    )
    async def year_group_benchmarks(
        self,
        info: Info,
        key_stage: KeyStage,
        year_group: int,
        subjects: list[str] | None = None,
        school_id: strawberry.ID | None = None,
    ) -> YearGroupBenchmarks:
        return await resolve.year_group_benchmarks(info.context, school_id, key_stage, year_group, subjects)

    @strawberry.field(description="Manage subjects: which subjects are ticked.")
    async def managed_subjects(
        self,
        info: Info,
        key_stage: KeyStage,
        year_group: int,
        school_id: strawberry.ID | None = None,
    ) -> list[ManagedSubject]:
        return await resolve.managed_subjects(info.context, school_id, key_stage, year_group)

    @strawberry.field(description="Delete targets: live targets per subject.")
    async def year_group_target_counts(
        self,
        info: Info,
        key_stage: KeyStage,
        year_group: int,
        school_id: strawberry.ID | None = None,
    ) -> YearGroupTargetCounts:
        return await resolve.target_counts(info.context, school_id, key_stage, year_group)

    @strawberry.field(description="Deletions that can still be restored, newest first.")
    async def target_deletions(self, info: Info, school_id: strawberry.ID | None = None) -> list[TargetDeletion]:
        return await resolve.target_deletions(info.context, school_id)


@strawberry.type
class TargetSettingsMutation:
    @strawberry.mutation(description="Save Manage targets for a year group or all years.")
    async def save_target_settings(self, info: Info, input: SaveTargetSettingsInput) -> SaveTargetSettingsPayload:
        return await resolve.save_target_settings(info.context, input)

    @strawberry.mutation(description="Save benchmarks and grade formats of a year group.")
    async def save_benchmarks(self, info: Info, input: SaveBenchmarksInput) -> SaveBenchmarksPayload:
        return await resolve.save_benchmarks(info.context, input)

    @strawberry.mutation(description="Set a subject's custom challenge level and choose it as its "
                         "benchmark (benchmark CUSTOM); pre-populated targets follow it.")
    async def set_custom_level(self, info: Info, input: SetCustomLevelInput) -> SetCustomLevelPayload:
        return await resolve.set_custom_level(info.context, input)

    @strawberry.mutation(description="Tick exactly the given subjects for a year group.")
    async def save_target_subjects(self, info: Info, input: SaveTargetSubjectsInput) -> SaveTargetSubjectsPayload:
        return await resolve.save_target_subjects(info.context, input)

    @strawberry.mutation(description="Delete a year group's live targets (restorable 30 days).")
    async def delete_targets(self, info: Info, input: DeleteTargetsInput) -> DeleteTargetsPayload:
        return await resolve.delete_targets(info.context, input)

    @strawberry.mutation(description="Restore the targets of one deletion still deleted.")
    async def restore_targets(self, info: Info, input: RestoreTargetsInput) -> RestoreTargetsPayload:
        return await resolve.restore_targets(info.context, input)
