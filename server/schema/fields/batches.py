"""Root fields of bulk upload: templates, batches and their rows; upload, edit, create."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from server.resolvers import batches as resolve
from server.schema.batches import (
    BatchCheck,
    BatchConnection,
    BatchInput,
    BatchKind,
    BatchPayload,
    BatchRowInput,
    CreateBatchUsersInput,
    CreateBatchUsersPayload,
    DeleteBatchRowPayload,
    SpreadsheetFile,
    SpreadsheetFormat,
    UpdateBatchRowInput,
    UpdateBatchRowPayload,
    UploadBatchInput,
    UploadBatchPayload,
)


@strawberry.type
class BatchQuery:
    @strawberry.field(description="The Excel template to fill in (administrators only).")
    def batch_template(self, info: Info, kind: BatchKind, format: SpreadsheetFormat) -> SpreadsheetFile:
        return resolve.template(info.context, kind, format)

    @strawberry.field(description="Batch files of the administrator's organisation, newest first.")
    async def batches(
        self, info: Info, kind: BatchKind, first: int | None = 50, after: str | None = None
    ) -> BatchConnection:
        return await resolve.batches(info.context, kind, 50 if first is None else first, after)

    @strawberry.field(description="Check and create your users: the batch's rows, checked.")
    async def batch_check(self, info: Info, id: strawberry.ID) -> BatchCheck:
        return await resolve.batch_check(info.context, id)

    @strawberry.field(description="The remaining rows as an .xlsx with the problems marked.")
    async def batch_annotated_workbook(self, info: Info, id: strawberry.ID) -> SpreadsheetFile:
        return await resolve.annotated_workbook(info.context, id)


@strawberry.type
class BatchMutation:
    @strawberry.mutation(description="Upload a spreadsheet; a readable one becomes a batch.")
    async def upload_batch(self, info: Info, input: UploadBatchInput) -> UploadBatchPayload:
        return await resolve.upload(info.context, input)

    @strawberry.mutation
    async def update_batch_row(self, info: Info, input: UpdateBatchRowInput) -> UpdateBatchRowPayload:
        return await resolve.update_row(info.context, input)

    @strawberry.mutation
    async def delete_batch_row(self, info: Info, input: BatchRowInput) -> DeleteBatchRowPayload:
        return await resolve.delete_row(info.context, input)

    @strawberry.mutation(description="Create every valid row (amber ones only when confirmed).")
    async def create_batch_users(
        self, info: Info, input: CreateBatchUsersInput
    ) -> CreateBatchUsersPayload:
        return await resolve.create_users(info.context, input)

    @strawberry.mutation(description="Status Deleted; accounts already created remain.")
    async def delete_batch(self, info: Info, input: BatchInput) -> BatchPayload:
        return await resolve.delete_batch(info.context, input)

    @strawberry.mutation(description="Undo Delete within 30 days.")
    async def restore_batch(self, info: Info, input: BatchInput) -> BatchPayload:
        return await resolve.restore_batch(info.context, input)
