"""Organisations, schools and the viewer."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from server.models import Organisation as OrganisationModel
from server.schema.enums import KeyStage, OrganisationKind, PupilAccess
from server.schema.pagination import Edge, PageInfo
from server.services.phases import key_stages_for, year_groups_for


@strawberry.type
class Organisation:
    id: strawberry.ID
    kind: OrganisationKind
    name: str
    urn: str | None
    la_code: str | None
    phase: str | None = strawberry.field(
        description="A school's phase of education (primary, secondary, 16 plus, all-through…)"
    )
    key_stages: list[KeyStage] = strawberry.field(
        description="The key stages a school teaches, from its phase (every one when the "
        "phase is not recorded); every key stage for an LA or a chain"
    )
    year_groups: list[int] = strawberry.field(
        description="The year groups of those key stages, the ones pages offer"
    )

    @classmethod
    def from_model(cls, model: OrganisationModel) -> Organisation:
        phase = model.phase if model.kind.value == "school" else None
        return cls(
            id=strawberry.ID(str(model.id)),
            kind=OrganisationKind(model.kind.value),
            name=model.name,
            urn=model.urn,
            la_code=model.la_code,
            phase=phase,
            key_stages=[KeyStage(ks.value) for ks in key_stages_for(phase)],
            year_groups=list(year_groups_for(phase)),
        )


@strawberry.type
class School:
    id: strawberry.ID
    urn: str
    name: str
    local_authority_id: strawberry.Private[int | None]
    academy_chain_id: strawberry.Private[int | None]

    @strawberry.field
    async def local_authority(self, info: Info) -> Organisation:
        la = await info.context.loaders.organisation_by_id.load(self.local_authority_id)
        return Organisation.from_model(la)

    @strawberry.field
    async def academy_chain(self, info: Info) -> Organisation | None:
        if self.academy_chain_id is None:
            return None
        chain = await info.context.loaders.organisation_by_id.load(self.academy_chain_id)
        return Organisation.from_model(chain) if chain else None

    @classmethod
    def from_model(cls, model: OrganisationModel) -> School:
        return cls(
            id=strawberry.ID(str(model.id)),
            urn=model.urn or "",
            name=model.name,
            local_authority_id=model.local_authority_id,
            academy_chain_id=model.academy_chain_id,
        )


@strawberry.type
class SchoolConnection:
    edges: list[Edge[School]]
    page_info: PageInfo
    total_count: int


@strawberry.type
class Viewer:
    username: str
    forename: str
    surname: str
    organisation: Organisation
    is_administrator: bool
    role: str | None
    pupil_access: PupilAccess | None
    may_manage_target_setting: bool = strawberry.field(
        default=False, description="A school's administrator: manages its target setting")
    may_import_pupils: bool = strawberry.field(
        default=False, description="May import the school's pupils (its administrators, and "
        "its Data Managers with full pupil access)")
    may_see_sharing: bool = strawberry.field(
        default=False, description="Sees the school's sharing changes and who read what (its "
        "administrators and Head Teacher/Senior Leader users)")
