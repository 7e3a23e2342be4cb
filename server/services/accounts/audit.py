"""The audit log of account changes: who, what, before, after, when, through what."""

from __future__ import annotations

from typing import Any

from server.models import Account, AuditEvent
from server.services.audit import Actor
from server.services.audit import record as record_event

__all__ = ["Actor", "account_snapshot", "record"]


def account_snapshot(account: Account) -> dict[str, Any]:
    """The facts about an account worth recording; never a secret."""
    return {
        "kind": account.kind.value,
        "forename": account.forename,
        "surname": account.surname,
        "email": account.email,
        "loginName": account.login_name,
        "role": account.role.value if account.role else None,
        "pupilAccess": account.pupil_access.value if account.pupil_access else None,
        "status": account.status.value,
    }


async def record(
    actor: Actor,
    action: str,
    organisation_id: int | None,
    subject: Account | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    connection=None,
) -> AuditEvent:
    """An account change: the subject is the account changed."""
    return await record_event(
        actor, action, organisation_id,
        subject_type="account" if subject is not None else None,
        subject_id=str(subject.id) if subject is not None else None,
        before=before, after=after, detail=detail, connection=connection,
    )
