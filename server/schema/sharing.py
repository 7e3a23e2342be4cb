"""Sharing that schools govern (issue 15): sharing changes awaiting approval, outside reads."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from server.schema.enums import KeyStage
from server.schema.error_codes import error_codes
from server.schema.pagination import Edge, PageInfo
from server.services.sharing.errors import DecideSharingChangeErrorCode


@strawberry.enum(description="Where a sharing change stands")
class SharingChangeStatus(Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    SUPERSEDED = strawberry.enum_value("superseded", description="A later save replaced it")


@strawberry.type(description="Sharing turned on or widened for one year group: it takes effect "
                 "only when a Head Teacher/Senior Leader user of the school approves it")
class SharingChange:
    id: strawberry.ID
    key_stage: KeyStage
    year_group: int
    pupil_level_with_la: bool
    aggregate_with_la: bool
    aggregate_with_chain: bool
    description: str = strawberry.field(description="The change in the school's words")
    status: SharingChangeStatus
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None


@strawberry.type
class SharingApprovals:
    changes: list[SharingChange] = strawberry.field(description="Pending first, then newest")
    senior_leaders: int = strawberry.field(
        description="Active Head Teacher/Senior Leader users who can approve (0: nobody can)"
    )
    can_decide: bool = strawberry.field(description="The viewer may approve or refuse")
    no_senior_leader_message: str | None = strawberry.field(
        description="What to do when the school has no senior leader to approve"
    )


error_codes(DecideSharingChangeErrorCode)


@strawberry.type
class DecideSharingChangeError:
    field: str | None
    message: str
    code: DecideSharingChangeErrorCode


@strawberry.input
class DecideSharingChangeInput:
    id: strawberry.ID
    approve: bool = strawberry.field(description="true: approve, false: refuse")


@strawberry.type
class DecideSharingChangePayload:
    change: SharingChange | None
    errors: list[DecideSharingChangeError]


@strawberry.enum(description="What an outside read returned")
class OutsideReadLevel(Enum):
    AGGREGATE = strawberry.enum_value("aggregate", description="Figures per subject "
                                      "(targetAggregates): no pupil's data")
    PUPIL = strawberry.enum_value("pupil", description="Pupils' own targets")


@strawberry.enum(description="Through which door an outside read came")
class OutsideReadDoor(Enum):
    PAGE = strawberry.enum_value("page", description="A page of the site, signed in")
    EXPORT = strawberry.enum_value("export", description="An export file, signed in")
    TOKEN = strawberry.enum_value("token", description="The GraphQL API with an API token")
    API = strawberry.enum_value("api", description="The GraphQL API with a signed-in session")


@strawberry.type(description="One outside read of the school's targets by a local authority "
                 "or academy chain user: who, when, what and through which door")
class OutsideRead:
    id: strawberry.ID
    read_at: datetime
    reader: str = strawberry.field(description="The person's name when they read")
    reader_organisation_id: strawberry.ID
    reader_organisation: str = strawberry.field(description="Their LA or chain, by name")
    level: OutsideReadLevel
    key_stage: KeyStage
    year_group: int
    subject_codes: list[str] = strawberry.field(description="Empty: every subject")
    pupils: int | None = strawberry.field(description="How many pupils a pupil-level read "
                                          "returned (null for aggregates)")
    door: OutsideReadDoor
    who: str = strawberry.field(description="In people's words: the person and organisation")
    what: str = strawberry.field(description="In people's words: aggregates, or pupils' "
                                 "targets with how many pupils")
    about: str = strawberry.field(description="In people's words: key stage, year group, "
                                  "subjects")
    how: str = strawberry.field(description="In people's words: the door")


@strawberry.type
class ReadingOrganisation:
    id: strawberry.ID
    name: str


@strawberry.type(description="The school's outside reads, newest first")
class OutsideReadConnection:
    edges: list[Edge[OutsideRead]]
    page_info: PageInfo
    total_count: int
    organisations: list[ReadingOrganisation] = strawberry.field(
        description="Every organisation that has read the school's targets (for a filter)"
    )
