"""Thin: who may see and decide sharing changes; the rules are in services/sharing."""

from __future__ import annotations

import strawberry

from server.models.enums import KeyStage as StoredKeyStage
from server.permissions.checks import require_account
from server.permissions.sharing import is_senior_leader, may_see_sharing
from server.schema.enums import KeyStage
from server.schema.error_codes import field_errors
from server.schema.errors import BadUserInput, Forbidden, NotFound
from server.schema.pagination import PageInfo, edges_for, encode_cursor, page_window
from server.schema.sharing import (
    DecideSharingChangeError,
    DecideSharingChangeInput,
    DecideSharingChangePayload,
    OutsideRead,
    OutsideReadConnection,
    OutsideReadDoor,
    OutsideReadLevel,
    ReadingOrganisation,
    SharingApprovals,
    SharingChange,
    SharingChangeStatus,
)
from server.services import audit_wording
from server.services.audit import Actor
from server.services.errors import UserInputError
from server.services.sharing import approval
from server.services.sharing import reads as outside_reads


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
    if not may_see_sharing(account, wanted):
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
        can_decide=is_senior_leader(context.viewer.account, sid),
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


def _organisation_id(value: strawberry.ID | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError as error:
        raise BadUserInput("organisationId is not an organisation's id.") from error


async def outside_reads_of(
    context, school_id, read_from, read_to, organisation_id, first: int, after: str | None
) -> OutsideReadConnection:
    """Who read what: only the school's administrators and senior leaders."""
    sid = governed_school(context, school_id)
    start, size = page_window(first, after)
    period = outside_reads.Period(read_from, read_to)
    try:
        total, rows = await outside_reads.reads_page(
            sid, period, _organisation_id(organisation_id), start, size
        )
    except UserInputError as error:
        raise BadUserInput(error.message) from error
    readers = await outside_reads.reading_organisations(sid)
    names = {o.id: o.name for o in readers}
    subjects = await audit_wording.subject_names(c for r in rows for c in r.subjects or [])
    nodes = [_read_type(r, names, subjects) for r in rows]
    end = start + len(nodes) - 1
    return OutsideReadConnection(
        edges=edges_for(nodes, start),
        page_info=PageInfo(has_next_page=start + len(nodes) < total,
                           end_cursor=encode_cursor(end) if nodes else None),
        total_count=total,
        organisations=[ReadingOrganisation(id=strawberry.ID(str(o.id)), name=o.name)
                       for o in readers],
    )


def _read_type(read, names: dict[int, str], subjects: dict[str, str]) -> OutsideRead:
    words = audit_wording.describe_read(read, names, subjects)
    return OutsideRead(
        id=strawberry.ID(str(read.id)),
        read_at=read.read_at,
        reader=read.reader_name,
        reader_organisation_id=strawberry.ID(str(read.reader_organisation_id)),
        reader_organisation=names.get(read.reader_organisation_id, ""),
        level=OutsideReadLevel(read.level),
        key_stage=KeyStage(StoredKeyStage(read.key_stage).value),
        year_group=read.year_group,
        subject_codes=list(read.subjects or []),
        pupils=read.pupils,
        door=OutsideReadDoor(read.via),
        who=words.who, what=words.what, about=words.about, how=words.how,
    )
