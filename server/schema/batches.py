"""Bulk upload: batches of users or administrators, their rows, templates and payloads."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from server.schema.error_codes import error_codes
from server.schema.pagination import Edge, PageInfo
from server.services.accounts.errors import PersonErrorCode
from server.services.batches.errors import BatchErrorCode
from server.services.spreadsheets.errors import SpreadsheetErrorCode


@strawberry.enum(description="Users (main site) or administrators")
class BatchKind(Enum):
    USERS = "users"
    ADMINISTRATORS = "administrators"


@strawberry.enum
class BatchStatus(Enum):
    PARTIALLY_PROCESSED = "Partially processed"
    PROCESSED = "Processed"
    DELETED = "Deleted"


@strawberry.enum(description="RED: the row is not processed; AMBER: needs the confirmation")
class BatchProblemSeverity(Enum):
    RED = "red"
    AMBER = "amber"


@strawberry.enum
class SpreadsheetFormat(Enum):
    XLSX = "xlsx"
    XLS = "xls"


@strawberry.type(description="A file to download; the content is base64.")
class SpreadsheetFile:
    file_name: str
    content_type: str
    content_base64: str


@strawberry.type
class BatchProblem:
    field: str | None = strawberry.field(
        description="forename, surname, email, role or pupilAccess; null for the whole row"
    )
    severity: BatchProblemSeverity
    code: str
    message: str


@strawberry.type(description="A row of the uploaded file not yet created or deleted.")
class BatchRow:
    id: strawberry.ID
    row_number: int = strawberry.field(description="The row's number in the uploaded sheet")
    forename: str
    surname: str
    email: str
    role: str = strawberry.field(description="As typed in the file; empty for administrators")
    pupil_access: str = strawberry.field(description="As typed in the file")
    role_choice: str | None = strawberry.field(description="The role it names, if one is offered")
    pupil_access_choice: str | None = strawberry.field(
        description="aggregate or full, if the cell names one"
    )
    problems: list[BatchProblem]
    is_red: bool
    is_amber: bool


@strawberry.type(description="An account a batch created, and its current status.")
class BatchCreatedAccount:
    id: strawberry.ID
    row_number: int
    forename: str
    surname: str
    email: str
    login_name: str
    status: str


@strawberry.type
class BatchChoice:
    value: str
    label: str


@strawberry.type
class Batch:
    id: strawberry.ID
    kind: BatchKind
    file_name: str
    status: BatchStatus
    uploaded_by: str | None = strawberry.field(description="The uploader's full name")
    uploaded_at: datetime
    deleted_at: datetime | None
    can_restore: bool
    version: int = strawberry.field(description="Send it back with createBatchUsers")
    row_count: int
    created_count: int
    remaining_count: int


@strawberry.type(description="A batch with its rows checked, for Check and create your users.")
class BatchCheck:
    batch: Batch
    rows: list[BatchRow]
    red_count: int
    amber_count: int
    ready_count: int
    created: list[BatchCreatedAccount]
    role_choices: list[BatchChoice]
    pupil_access_choices: list[BatchChoice]


@strawberry.type
class BatchConnection:
    edges: list[Edge[Batch]]
    page_info: PageInfo
    total_count: int


error_codes(BatchErrorCode, accepts=(PersonErrorCode, SpreadsheetErrorCode))



@strawberry.type(description="A problem with the input of a batch mutation.")
class BatchError:
    field: str | None
    message: str
    code: BatchErrorCode


@strawberry.input
class UploadBatchInput:
    kind: BatchKind
    file_name: str
    content_base64: str = strawberry.field(description="The file, base64 (at most 5 MB decoded)")


@strawberry.type
class UploadBatchPayload:
    batch: Batch | None
    errors: list[BatchError]


@strawberry.input
class UpdateBatchRowInput:
    batch_id: strawberry.ID
    row_id: strawberry.ID
    forename: str
    surname: str
    email: str
    role: str = ""
    pupil_access: str = ""


@strawberry.type
class UpdateBatchRowPayload:
    row: BatchRow | None
    errors: list[BatchError]


@strawberry.input
class BatchRowInput:
    batch_id: strawberry.ID
    row_id: strawberry.ID


@strawberry.type
class DeleteBatchRowPayload:
    batch: Batch | None
    errors: list[BatchError]


@strawberry.input
class CreateBatchUsersInput:
    batch_id: strawberry.ID
    version: int = strawberry.field(description="The batch version the administrator checked")
    confirm_highlighted: bool = strawberry.field(
        default=False,
        description="I confirm that I have checked all highlighted accounts and I wish to "
        "proceed and create these user accounts",
    )


@strawberry.type
class BatchRowNotCreated:
    row_number: int
    message: str


@strawberry.type
class CreateBatchUsersPayload:
    batch: Batch | None
    created: list[BatchCreatedAccount]
    not_confirmed_count: int = strawberry.field(
        description="Amber rows left in the batch because the confirmation was not given"
    )
    not_created: list[BatchRowNotCreated]
    errors: list[BatchError]


@strawberry.input
class BatchInput:
    batch_id: strawberry.ID


@strawberry.type
class BatchPayload:
    batch: Batch | None
    errors: list[BatchError]
