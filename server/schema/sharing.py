"""Sharing that schools govern (issue 15): sharing changes awaiting approval, outside reads."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from server.schema.enums import KeyStage
from server.schema.error_codes import error_codes
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
