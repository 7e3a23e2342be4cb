"""Create users: every valid row of a batch becomes a pending account, exactly once.

Exactly once, whatever the clicks: the request claims the batch version the page showed
(UPDATE ... WHERE version = shown), inside one transaction. A second click or a second
administrator holding the same version finds it gone and creates nothing; on PostgreSQL
the second UPDATE waits for the first transaction and then matches no row, on SQLite
transactions are serialised. Each row is also claimed on its own (created_account set
only while it is empty), and each person is added in a savepoint, so one row that turns
out to be taken (a race on an email or an administrator slot) stays in the batch
without undoing the others. Verification emails go after the commit.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from server.faultpoints import pause_point
from server.models import Account, Batch, BatchRow, Organisation
from server.models.enums import BatchStatus
from server.services.accounts.activation import send_verification
from server.services.accounts.audit import Actor, record
from server.services.accounts.people import add_pending_person
from server.services.batches.checking import account_kind, check_rows, is_amber, is_red
from server.services.batches.store import GONE, STALE, get_batch, remaining_rows
from server.services.errors import UserInputError

EMAILS_AT_ONCE = 4
logger = logging.getLogger(__name__)


@dataclass
class RowNotCreated:
    row_number: int
    message: str


@dataclass
class CreateResult:
    batch: Batch
    created: list[Account] = field(default_factory=list)
    not_confirmed: int = 0  # amber rows left because the box was not ticked
    not_created: list[RowNotCreated] = field(default_factory=list)  # lost a race meanwhile


class RowClaimLost(UserInputError):
    """A row already had an account: the whole transaction rolls back, nothing is created."""

    def __init__(self) -> None:
        super().__init__(
            "Some of these users were created by another request at the same moment. Check "
            "the list again, then select Create users.",
            "batch", STALE,
        )


async def create_users(
    actor: Actor, organisation: Organisation, batch_id: int, version: int,
    confirm_highlighted: bool,
) -> CreateResult:
    batch = await get_batch(organisation.id, batch_id)
    if batch.status == BatchStatus.DELETED:
        raise UserInputError(
            "This batch has been deleted. Restore it from the batch files list first.",
            None, GONE,
        )
    result = CreateResult(batch=batch)
    who = account_kind(batch.kind)
    async with in_transaction() as connection:
        claimed = await Batch.filter(
            id=batch.id, version=version, status=BatchStatus.PARTIALLY_PROCESSED
        ).using_db(connection).update(version=F("version") + 1)
        if not claimed:
            raise UserInputError(
                "This batch has changed since the page was shown (the users may already have "
                "been created, or someone edited it). Check the list again, then select "
                "Create users.",
                "batch", STALE,
            )
        rows = await remaining_rows(batch.id, connection)
        problems = await check_rows(organisation, batch.kind, rows, connection)
        for row in rows:
            found = problems[row.id]
            if is_red(found):
                continue
            if is_amber(found) and not confirm_highlighted:
                result.not_confirmed += 1
                continue
            try:
                account, _ = await add_pending_person(
                    organisation, who, row.forename, row.surname, row.email,
                    row.role or None, row.pupil_access or None,
                    created_by=actor.account, governor_full_confirmed=confirm_highlighted,
                    connection=connection, actor=actor,
                )
            except UserInputError as error:
                result.not_created.append(RowNotCreated(row.row_number, error.message))
                continue
            taken = await BatchRow.filter(id=row.id, created_account_id=None).using_db(
                connection
            ).update(created_account_id=account.id)
            if taken != 1:
                raise RowClaimLost()
            result.created.append(account)
            await pause_point("batch.create_users", len(result.created))
        left = len(rows) - len(result.created)
        status = BatchStatus.PROCESSED if left == 0 else BatchStatus.PARTIALLY_PROCESSED
        await Batch.filter(id=batch.id).using_db(connection).update(
            status=status, created_count=F("created_count") + len(result.created)
        )
        await record(
            actor, "batch.users_created", organisation.id,
            detail={"batch": batch.id, "created": [a.id for a in result.created],
                    "notConfirmed": result.not_confirmed, "left": left},
            connection=connection,
        )
    await _send_verifications([account.id for account in result.created])
    result.batch = await get_batch(organisation.id, batch.id)
    return result


async def _send_verifications(account_ids: list[int]) -> None:
    """After the commit: each email issues its link; a failure is kept for Pending users."""
    gate = asyncio.Semaphore(EMAILS_AT_ONCE)

    async def one(account_id: int) -> None:
        async with gate:
            try:
                await send_verification(account_id)
            except Exception:  # the accounts exist: Pending users offers Resend
                logger.exception("verification email for account %s not sent", account_id)

    await asyncio.gather(*(one(i) for i in account_ids))
