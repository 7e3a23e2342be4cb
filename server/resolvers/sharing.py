"""Thin: who may see and decide sharing changes; the rules are in services/sharing."""

from __future__ import annotations

import strawberry

from server.models.enums import KeyStage as StoredKeyStage
from server.permissions.checks import require_account
from server.schema.enums import KeyStage
from server.schema.error_codes import field_errors
from server.schema.errors import Forbidden, NotFound
from server.schema.sharing import (
    DecideSharingChangeError,
    DecideSharingChangeInput,
    DecideSharingChangePayload,
    SharingApprovals,
    SharingChange,
    SharingChangeStatus,
)
from server.services.audit import Actor
from server.services.errors import UserInputError
from server.services.sharing import approval


def change_type(change) -> SharingChange:
    return SharingChange(
        id=strawberry.ID(str(change.id)),
        key_stage=KeyStage(StoredKeyStage(change.key_stage).value),
        year_group=change.year_group,
        pupil_level_with_la=change.pupil_level_with_la,
        aggregate_with_la=change.aggregate_with_la,
        aggregate_with_chain=change.aggregate_with_chain,
        description=approval.describe(change),
        status=SharingChangeStatus(change.status),
        requested_by=change.requested_by.full_name if change.requested_by else None,
        requested_at=change.requested_at,
        decided_by=change.decided_by.full_name if change.decided_by else None,
        decided_at=change.decided_at,
    )


def actor(context) -> Actor:
    viewer = context.viewer
    return Actor(
        account=viewer.account, via=viewer.via,
        api_token_id=viewer.api_token.id if viewer.api_token else None,
        ip_address=viewer.ip_address,
    )


def governed_school(context, school_id: strawberry.ID | None = None) -> int:
    """The school whose sharing the viewer governs: its administrators and senior leaders."""
    account = require_account(context)
    try:
        wanted = account.organisation_id if school_id is None else int(school_id)
    except ValueError as error:
        raise NotFound("No such school.") from error
    if wanted != account.organisation_id or not (
        account.is_administrator or approval.is_senior_leader(account, wanted)
    ) or account.organisation.kind.value != "school":
        raise Forbidden(
            "Only the school's administrators and Head Teacher/Senior Leader users see its "
            "sharing."
        )
    return wanted


async def sharing_approvals(
    context, school_id, key_stage: KeyStage | None, year_group: int | None
) -> SharingApprovals:
    sid = governed_school(context, school_id)
    rows = await approval.changes(
        sid, StoredKeyStage(key_stage.value) if key_stage else None, year_group
    )
    leaders = len(await approval.senior_leaders(sid))
    return SharingApprovals(
        changes=[change_type(c) for c in rows],
        senior_leaders=leaders,
        can_decide=approval.is_senior_leader(context.viewer.account, sid),
        no_senior_leader_message=None if leaders else approval.NO_SENIOR_LEADER,
    )


async def decide_sharing_change(context, input: DecideSharingChangeInput) -> DecideSharingChangePayload:
    require_account(context)
    try:
        change_id = int(input.id)
    except ValueError:
        change_id = -1
    try:
        change = await approval.decide(change_id, input.approve, actor(context))
    except PermissionError as error:
        raise Forbidden(str(error)) from error
    except UserInputError as error:
        return DecideSharingChangePayload(
            change=None, errors=field_errors(DecideSharingChangeError, error))
    return DecideSharingChangePayload(change=change_type(change), errors=[])
