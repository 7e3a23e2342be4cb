"""Making batches directly through the service, for the service tests."""

from __future__ import annotations

from server.models import Account, Batch, Organisation
from server.models.enums import BatchKind
from server.services.accounts.audit import Actor
from server.services.batches.store import upload_batch
from tests.batches import files


async def batch_of(
    administrator: Account, rows: list[list[object]], kind: BatchKind = BatchKind.USERS,
    headings: list[str] | None = None,
) -> Batch:
    organisation: Organisation = await administrator.organisation
    if headings is None:
        headings = files.USER_HEADINGS if kind == BatchKind.USERS else files.ADMIN_HEADINGS
    data = files.xlsx(rows, headings)
    return await upload_batch(Actor(account=administrator), organisation, kind, "people.xlsx", data)
