"""Bulk upload resolvers: administrators of the organisation only; the rules are services'."""

from __future__ import annotations

import base64

import strawberry

from server.models import Batch as BatchModel
from server.models import BatchRow as BatchRowModel
from server.models import Organisation
from server.models.enums import BatchKind as StoredKind
from server.permissions.checks import require_administrator
from server.schema.batches import (
    Batch,
    BatchCheck,
    BatchChoice,
    BatchConnection,
    BatchCreatedAccount,
    BatchError,
    BatchKind,
    BatchPayload,
    BatchProblem,
    BatchProblemSeverity,
    BatchRow,
    BatchRowNotCreated,
    BatchStatus,
    CreateBatchUsersPayload,
    DeleteBatchRowPayload,
    SpreadsheetFile,
    SpreadsheetFormat,
    UpdateBatchRowPayload,
    UploadBatchPayload,
)
from server.schema.error_codes import field_errors
from server.schema.errors import NotFound
from server.schema.pagination import PageInfo, edges_for, encode_cursor, page_window
from server.services import uploads
from server.services.accounts.people import (
    PUPIL_ACCESS_LABELS,
    parse_pupil_access,
    parse_role,
    pupil_access_for,
    roles_for,
)
from server.services.batches import creating, store
from server.services.batches.checking import Problem, check_rows, is_amber, is_red
from server.services.errors import NotFoundError, UserInputError
from server.services.spreadsheets import reading
from server.services.spreadsheets.templates import SpreadsheetFile as FileModel
from server.services.spreadsheets.templates import build_template


def _administrator(context):
    account = require_administrator(context)
    return account, account.organisation



def _number(value: str, what: str = "batch") -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise NotFound(f"No such {what}.") from None
    if number <= 0 or number > 2**31 - 1:
        raise NotFound(f"No such {what}.")
    return number


def _file(made: FileModel) -> SpreadsheetFile:
    return SpreadsheetFile(
        file_name=made.file_name, content_type=made.content_type,
        content_base64=base64.b64encode(made.content).decode(),
    )


def batch_type(batch: BatchModel, counts: store.BatchCounts) -> Batch:
    uploader = batch.uploaded_by
    return Batch(
        id=strawberry.ID(str(batch.id)),
        kind=BatchKind(batch.kind.value),
        file_name=batch.file_name,
        status=BatchStatus(batch.status.value),
        uploaded_by=uploader.full_name if uploader else None,
        uploaded_at=batch.uploaded_at,
        deleted_at=batch.deleted_at,
        can_restore=store.can_restore(batch),
        version=batch.version,
        row_count=counts.rows,
        created_count=counts.created,
        remaining_count=counts.remaining,
    )


async def _batch_with_counts(batch: BatchModel) -> Batch:
    counts = await store.counts_for([batch.id])
    return batch_type(batch, counts[batch.id])


def _problem(problem: Problem) -> BatchProblem:
    return BatchProblem(
        field=problem.field, severity=BatchProblemSeverity(problem.severity),
        code=problem.code.value, message=problem.message,
    )


def row_type(row: BatchRowModel, problems: list[Problem], organisation: Organisation) -> BatchRow:
    role = parse_role(row.role) if row.role else None
    access = parse_pupil_access(row.pupil_access) if row.pupil_access else None
    return BatchRow(
        id=strawberry.ID(str(row.id)),
        row_number=row.row_number,
        forename=row.forename,
        surname=row.surname,
        email=row.email,
        role=row.role,
        pupil_access=row.pupil_access,
        role_choice=role.value if role in roles_for(organisation.kind) else None,
        pupil_access_choice=(
            access.value if access in pupil_access_for(organisation.kind) else None
        ),
        problems=[_problem(p) for p in problems],
        is_red=is_red(problems),
        is_amber=is_amber(problems),
    )


def _created(row: BatchRowModel) -> BatchCreatedAccount:
    account = row.created_account
    return BatchCreatedAccount(
        id=strawberry.ID(str(account.id)), row_number=row.row_number,
        forename=account.forename, surname=account.surname, email=account.email,
        login_name=account.login_name, status=account.status.value,
    )


async def batches(context, kind: BatchKind, first: int, after: str | None) -> BatchConnection:
    _, organisation = _administrator(context)
    start, size = page_window(first, after)
    total, found = await store.list_batches(organisation.id, StoredKind(kind.value), start, size)
    counts = await store.counts_for([b.id for b in found])
    nodes = [batch_type(b, counts[b.id]) for b in found]
    return BatchConnection(
        edges=edges_for(nodes, start),
        page_info=PageInfo(
            has_next_page=start + len(found) < total,
            end_cursor=encode_cursor(start + len(found) - 1) if found else None,
        ),
        total_count=total,
    )


async def batch_check(context, batch_id: str) -> BatchCheck:
    _, organisation = _administrator(context)
    try:
        batch = await store.get_batch(organisation.id, _number(batch_id))
    except NotFoundError as error:
        raise NotFound(error.message) from None
    rows = await store.remaining_rows(batch.id)
    problems = await check_rows(organisation, batch.kind, rows)
    typed = [row_type(r, problems[r.id], organisation) for r in rows]
    created = await store.created_rows(batch.id)
    is_users = batch.kind == StoredKind.USERS
    return BatchCheck(
        batch=await _batch_with_counts(batch),
        rows=typed,
        red_count=sum(1 for r in typed if r.is_red),
        amber_count=sum(1 for r in typed if r.is_amber),
        ready_count=sum(1 for r in typed if not r.is_red and not r.is_amber),
        created=[_created(r) for r in created],
        role_choices=[BatchChoice(value=r.value, label=r.value) for r in roles_for(organisation.kind)]
        if is_users else [],
        pupil_access_choices=[
            BatchChoice(value=a.value, label=PUPIL_ACCESS_LABELS[a])
            for a in pupil_access_for(organisation.kind)
        ] if is_users else [],
    )


async def annotated_workbook(context, batch_id: str) -> SpreadsheetFile:
    _, organisation = _administrator(context)
    try:
        batch = await store.get_batch(organisation.id, _number(batch_id))
    except NotFoundError as error:
        raise NotFound(error.message) from None
    return _file(await store.annotated_file(organisation, batch))


def template(context, kind: BatchKind, file_format: SpreadsheetFormat) -> SpreadsheetFile:
    _, organisation = _administrator(context)
    return _file(build_template(StoredKind(kind.value), organisation.kind, file_format.value))


def _decode(content: str) -> bytes:
    return uploads.decode_base64(content, reading.WORDING)


async def upload(context, input) -> UploadBatchPayload:
    _, organisation = _administrator(context)
    try:
        content = _decode(input.content_base64)
        batch = await store.upload_batch(
            context.actor, organisation, StoredKind(input.kind.value), input.file_name, content
        )
    except UserInputError as error:
        return UploadBatchPayload(batch=None, errors=field_errors(BatchError, error))
    return UploadBatchPayload(batch=await _batch_with_counts(batch), errors=[])


async def update_row(context, input) -> UpdateBatchRowPayload:
    _, organisation = _administrator(context)
    batch_id, row_id = _number(input.batch_id), _number(input.row_id, "row")
    values = {"forename": input.forename, "surname": input.surname, "email": input.email,
              "role": input.role, "pupilAccess": input.pupil_access}
    try:
        row = await store.update_row(context.actor, organisation, batch_id, row_id, values)
    except NotFoundError as error:
        raise NotFound(error.message) from None
    except UserInputError as error:
        return UpdateBatchRowPayload(row=None, errors=field_errors(BatchError, error))
    batch = await store.get_batch(organisation.id, batch_id)
    rows = await store.remaining_rows(batch.id)
    problems = await check_rows(organisation, batch.kind, rows)
    return UpdateBatchRowPayload(row=row_type(row, problems[row.id], organisation), errors=[])


async def delete_row(context, input) -> DeleteBatchRowPayload:
    _, organisation = _administrator(context)
    try:
        batch = await store.remove_row(
            context.actor, organisation, _number(input.batch_id), _number(input.row_id, "row")
        )
    except NotFoundError as error:
        raise NotFound(error.message) from None
    except UserInputError as error:
        return DeleteBatchRowPayload(batch=None, errors=field_errors(BatchError, error))
    return DeleteBatchRowPayload(batch=await _batch_with_counts(batch), errors=[])


async def create_users(context, input) -> CreateBatchUsersPayload:
    _, organisation = _administrator(context)
    try:
        result = await creating.create_users(
            context.actor, organisation, _number(input.batch_id), input.version,
            input.confirm_highlighted,
        )
    except NotFoundError as error:
        raise NotFound(error.message) from None
    except UserInputError as error:
        return CreateBatchUsersPayload(batch=None, created=[], not_confirmed_count=0,
                                       not_created=[], errors=field_errors(BatchError, error))
    rows = {r.created_account_id: r for r in await store.created_rows(result.batch.id)}
    return CreateBatchUsersPayload(
        batch=await _batch_with_counts(result.batch),
        created=[_created(rows[a.id]) for a in result.created if a.id in rows],
        not_confirmed_count=result.not_confirmed,
        not_created=[BatchRowNotCreated(row_number=r.row_number, message=r.message)
                     for r in result.not_created],
        errors=[],
    )


async def delete_batch(context, input) -> BatchPayload:
    _, organisation = _administrator(context)
    try:
        batch = await store.delete_batch(context.actor, organisation, _number(input.batch_id))
    except NotFoundError as error:
        raise NotFound(error.message) from None
    except UserInputError as error:
        return BatchPayload(batch=None, errors=field_errors(BatchError, error))
    return BatchPayload(batch=await _batch_with_counts(batch), errors=[])


async def restore_batch(context, input) -> BatchPayload:
    _, organisation = _administrator(context)
    try:
        batch = await store.restore_batch(context.actor, organisation, _number(input.batch_id))
    except NotFoundError as error:
        raise NotFound(error.message) from None
    except UserInputError as error:
        return BatchPayload(batch=None, errors=field_errors(BatchError, error))
    return BatchPayload(batch=await _batch_with_counts(batch), errors=[])
