"""The audit log of account changes: who, what, before, after, when, through what."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.models import Account, AuditEvent
from server.models.enums import AccessVia


@dataclass(frozen=True)
class Actor:
    """Who is acting and through what: a session, an API token or the command line."""

    account: Account | None
    via: AccessVia = AccessVia.SESSION
    api_token_id: int | None = None
    ip_address: str | None = None

    @classmethod
    def command_line(cls) -> Actor:
        return cls(account=None, via=AccessVia.COMMAND_LINE)

    @classmethod
    def system(cls) -> Actor:
        return cls(account=None, via=AccessVia.SYSTEM)


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
    return await AuditEvent.create(
        organisation_id=organisation_id,
        actor=actor.account,
        actor_organisation_id=actor.account.organisation_id if actor.account else None,
        via=actor.via,
        api_token_id=actor.api_token_id,
        action=action,
        subject_type="account" if subject is not None else None,
        subject_id=str(subject.id) if subject is not None else None,
        before=before,
        after=after,
        detail=detail,
        ip_address=actor.ip_address,
        using_db=connection,
    )
