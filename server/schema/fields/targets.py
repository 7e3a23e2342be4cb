"""Root query and mutation fields of the targets domain."""

from __future__ import annotations

import strawberry
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from server.resolvers import targets as resolve
from server.schema.enums import KeyStage
from server.schema.targets import (
    ExportFile,
    PupilTargetConnection,
    SchoolSharingConnection,
    SetTargetInput,
    SetTargetPayload,
    Subject,
    TargetAggregate,
    TargetExportConnection,
    TargetYearGroup,
)

# The on-track figures cost a join over the schools' working-at grades: only when asked for.
TRACKING_FIELDS = frozenset({"trackingSuppressed", "trackedPupils", "onTrack", "aboveTrack",
                             "belowTrack"})


def _asks_for(selections, names: frozenset[str]) -> bool:
    """Whether a row field named is selected, directly or in a fragment."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name in names:
                return True
        elif _asks_for(selection.selections, names):
            return True
    return False


@strawberry.type
class TargetQuery:
    @strawberry.field(
        description="One row per (school, subject) for a key stage and year group; rows only "
        "for schools whose sharing lets the viewer read aggregates (a school's own users "
        "always can); naming a school the viewer may not read is FORBIDDEN."
    )
    async def target_aggregates(
        self, info: Info, key_stage: KeyStage, year_group: int,
        school_urns: list[str] | None = None, subject_codes: list[str] | None = None,
    ) -> list[TargetAggregate]:
        return await resolve.target_aggregates(
            info.context, key_stage, year_group, school_urns, subject_codes,
            with_tracking=_asks_for(info.selected_fields[0].selections, TRACKING_FIELDS),
        )

    @strawberry.field(
        description="Pupil rows; needs FULL pupil access, and for an LA user a school that "
        "shares pupil-level targets with that LA; academy chains never; else FORBIDDEN. "
        "`upn` narrows to one pupil (all subjects)."
    )
    async def pupil_targets(
        self, info: Info, school_urn: str, key_stage: KeyStage, year_group: int,
        subject_code: str | None = None, first: int | None = 100, after: str | None = None,
        upn: str | None = None,
    ) -> PupilTargetConnection:
        return await resolve.pupil_targets(
            info.context, school_urn, key_stage, year_group, subject_code,
            100 if first is None else first, after, upn,
        )

    @strawberry.field(description="A school's target settings for a year group, as the viewer "
                      "may read them (aggregates or more)")
    async def target_year_group(
        self, info: Info, school_urn: str, key_stage: KeyStage, year_group: int
    ) -> TargetYearGroup:
        return await resolve.target_year_group(info.context, school_urn, key_stage, year_group)

    @strawberry.field(description="Schools the viewer can see, with what each shares per key "
                      "stage and year group")
    async def target_sharing(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> SchoolSharingConnection:
        return await resolve.school_sharing(info.context, 50 if first is None else first, after)

    @strawberry.field(description="Targets for other school systems, a page of pupils at a "
                      "time; every cell is text with formula-like values neutralised")
    async def target_export(
        self, info: Info, school_urn: str, key_stage: KeyStage, year_group: int,
        first: int | None = 100, after: str | None = None,
    ) -> TargetExportConnection:
        return await resolve.target_export(
            info.context, school_urn, key_stage, year_group, 100 if first is None else first,
            after,
        )

    @strawberry.field(description="The same export as an .xlsx workbook (base64)")
    async def target_export_workbook(
        self, info: Info, school_urn: str, key_stage: KeyStage, year_group: int
    ) -> ExportFile:
        return await resolve.target_export_workbook(info.context, school_urn, key_stage,
                                                    year_group)


    @strawberry.field(description="The key stage's subjects, in the catalogue's order")
    async def target_subjects(self, info: Info, key_stage: KeyStage) -> list[Subject]:
        return await resolve.target_subjects(info.context, key_stage)


@strawberry.type
class TargetMutation:
    @strawberry.mutation(description="Set or change a pupil's target within the year group's "
                         "editing rule and the subject's grade format")
    async def set_target(self, info: Info, input: SetTargetInput) -> SetTargetPayload:
        return await resolve.set_target(info.context, input)
