"""Pupils and school years: check who may, call the pupils services, return types."""

from __future__ import annotations

import strawberry

from server.models import Account
from server.models import PupilImport as PupilImportModel
from server.permissions.checks import require_account
from server.permissions.pupils import may_import_pupils, may_manage_school_years
from server.schema import pupils as types
from server.schema.enums import KeyStage
from server.schema.error_codes import field_errors
from server.schema.errors import Forbidden, NotFound
from server.services import uploads
from server.services.errors import UserInputError
from server.services.pupils import baselines, ctf, importing, reading, rollforward, value_added
from server.services.pupils.errors import PupilImportErrorCode, ValueAddedErrorCode

MAX_PROBLEM_ROWS = 500



def _importer(context) -> Account:
    """The viewer, when they may import pupils for their own school; else FORBIDDEN."""
    account = require_account(context)
    if not may_import_pupils(account, account.organisation_id):
        raise Forbidden("Only the school's administrators, and its Data Managers with full "
                        "access to pupil data, may import pupils.")
    return account


def _administrator(context) -> Account:
    account = require_account(context)
    if not may_manage_school_years(account, account.organisation_id):
        raise Forbidden("Only the school's administrators may do this.")
    return account


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _problem(problem: dict) -> types.PupilImportProblem:
    return types.PupilImportProblem(
        field=_camel(problem["field"]),
        column=importing.COLUMN_NAMES.get(problem["field"], problem["field"]),
        message=problem["message"],
        severity=types.ProblemSeverity(problem["severity"]),
    )


def import_of(row: PupilImportModel, check: importing.ImportCheck) -> types.PupilImport:
    problem_rows = [r for r in row.rows if r["problems"]][:MAX_PROBLEM_ROWS]
    result = row.result
    return types.PupilImport(
        id=strawberry.ID(str(row.id)),
        file_name=row.file_name,
        academic_year=row.academic_year,
        academic_year_label=(importing.academic_year_label(row.academic_year)
                             if row.academic_year is not None else None),
        status=types.PupilImportStatus(row.status.value),
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        counts=types.PupilImportCounts(
            rows=(len(row.rows) if row.status.value == "pending"
                  else check.new + check.updated + check.unchanged + check.with_problems),
            new_pupils=check.new, updated_pupils=check.updated,
            unchanged_pupils=check.unchanged, rows_with_problems=check.with_problems,
            rows_with_warnings=check.with_warnings, missing_from_file=check.missing,
        ),
        rows_with_problems=[
            types.PupilImportRow(
                row=r["row"], upn=r["shown"]["upn"], forename=r["shown"]["forename"],
                surname=r["shown"]["surname"], year_group=r["shown"]["year_group"],
                status=types.PupilImportRowStatus(check.statuses[r["row"]]),
                problems=[_problem(p) for p in r["problems"]],
            )
            for r in problem_rows
        ],
        result=types.PupilImportResult(**result) if result else None,
    )


async def _import_type(row: PupilImportModel) -> types.PupilImport:
    return import_of(row, await importing.check_import(row))


def _decode(content: str) -> bytes:
    return uploads.decode_base64(content, reading.WORDING)


def _import_errors(error: UserInputError) -> list[types.PupilImportError]:
    return field_errors(types.PupilImportError, error)


def _plan_of(plan: rollforward.RollForwardPlan) -> types.RollForwardPlan:
    return types.RollForwardPlan(
        from_academic_year=plan.from_year, to_academic_year=plan.to_year,
        from_label=plan.from_label, to_label=plan.to_label,
        year_groups=[
            types.RollForwardYearGroup(
                year_group=m.year_group, key_stage=KeyStage(m.key_stage.value), pupils=m.pupils,
                next_year_group=m.next_year_group, leaving=m.leaving,
                starts_key_stage=m.crosses_key_stage, targets=m.targets,
                targets_kept_as_history=m.targets_kept_as_history,
            )
            for m in plan.moves
        ],
        pupils_moving=plan.pupils_moving, pupils_leaving=plan.pupils_leaving,
        pupils_starting_key_stage=plan.pupils_starting_key_stage,
        targets_moving=plan.targets_moving, targets_to_history=plan.targets_to_history,
    )


def _history_of(entry: value_added.SubjectHistory) -> types.SubjectValueAdded:
    return types.SubjectValueAdded(
        key_stage=KeyStage(entry.key_stage.value), code=entry.code, name=entry.name,
        years=[types.ValueAddedYear(academic_year=y.academic_year, label=y.label,
                                    value_added=y.value_added, pupils=y.pupils)
               for y in entry.years],
        indicator=entry.indicator,
    )


# -- queries ----------------------------------------------------------------------------


async def school_pupils(context) -> types.SchoolPupils:
    account = _importer(context)
    school = await importing.school_by_id(account.organisation_id)
    year = importing.school_academic_year(school)
    pending = await importing.latest_pending_import(school.id)
    plan = await rollforward.roll_forward_plan(school.id)
    history = await value_added.value_added_history(school.id)
    return types.SchoolPupils(
        school_name=school.name, urn=school.urn, current_academic_year=year,
        current_academic_year_label=importing.academic_year_label(year),
        current_pupils=plan.pupils_moving + plan.pupils_leaving,
        may_roll_forward=may_manage_school_years(account, school.id),
        pending_import=await _import_type(pending) if pending else None,
        roll_forward=_plan_of(plan),
        value_added=[_history_of(h) for h in history],
    )


def _import_id(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound("No such pupil file.") from None


async def pupil_import(context, import_id: str) -> types.PupilImport:
    account = _importer(context)
    row = await importing.get_import(account.organisation_id, _import_id(import_id))
    if row is None:
        raise NotFound("No such pupil file.")
    return await _import_type(row)


# -- mutations --------------------------------------------------------------------------


async def upload_pupil_file(context, input: types.UploadFileInput) -> types.UploadPupilFilePayload:
    account = _importer(context)
    try:
        if not input.content_base64:
            raise UserInputError("Select a CSV or .xlsx file of pupils", field="file",
                                 code=PupilImportErrorCode.REQUIRED)
        row = await importing.upload_pupil_file(
            account.organisation_id, input.file_name, _decode(input.content_base64),
            context.actor)
    except UserInputError as error:
        return types.UploadPupilFilePayload(pupil_import=None, errors=_import_errors(error))
    return types.UploadPupilFilePayload(pupil_import=await _import_type(row), errors=[])


async def upload_common_transfer_file(context, file) -> types.UploadPupilFilePayload:
    account = _importer(context)
    try:
        if file is None or not hasattr(file, "read"):
            raise UserInputError("Send the Common Transfer File as a file part", field="file",
                                 code=PupilImportErrorCode.REQUIRED)
        data = await file.read(importing.MAX_CTF_BYTES + 1)
        if data and not ctf.looks_like_xml(data):
            raise UserInputError("The file is not a Common Transfer File (an XML file "
                                 "exported from your MIS)", field="file", code=PupilImportErrorCode.NOT_CTF)
        name = str(getattr(file, "filename", "") or "ctf.xml")
        row = await importing.upload_pupil_file(account.organisation_id, name, data,
                                                context.actor)
    except UserInputError as error:
        return types.UploadPupilFilePayload(pupil_import=None, errors=_import_errors(error))
    return types.UploadPupilFilePayload(pupil_import=await _import_type(row), errors=[])


async def confirm_pupil_import(
    context, input: types.ConfirmPupilImportInput
) -> types.ConfirmPupilImportPayload:
    account = _importer(context)
    school_id = account.organisation_id
    import_id = _import_id(input.id)
    try:
        await importing.confirm_pupil_import(school_id, import_id, input.mark_missing_as_left,
                                             context.actor)
    except UserInputError as error:
        row = await importing.get_import(school_id, import_id)
        if row is None:
            raise NotFound("No such pupil file.") from None
        return types.ConfirmPupilImportPayload(pupil_import=await _import_type(row),
                                               errors=_import_errors(error))
    row = await importing.get_import(school_id, import_id)
    return types.ConfirmPupilImportPayload(pupil_import=await _import_type(row), errors=[])


async def discard_pupil_import(
    context, input: types.DiscardPupilImportInput
) -> types.DiscardPupilImportPayload:
    account = _importer(context)
    school_id = account.organisation_id
    import_id = _import_id(input.id)
    try:
        row = await importing.discard_pupil_import(school_id, import_id, context.actor)
    except UserInputError as error:
        found = await importing.get_import(school_id, import_id)
        if found is None:
            raise NotFound("No such pupil file.") from None
        return types.DiscardPupilImportPayload(pupil_import=await _import_type(found),
                                               errors=_import_errors(error))
    return types.DiscardPupilImportPayload(pupil_import=await _import_type(row), errors=[])


async def roll_forward_school(
    context, input: types.RollForwardSchoolInput
) -> types.RollForwardSchoolPayload:
    account = _administrator(context)
    try:
        result = await rollforward.roll_forward(account.organisation_id,
                                                input.expected_academic_year, context.actor)
    except UserInputError as error:
        return types.RollForwardSchoolPayload(
            result=None, errors=field_errors(types.RollForwardError, error))
    return types.RollForwardSchoolPayload(
        result=types.RollForwardResult(
            from_academic_year=result.from_year, to_academic_year=result.to_year,
            pupils_moved=result.pupils_moved, pupils_left=result.pupils_left,
            targets_moved=result.targets_moved, targets_to_history=result.targets_to_history,
            prior_attainment_cleared=result.prior_attainment_cleared,
        ),
        errors=[],
    )


async def import_value_added(
    context, input: types.UploadFileInput
) -> types.ImportValueAddedPayload:
    account = _administrator(context)
    try:
        if not input.content_base64:
            raise UserInputError("Select a CSV or .xlsx file of value added", field="file",
                                 code=ValueAddedErrorCode.REQUIRED)
        result = await value_added.import_value_added(
            account.organisation_id, _decode(input.content_base64), context.actor,
            input.file_name or "value-added.csv")
    except value_added.ValueAddedFileError as error:
        return types.ImportValueAddedPayload(result=None, errors=[
            types.ValueAddedError(field="file", message=error.message, code=error.code, row=None,
                                  column=None),
            *(types.ValueAddedError(field="file", message=p.message,
                                    code=types.ValueAddedErrorCode.ROW_PROBLEM, row=p.row,
                                    column=p.field)
              for p in error.problems[:MAX_PROBLEM_ROWS]),
        ])
    except UserInputError as error:
        return types.ImportValueAddedPayload(result=None, errors=field_errors(
            types.ValueAddedError, error, row=None, column=None))
    return types.ImportValueAddedPayload(
        result=types.ValueAddedImportResult(rows=result.rows, created=result.created,
                                            updated=result.updated),
        errors=[],
    )


async def set_standardised_score(context, input: types.SetStandardisedScoreInput
                                 ) -> types.SetStandardisedScorePayload:
    account = _importer(context)
    try:
        done = await baselines.set_standardised_score(
            account.organisation_id, input.upn, input.score, context.actor)
    except UserInputError as error:
        return types.SetStandardisedScorePayload(
            pupil=None, changed=False, prepopulated=0, errors=field_errors(types.StandardisedScoreError, error))
    p = done.pupil
    return types.SetStandardisedScorePayload(
        pupil=types.PupilBaseline(upn=p.upn, forename=p.forename, surname=p.surname,
                                  year_group=p.year_group,
                                  standardised_score=p.standardised_score),
        changed=done.changed, prepopulated=done.prepopulated, errors=[])
