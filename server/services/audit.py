"""The audit log (append-only): who, what, when, through what, before and after."""

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


async def record(
    actor: Actor,
    action: str,
    organisation_id: int | None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    before: Any = None,
    after: Any = None,
    detail: dict[str, Any] | None = None,
    connection=None,
) -> AuditEvent:
    account = actor.account
    return await AuditEvent.create(
        organisation_id=organisation_id,
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
