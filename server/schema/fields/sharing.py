"""Root fields of sharing that schools govern (issue 15)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from server.resolvers import sharing as resolve
from server.schema.enums import KeyStage
from server.schema.sharing import (
    DecideSharingChangeInput,
    DecideSharingChangePayload,
    OutsideReadConnection,
    SharingApprovals,
)


@strawberry.type
class SharingQuery:
    @strawberry.field(
        description="Sharing changes of the school (pending, approved, refused, superseded) "
        "with who and when. For the school's administrators and Head Teacher/Senior Leader "
        "users; anyone else: FORBIDDEN."
    )
    async def sharing_approvals(
        self,
        info: Info,
        key_stage: KeyStage | None = None,
        year_group: int | None = None,
        school_id: strawberry.ID | None = None,
    ) -> SharingApprovals:
        return await resolve.sharing_approvals(info.context, school_id, key_stage, year_group)

    @strawberry.field(
        description="Who read what: every read of the school's targets by a local authority "
        "or academy chain user (aggregates and pupil-level, pages, exports, API tokens), "
        "newest first. readFrom and readTo are days (UTC), both included; organisationId: only that "
        "LA's or chain's reads. For the school's "
        "administrators and Head Teacher/Senior Leader users; anyone else: FORBIDDEN."
    )
    async def outside_reads(
        self,
        info: Info,
        read_from: date | None = None,
        read_to: date | None = None,
        organisation_id: strawberry.ID | None = None,
        first: int = 50,
        after: str | None = None,
        school_id: strawberry.ID | None = None,
    ) -> OutsideReadConnection:
        return await resolve.outside_reads_of(
            info.context, school_id, read_from, read_to, organisation_id, first, after
        )


@strawberry.type
class SharingMutation:
    @strawberry.mutation(
        description="Approve or refuse a pending sharing change: only a Head Teacher/Senior "
        "Leader user of the school (else FORBIDDEN). Single use: a second decision answers "
        "ALREADY_DECIDED."
    )
    async def decide_sharing_change(
        self, info: Info, input: DecideSharingChangeInput
    ) -> DecideSharingChangePayload:
        return await resolve.decide_sharing_change(info.context, input)
