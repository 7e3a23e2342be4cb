"""Working-at spreadsheets: the template, check, confirm (a school's users with full pupil
access, as for entering one grade)."""

from __future__ import annotations

import base64

import strawberry

from server.models.tracking import WorkingAtUpload as UploadModel
from server.permissions.checks import require_user
from server.permissions.scope import sets_targets
from server.resolvers.tracking import point_type
from server.schema.error_codes import field_errors
from server.schema.errors import Forbidden, NotFound
from server.schema.tracking import (
    TrackingError,
    TrackingErrorCode,
    TrackingSpreadsheet,
    UploadSubject,
    WorkingAtUpload,
    WorkingAtUploadCell,
    WorkingAtUploadPayload,
    WorkingAtUploadRow,
    WorkingAtUploadStatus,
)
from server.services.errors import UserInputError
from server.services.tracking import uploading

MAX_ROWS_SHOWN = 600


def _school(context) -> int:
    account = require_user(context)
    if not sets_targets(context.scope.persona, account.organisation_id):
        raise Forbidden("Only your school's users with full access to pupil data enter "
                        "working-at grades.")
    return account.organisation_id


def _id(value, message: str = "No such upload.") -> int:
    try:
        return int(str(value))
    except ValueError:
        raise NotFound(message) from None


def upload_type(row: UploadModel) -> WorkingAtUpload:
    sheet = row.sheet or {}
    # Once confirmed the sheet keeps only the refused grades: the counts are the result's.
    counts = uploading.upload_counts(sheet)
    result = row.result or {}
    return WorkingAtUpload(
        id=strawberry.ID(str(row.id)), file_name=row.file_name, year_group=row.year_group,
        point=point_type(row.point), status=WorkingAtUploadStatus(row.status.value),
        subjects=[UploadSubject(code=s["code"], name=s["name"])
                  for s in sheet.get("subjects", [])],
        ignored_columns=list(sheet.get("ignored", [])),
        rows=result.get("rows", counts["rows"]),
        accepted_grades=result.get("accepted", counts["accepted"]),
        refused_grades=result.get("refused", counts["refused"]),
        saved_grades=result.get("saved"),
        pupils=[WorkingAtUploadRow(
            row=r["row"], upn=r["upn"], name=r["name"], problem=r["problem"],
            cells=[WorkingAtUploadCell(subject_code=c["subject"], grade=c["grade"],
                                       accepted=not c["problem"], problem=c["problem"])
                   for c in r["cells"]],
        ) for r in sheet.get("rows", [])[:MAX_ROWS_SHOWN]],
    )


async def working_at_upload(context, upload_id) -> WorkingAtUpload:
    school_id = _school(context)
    try:
        row = await uploading.get_upload(school_id, _id(upload_id))
    except UserInputError:
        raise NotFound("No such upload.") from None
    return upload_type(row)


async def working_at_template(context, point_id, year_group: int) -> TrackingSpreadsheet:
    school_id = _school(context)
    try:
        made = await uploading.template(school_id, _id(point_id, "No such assessment point."),
                                        year_group)
    except UserInputError as error:
        raise NotFound(error.message) from None
    return TrackingSpreadsheet(file_name=made.file_name, content_type=made.content_type,
                               content_base64=base64.b64encode(made.content).decode())


async def check_working_at_upload(context, input) -> WorkingAtUploadPayload:
    school_id = _school(context)
    try:
        try:
            point_id = int(str(input.point_id))
        except ValueError:
            raise UserInputError("Choose an assessment point", field="pointId",
                                 code=TrackingErrorCode.UNKNOWN_POINT) from None
        if not input.content_base64:
            raise UserInputError("Select a spreadsheet of working-at grades", field="file",
                                 code=TrackingErrorCode.REQUIRED)
        row = await uploading.check_upload(
            context.actor, school_id, point_id, input.year_group, (input.file_name or "")[:200],
            uploading.decode(input.content_base64))
    except UserInputError as error:
        return WorkingAtUploadPayload(upload=None, errors=field_errors(TrackingError, error))
    return WorkingAtUploadPayload(
        upload=upload_type(await uploading.get_upload(school_id, row.id)), errors=[])


async def confirm_working_at_upload(context, input) -> WorkingAtUploadPayload:
    school_id = _school(context)
    upload_id = _id(input.id)
    try:
        await uploading.confirm_upload(context.actor, school_id, upload_id)
    except UserInputError as error:
        errors = field_errors(TrackingError, error)
        try:
            found = await uploading.get_upload(school_id, upload_id)
        except UserInputError:
            raise NotFound("No such upload.") from None
        return WorkingAtUploadPayload(upload=upload_type(found), errors=errors)
    return WorkingAtUploadPayload(upload=upload_type(await uploading.get_upload(school_id,
                                                                                upload_id)),
                                  errors=[])
