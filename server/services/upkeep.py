"""Scheduled upkeep: remove what has outlived its purpose, once at a time across workers.

`run_upkeep` is what `aspire maintain` and the periodic task inside `aspire serve` run:

- sessions past their absolute end or idle for longer than the idle limit;
- throttle counters whose window ended more than THROTTLE_KEEP ago;
- targets deleted more than 30 days ago and never restored (`purge_expired`);
- the rows of batches deleted more than 30 days ago (no longer restorable); the batch's
  own record (name, counts, who uploaded it) stays;
- pupil imports left unconfirmed for more than PENDING_IMPORT_KEEP: discarded and their rows
  (children's data from the file) emptied, as Discard does; likewise working-at
  spreadsheets left unconfirmed;
- password-reset links past their expiry (cleared; failures and locks are left alone) and
  reset records with nothing left in them;
- activation records of accounts activated more than USED_ACTIVATION_KEEP ago (the spent
  code and verification link);
- webhook deliveries that finished (delivered, failed or stopped) more than
  FINISHED_DELIVERY_KEEP ago; queued ones are never removed here.

Only one worker runs it at a time: `claim` is one conditional UPDATE of the job's
`upkeep_claim` row (free, and due unless forced), decided by the number of rows it changed.
A claim is a lease (LEASE): a worker killed while running frees the job when it runs out.
Every run is logged and audited (`upkeep.ran`, with what each step removed).
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise import connections
from tortoise.expressions import Q

from server.models import Activation, Batch, BatchRow, PasswordReset, PupilImport, Session, ThrottleCounter
from server.models.enums import BatchStatus, PupilImportStatus
from server.models.tracking import WorkingAtUpload, WorkingAtUploadStatus
from server.models.upkeep import UpkeepClaim
from server.models.webhooks import WebhookDelivery
from server.services.audit import Actor, record
from server.services.batches.store import RESTORE_DAYS as BATCH_RESTORE_DAYS
from server.services.targets import sql
from server.services.targets.deletion import purge_expired

logger = logging.getLogger("aspire.upkeep")

JOB = "maintain"
LEASE = timedelta(minutes=15)
THROTTLE_KEEP = timedelta(days=2)
PENDING_IMPORT_KEEP = timedelta(days=1)
USED_ACTIVATION_KEEP = timedelta(days=1)
FINISHED_DELIVERY_KEEP = timedelta(days=30)


@dataclass
class UpkeepResult:
    ran: bool
    removed: dict[str, int] = field(default_factory=dict)
    reason: str = ""

    def summary(self) -> str:
        if not self.ran:
            return f"Upkeep did not run: {self.reason}."
        return "Upkeep removed " + ", ".join(f"{n} {what}" for what, n in self.removed.items()) + "."


def holder_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


async def claim(holder: str, now: datetime, every: timedelta | None) -> bool:
    """Take the job if nobody holds it (and, with `every`, if it last finished that long
    ago). True when this call took it: decided by the UPDATE's own row count."""
    connection = connections.get("default")
    await sql.execute(
        connection, "INSERT INTO upkeep_claim (name) VALUES (?) ON CONFLICT (name) DO NOTHING", [JOB]
    )
    condition = Q(name=JOB) & (Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
    if every is not None:
        condition &= Q(last_finished_at__isnull=True) | Q(last_finished_at__lte=now - every)
    changed = await UpkeepClaim.filter(condition).update(
        holder=holder, claimed_until=now + LEASE, last_started_at=now
    )
    return changed == 1


async def release(holder: str, now: datetime, result: dict | None) -> None:
    await UpkeepClaim.filter(name=JOB, holder=holder).update(
        holder=None, claimed_until=None, last_finished_at=now, last_result=result
    )


async def _sessions(now: datetime, idle: timedelta) -> int:
    return await Session.filter(Q(expires_at__lte=now) | Q(last_seen_at__lte=now - idle)).delete()


async def _throttle_counters(now: datetime) -> int:
    return await ThrottleCounter.filter(window_start__lt=now - THROTTLE_KEEP).delete()


async def _deleted_batch_rows(now: datetime) -> int:
    batch_ids = await Batch.filter(
        status=BatchStatus.DELETED, deleted_at__lte=now - timedelta(days=BATCH_RESTORE_DAYS)
    ).values_list("id", flat=True)
    if not batch_ids:
        return 0
    return await BatchRow.filter(batch_id__in=list(batch_ids)).delete()


async def _pending_imports(now: datetime) -> int:
    return await PupilImport.filter(
        status=PupilImportStatus.PENDING, created_at__lte=now - PENDING_IMPORT_KEEP
    ).update(status=PupilImportStatus.DISCARDED, rows=[])


async def _pending_working_at_uploads(now: datetime) -> int:
    return await WorkingAtUpload.filter(
        status=WorkingAtUploadStatus.PENDING, created_at__lte=now - PENDING_IMPORT_KEEP
    ).update(status=WorkingAtUploadStatus.DISCARDED, sheet={})


async def _password_reset_links(now: datetime) -> int:
    cleared = await PasswordReset.filter(link_expires_at__lte=now).update(
        link_hash=None, link_expires_at=None
    )
    # A record with no link, no failure and no lock in force holds nothing worth keeping.
    empty = await PasswordReset.filter(
        Q(link_hash__isnull=True) & Q(failures=0) & (Q(locked_until__isnull=True) | Q(locked_until__lte=now))
    ).delete()
    return cleared + empty


async def _used_activations(now: datetime) -> int:
    return await Activation.filter(used_at__lte=now - USED_ACTIVATION_KEEP).delete()


async def _finished_deliveries(now: datetime) -> int:
    return await WebhookDelivery.filter(
        status__not="queued", finished_at__lte=now - FINISHED_DELIVERY_KEEP
    ).delete()


async def purge(now: datetime, idle: timedelta) -> dict[str, int]:
    """Every step, in order; what each removed."""
    return {
        "expired sessions": await _sessions(now, idle),
        "old throttle counters": await _throttle_counters(now),
        "deleted targets": await purge_expired(now),
        "rows of deleted batches": await _deleted_batch_rows(now),
        "unconfirmed pupil imports": await _pending_imports(now),
        "unconfirmed working-at uploads": await _pending_working_at_uploads(now),
        "expired password-reset links": await _password_reset_links(now),
        "spent activations": await _used_activations(now),
        "old webhook deliveries": await _finished_deliveries(now),
    }


async def run_upkeep(
    actor: Actor,
    session_idle: timedelta,
    every: timedelta | None = None,
    now: datetime | None = None,
    holder: str | None = None,
) -> UpkeepResult:
    """Claim the job, purge, audit, release. `every=None` runs now unless another worker
    is running it; with `every`, only when the last run finished that long ago."""
    now = now or datetime.now(UTC)
    holder = holder or holder_name()
    if not await claim(holder, now, every):
        return UpkeepResult(ran=False, reason="another worker is running it or it ran recently")
    try:
        removed = await purge(now, session_idle)
        await record(actor, "upkeep.ran", None, subject_type="upkeep", subject_id=JOB, detail={"removed": removed})
    except BaseException:
        # Free the job for the next try; it has not finished, so it stays due.
        await UpkeepClaim.filter(name=JOB, holder=holder).update(holder=None, claimed_until=None)
        raise
    await release(holder, datetime.now(UTC), {"removed": removed})
    result = UpkeepResult(ran=True, removed=removed)
    logger.info("%s", result.summary())
    return result
