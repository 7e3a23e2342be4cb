"""Audit entries for target-setting changes (the AuditEvent table, append-only).

Uses the accounts' `Actor` (who, through what) so that every audit entry reads alike.
"""

from __future__ import annotations

from typing import Any

from server.models import AuditEvent
from server.services.accounts.audit import Actor


async def record(
    actor: Actor,
    action: str,
    school_id: int,
    subject_type: str,
    subject_id: str,
    before: Any = None,
    after: Any = None,
    detail: dict[str, Any] | None = None,
    connection=None,
) -> AuditEvent:
    account = actor.account
    return await AuditEvent.create(
        organisation_id=school_id,
        actor_id=account.id if account else None,
        actor_organisation_id=account.organisation_id if account else None,
        via=actor.via,
        api_token_id=actor.api_token_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        before=before,
        after=after,
        detail=detail,
        ip_address=actor.ip_address,
        using_db=connection,
    )


def year_group_key(key_stage: str, year_group: int) -> str:
    """How an audit entry names a year group: "KS4-Y10"."""
    return f"{key_stage}-Y{year_group}"
