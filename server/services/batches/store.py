"""Batches: upload a file, read and list batches, edit or delete rows, delete or restore.

Every change bumps the batch's version inside a transaction, so Create users (which
claims the version it was shown) never acts on rows someone changed in the meantime.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio
from tortoise.expressions import F
from tortoise.functions import Count
from tortoise.timezone import now
from tortoise.transactions import in_transaction

from server.models import Batch, BatchRow, Organisation
from server.models.enums import BatchKind, BatchStatus
from server.services.accounts.audit import Actor, record
from server.services.batches.checking import RED, Problem, check_rows
from server.services.batches.errors import BatchErrorCode
from server.services.errors import NotFoundError, UserInputError
from server.services.spreadsheets.annotated import AnnotatedRow, annotated_workbook
from server.services.spreadsheets.columns import COLUMNS, SHEET_NAMES
from server.services.spreadsheets.reading import ReadSheet, read_upload
from server.services.spreadsheets.templates import SpreadsheetFile

RESTORE_DAYS = 30
STORED_FIELDS = ("forename", "surname", "email", "role", "pupilAccess")
MAX_EDIT_CHARACTERS = 500
# Parsing holds a file and its cells in memory: two at a time is plenty for two cores.
_PARSING = anyio.CapacityLimiter(2)

NOT_FOUND = BatchErrorCode.NOT_FOUND
STALE = BatchErrorCode.STALE
GONE = BatchErrorCode.GONE


@dataclass(frozen=True)
class BatchCounts:
    rows: int  # rows read from the file
    created: int
    remaining: int  # neither created nor deleted


def clean_file_name(name: str) -> str:
    """The name as the administrator knows it: no folders (C:\\fakepath\\), no controls."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip()
    return base[:255] or "upload"


async def read_file(kind: BatchKind, file_name: str, content: bytes) -> ReadSheet:
    """Read an upload off the event loop; a refused file is an UploadError on `file`."""
    columns = COLUMNS[kind]
    sheets = (SHEET_NAMES[kind], *SHEET_NAMES.values())
    return await anyio.to_thread.run_sync(
        read_upload, content, file_name, columns, sheets, limiter=_PARSING
    )


async def upload_batch(
    actor: Actor, organisation: Organisation, kind: BatchKind, file_name: str, content: bytes
) -> Batch:
    """A readable file becomes a batch (Partially processed); a refused one creates nothing."""
    name = clean_file_name(file_name)
    sheet = await read_file(kind, name, content)
    async with in_transaction() as connection:
        batch = await Batch.create(
            organisation=organisation, kind=kind, file_name=name,
            status=BatchStatus.PARTIALLY_PROCESSED, uploaded_by=actor.account,
            using_db=connection,
        )
        await BatchRow.bulk_create(
            [
                BatchRow(
                    batch_id=batch.id, row_number=row.row_number,
                    forename=row.values.get("forename", ""),
                    surname=row.values.get("surname", ""),
                    email=row.values.get("email", ""),
                    role=row.values.get("role", ""),
                    pupil_access=row.values.get("pupilAccess", ""),
                )
                for row in sheet.rows
            ],
            using_db=connection,
        )
        await record(
            actor, "batch.uploaded", organisation.id,
            detail={"batch": batch.id, "kind": kind.value, "fileName": name,
                    "format": sheet.file_format, "rows": len(sheet.rows)},
            connection=connection,
        )
    return batch


async def get_batch(organisation_id: int, batch_id: int) -> Batch:
    """A batch of this organisation (with its uploader), or NOT_FOUND: no leaking of others'."""
    batch = (
        await Batch.filter(id=batch_id, organisation_id=organisation_id)
        .select_related("uploaded_by")
        .first()
    )
    if batch is None:
        raise NotFoundError("This batch does not exist.", None, NOT_FOUND)
    return batch


async def remaining_rows(batch_id: int, connection=None) -> list[BatchRow]:
    return (
        await BatchRow.filter(batch_id=batch_id, created_account_id=None, removed_at=None)
        .using_db(connection)
        .order_by("row_number")
    )


async def created_rows(batch_id: int) -> list[BatchRow]:
    return (
        await BatchRow.filter(batch_id=batch_id, created_account_id__not_isnull=True)
        .select_related("created_account")
        .order_by("row_number")
    )


async def counts_for(batch_ids: list[int]) -> dict[int, BatchCounts]:
    """Rows, created and remaining per batch: two GROUP BY queries for any number of batches."""
    if not batch_ids:
        return {}
    totals = await (
        BatchRow.filter(batch_id__in=batch_ids)
        .annotate(n=Count("id"))
        .group_by("batch_id")
        .values("batch_id", "n")
    )
    left = await (
        BatchRow.filter(batch_id__in=batch_ids, created_account_id=None, removed_at=None)
        .annotate(n=Count("id"))
        .group_by("batch_id")
        .values("batch_id", "n")
    )
    made = await (
        BatchRow.filter(batch_id__in=batch_ids, created_account_id__not_isnull=True)
        .annotate(n=Count("id"))
        .group_by("batch_id")
        .values("batch_id", "n")
    )
    total = {r["batch_id"]: r["n"] for r in totals}
    remaining = {r["batch_id"]: r["n"] for r in left}
    created = {r["batch_id"]: r["n"] for r in made}
    return {
        i: BatchCounts(total.get(i, 0), created.get(i, 0), remaining.get(i, 0)) for i in batch_ids
    }


async def list_batches(
    organisation_id: int, kind: BatchKind, offset: int, limit: int
) -> tuple[int, list[Batch]]:
    query = Batch.filter(organisation_id=organisation_id, kind=kind)
    total = await query.count()
    batches = (
        await query.select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")
        .offset(offset)
        .limit(limit)
    )
    return total, list(batches)


def can_restore(batch: Batch, moment: datetime | None = None) -> bool:
    return (
        batch.status == BatchStatus.DELETED
        and batch.deleted_at is not None
        and (moment or now()) - batch.deleted_at <= timedelta(days=RESTORE_DAYS)
    )


async def _bump(batch: Batch, connection, open_only: bool = True) -> None:
    """Claim the batch for one change; refuses a deleted batch."""
    query = Batch.filter(id=batch.id)
    if open_only:
        query = query.exclude(status=BatchStatus.DELETED)
    changed = await query.using_db(connection).update(version=F("version") + 1)
    if not changed:
        raise UserInputError(
            "This batch has been deleted. Restore it from the batch files list to change it.",
            None, GONE,
        )


async def _settle_status(batch_id: int, connection) -> BatchStatus:
    """Processed when no row is left, Partially processed while some are (never Deleted here)."""
    left = await BatchRow.filter(
        batch_id=batch_id, created_account_id=None, removed_at=None
    ).using_db(connection).count()
    status = BatchStatus.PROCESSED if left == 0 else BatchStatus.PARTIALLY_PROCESSED
    await Batch.filter(id=batch_id).exclude(status=BatchStatus.DELETED).using_db(
        connection
    ).update(status=status)
    return status


async def _open_row(batch: Batch, row_id: int, connection) -> BatchRow:
    row = await BatchRow.filter(id=row_id, batch_id=batch.id).using_db(connection).first()
    if row is None:
        raise NotFoundError("This row is not in the batch.", None, NOT_FOUND)
    if row.created_account_id is not None:
        raise UserInputError(
            "This person's account has already been created, so the row cannot be changed.",
            None, GONE,
        )
    if row.removed_at is not None:
        raise UserInputError("This row has already been deleted from the batch.", None, GONE)
    return row


class RowInputError(UserInputError):
    """Every red problem of an edited row; nothing was saved."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(first.message, first.field, first.code)
        self.problems = problems


async def update_row(
    actor: Actor, organisation: Organisation, batch_id: int, row_id: int, values: dict[str, str]
) -> BatchRow:
    """Save an edited row if it has no red field problem (amber is fine: confirmed at Create).

    A row that is red only because of the administrator limit can still be saved.
    """
    batch = await get_batch(organisation.id, batch_id)
    cleaned = {key: " ".join(str(values.get(key) or "").split())[:MAX_EDIT_CHARACTERS]
               for key in STORED_FIELDS}
    if batch.kind == BatchKind.ADMINISTRATORS:
        cleaned["role"] = cleaned["pupilAccess"] = ""
    async with in_transaction() as connection:
        await _bump(batch, connection)
        row = await _open_row(batch, row_id, connection)
        before = {"forename": row.forename, "surname": row.surname, "email": row.email,
                  "role": row.role, "pupilAccess": row.pupil_access}
        row.forename, row.surname, row.email = (
            cleaned["forename"], cleaned["surname"], cleaned["email"]
        )
        row.role, row.pupil_access = cleaned["role"], cleaned["pupilAccess"]
        others = await remaining_rows(batch.id, connection)
        candidates = [row if other.id == row.id else other for other in others]
        problems = (await check_rows(organisation, batch.kind, candidates, connection))[row.id]
        red = [p for p in problems if p.severity == RED and p.field is not None]
        if red:
            raise RowInputError(red)
        await row.save(
            update_fields=["forename", "surname", "email", "role", "pupil_access"],
            using_db=connection,
        )
        await record(
            actor, "batch.row_edited", organisation.id, before=before, after=cleaned,
            detail={"batch": batch.id, "row": row.row_number}, connection=connection,
        )
    return row


async def remove_row(actor: Actor, organisation: Organisation, batch_id: int, row_id: int) -> Batch:
    """Delete a row from the batch (kept for the record, never shown or created again)."""
    batch = await get_batch(organisation.id, batch_id)
    async with in_transaction() as connection:
        await _bump(batch, connection)
        row = await _open_row(batch, row_id, connection)
        await BatchRow.filter(id=row.id, created_account_id=None, removed_at=None).using_db(
            connection
        ).update(removed_at=now())
        await _settle_status(batch.id, connection)
        await record(
            actor, "batch.row_deleted", organisation.id,
            before={"forename": row.forename, "surname": row.surname, "email": row.email},
            detail={"batch": batch.id, "row": row.row_number}, connection=connection,
        )
    return await get_batch(organisation.id, batch_id)


async def delete_batch(actor: Actor, organisation: Organisation, batch_id: int) -> Batch:
    """Status Deleted; accounts already created remain. Restorable for RESTORE_DAYS days."""
    batch = await get_batch(organisation.id, batch_id)
    async with in_transaction() as connection:
        await _bump(batch, connection)
        await Batch.filter(id=batch.id).using_db(connection).update(
            status=BatchStatus.DELETED, deleted_at=now()
        )
        await record(
            actor, "batch.deleted", organisation.id,
            before={"status": batch.status.value}, after={"status": BatchStatus.DELETED.value},
            detail={"batch": batch.id, "fileName": batch.file_name}, connection=connection,
        )
    return await get_batch(organisation.id, batch_id)


async def restore_batch(actor: Actor, organisation: Organisation, batch_id: int) -> Batch:
    batch = await get_batch(organisation.id, batch_id)
    if batch.status != BatchStatus.DELETED:
        raise UserInputError("This batch has not been deleted.", None, BatchErrorCode.INVALID_STATE)
    if not can_restore(batch):
        raise UserInputError(
            f"This batch was deleted more than {RESTORE_DAYS} days ago and cannot be restored.",
            None, GONE,
        )
    async with in_transaction() as connection:
        changed = await Batch.filter(id=batch.id, status=BatchStatus.DELETED).using_db(
            connection
        ).update(status=BatchStatus.PARTIALLY_PROCESSED, deleted_at=None, version=F("version") + 1)
        if changed:
            status = await _settle_status(batch.id, connection)
            await record(
                actor, "batch.restored", organisation.id,
                before={"status": BatchStatus.DELETED.value}, after={"status": status.value},
                detail={"batch": batch.id, "fileName": batch.file_name}, connection=connection,
            )
    return await get_batch(organisation.id, batch_id)


async def annotated_file(organisation: Organisation, batch: Batch) -> SpreadsheetFile:
    """The remaining rows with their problems, as an .xlsx to fix and upload again."""
    rows = await remaining_rows(batch.id)
    problems = await check_rows(organisation, batch.kind, rows)
    annotated = [
        AnnotatedRow(
            values={"forename": r.forename, "surname": r.surname, "email": r.email,
                    "role": r.role, "pupilAccess": r.pupil_access},
            notes=problems[r.id],
        )
        for r in rows
    ]
    stem = re.sub(r"\.(xlsx|xls|csv)$", "", batch.file_name, flags=re.IGNORECASE)
    stem = re.sub(r"[^\w.\- ]", "_", stem)[:100] or "batch"
    return await anyio.to_thread.run_sync(
        annotated_workbook, batch.kind, organisation.kind, annotated,
        f"{stem}-to-fix.xlsx", limiter=_PARSING,
    )
