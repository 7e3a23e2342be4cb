"""Working-at grades from a spreadsheet, in two steps: check, then confirm (docs/API-TRACKING.md).

The file passes the one upload safety check and is read by the shared reader
(services/spreadsheets: .xlsx, .xls or .csv). Checking keeps every row and each grade's
verdict (accepted, or refused with the reason) as a pending WorkingAtUpload; nothing reaches
working_at_grade until it is confirmed. Confirm claims the upload with a conditional UPDATE
of its status and goes on only when that changed exactly one row, so however many times it
is sent, the grades are saved once, all in one transaction, each by the same
INSERT ... ON CONFLICT DO UPDATE as a grade entered on its own.

A confirmed upload keeps only its refused grades (the report of what was not saved); an
upload replaced by the same person's next one keeps nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
from tortoise.transactions import in_transaction

from server.models import Pupil, Subject, WorkingAtGrade, WorkingAtUpload
from server.models.enums import KeyStage
from server.models.tracking import WorkingAtUploadStatus
from server.services import uploads
from server.services.audit import Actor, record
from server.services.errors import UserInputError
from server.services.spreadsheets.columns import normalise_heading
from server.services.spreadsheets.reading import WORDING, cell_text, read_cells
from server.services.spreadsheets.templates import CONTENT_TYPES, SpreadsheetFile
from server.services.targets import sql
from server.services.targets.cohort import grade_formats, year_group_estimates
from server.services.tracking.errors import TrackingErrorCode
from server.services.tracking.expected import point_for_year_group
from server.services.tracking.flight_paths import working_at_points
from server.services.uploads import Refusal, RowCap, UploadError

SHEET_NAME = "Working at"
MAX_PUPIL_ROWS = 600  # a year group; the reader looks at no more than 1,000 rows anyway
MAX_TITLE_ROWS = 5
UPN_HEADINGS = ("UPN", "Unique pupil number")
NAME_HEADINGS = ("Name", "Pupil", "Pupil name")
_PARSING = anyio.CapacityLimiter(2)
ROW_CAP = RowCap(
    rows=MAX_PUPIL_ROWS,
    scanned=1000,
    too_many_rows=Refusal(f"The file has more than {MAX_PUPIL_ROWS} pupils: upload one year "
                          "group at a time", TrackingErrorCode.TOO_MANY_ROWS),
    too_many_scanned=Refusal("The file has more than 1,000 rows, counting blank ones: delete "
                             "the empty rows below your pupils and upload it again",
                             TrackingErrorCode.TOO_MANY_ROWS),
)
_UPSERT_HEAD = """
INSERT INTO working_at_grade
    (school_id, pupil_id, subject_id, point_id, grade, points, entered_by_id, entered_at)
VALUES {values}
ON CONFLICT (pupil_id, subject_id, point_id) DO UPDATE SET
    grade = excluded.grade, points = excluded.points,
    entered_by_id = excluded.entered_by_id, entered_at = excluded.entered_at
"""
_PER_ROW = 8


def read_grid(data: bytes, file_name: str) -> list[tuple[int, list[str]]]:
    """Every non-blank row of the upload as text, with its row number (blocking work)."""
    _, _, rows = read_cells(data, file_name, (SHEET_NAME,))
    found = []
    for number, cells in enumerate(rows, start=1):
        ROW_CAP.check_scanned(number)
        texts = [cell_text(c) for c in cells]
        while texts and not texts[-1]:
            texts.pop()
        if texts:
            found.append((number, texts))
    return found


@dataclass(frozen=True)
class Layout:
    upn: int
    name: int | None
    subjects: dict[int, str]  # column -> subject code
    ignored: list[str]


def _is(text: str, headings: tuple[str, ...]) -> bool:
    return normalise_heading(text) in {normalise_heading(h) for h in headings}


def _layout(cells: list[str], subjects: dict[str, str]) -> Layout:
    """The heading row's columns; `subjects` maps a normalised name or code to a code."""
    upn = name = None
    by_column: dict[int, str] = {}
    ignored = []
    for index, text in enumerate(cells):
        if not text:
            continue
        if _is(text, UPN_HEADINGS) and upn is None:
            upn = index
        elif _is(text, NAME_HEADINGS) and name is None:
            name = index
        elif (code := subjects.get(normalise_heading(text))) is not None:
            if code in by_column.values():
                raise UploadError(f"The file has the column \u201c{text[:60]}\u201d more than "
                                  "once. Keep one and upload it again.",
                                  TrackingErrorCode.DUPLICATE_COLUMN)
            by_column[index] = code
        else:
            ignored.append(text[:60])
    if upn is None:
        raise UploadError("The file has no UPN column. The first row must have the headings "
                          "UPN, Name and a column per subject: download the template.",
                          TrackingErrorCode.MISSING_COLUMNS)
    if not by_column:
        raise UploadError("The file has no subject column: name each column as the subject "
                          "is named in the template (for example Mathematics).",
                          TrackingErrorCode.MISSING_COLUMNS)
    return Layout(upn, name, by_column, ignored)


def _find_layout(grid: list[tuple[int, list[str]]], subjects: dict[str, str]
                 ) -> tuple[Layout, list[tuple[int, list[str]]]]:
    """The heading row may follow a few title rows ("Year 11 Autumn")."""
    for position, (_, cells) in enumerate(grid[: MAX_TITLE_ROWS + 1]):
        if any(_is(c, UPN_HEADINGS) for c in cells):
            return _layout(cells, subjects), grid[position + 1:]
    if not grid:
        raise UploadError("The selected file is empty. Download the template, enter the "
                          "grades and upload it.", TrackingErrorCode.EMPTY)
    return _layout(grid[0][1], subjects), grid[1:]


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


async def _year_group_pupils(school_id: int, year_group: int) -> dict[str, dict[str, Any]]:
    rows = await Pupil.filter(school_id=school_id, year_group=year_group,
                              left_at__isnull=True).values("id", "upn", "forename", "surname")
    return {r["upn"].upper(): r for r in rows}


async def _subjects(key_stage: KeyStage, school_id: int, year_group: int
                    ) -> tuple[list[dict[str, str]], dict[str, Subject]]:
    """The year group's included subjects (as the template lists them) and every subject of
    the key stage by code (a file may carry one the school has not ticked)."""
    cohort = await year_group_estimates(school_id, key_stage, year_group)
    every = {s.code: s for s in await Subject.filter(key_stage=key_stage)}
    included = [{"code": c, "name": cohort.choices[c].name} for c in cohort.subjects
                if cohort.choices[c].included and c in every]
    return included, every


def check_rows(grid: list[tuple[int, list[str]]], layout: Layout, key_stage: KeyStage,
               year_group: int, pupils: dict[str, dict[str, Any]],
               subjects: dict[str, Subject]) -> list[dict[str, Any]]:
    """Each data row with its verdicts: a row refused as a whole (no such pupil, twice in
    the file), else each grade accepted or refused. A blank cell changes nothing."""
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, cells in grid:
        ROW_CAP.check_kept(len(rows) + 1)
        upn = _cell(cells, layout.upn).replace(" ", "").upper()[:20]
        problem = None
        pupil = pupils.get(upn)
        if not upn:
            problem = "Enter the pupil's UPN"
        elif pupil is None:
            problem = f"No pupil in Year {year_group} has this UPN"
        elif upn in seen:
            problem = f"This pupil is already on row {seen[upn]}: only the first row is read"
        else:
            seen[upn] = number
        name = _cell(cells, layout.name)[:100] or (
            f"{pupil['forename']} {pupil['surname']}" if pupil else "")
        found = []
        for index, code in layout.subjects.items():
            typed = _cell(cells, index)[:20]
            if not typed:
                continue
            cell: dict[str, Any] = {"subject": code, "subjectId": subjects[code].id,
                                    "grade": typed, "points": None, "problem": None}
            if problem:
                cell["problem"] = problem
            else:
                try:
                    cell["grade"], cell["points"] = working_at_points(
                        grade_formats(key_stage, code), typed)
                except UserInputError as error:
                    cell["problem"] = error.message
            found.append(cell)
        rows.append({"row": number, "upn": upn or _cell(cells, layout.upn)[:20], "name": name,
                     "pupilId": None if problem else pupil["id"], "problem": problem,
                     "cells": found})
    return rows


async def check_upload(actor: Actor, school_id: int, point_id: int, year_group: int,
                       file_name: str, data: bytes) -> WorkingAtUpload:
    """Read and check a file, keeping it pending; a file that cannot be read raises
    UploadError (field "file") and nothing is kept. The same person's earlier pending
    upload is discarded."""
    point = await point_for_year_group(school_id, point_id, year_group)
    ks = KeyStage(point.key_stage)
    name = (file_name or "").strip().replace("\\", "/").rsplit("/", 1)[-1][:200]
    grid = await anyio.to_thread.run_sync(read_grid, data, name, limiter=_PARSING)
    included, every = await _subjects(ks, school_id, year_group)
    by_heading = {normalise_heading(s.name): code for code, s in every.items()}
    by_heading.update({normalise_heading(code): code for code in every})
    layout, body = _find_layout(grid, by_heading)
    rows = check_rows(body, layout, ks, year_group,
                      await _year_group_pupils(school_id, year_group), every)
    if not rows:
        raise UploadError("The file has the headings but no pupils in it: add one pupil per "
                          "row below them.", TrackingErrorCode.NO_ROWS)
    codes = list(dict.fromkeys(layout.subjects.values()))
    names = {s["code"]: s["name"] for s in included}
    sheet = {"subjects": [{"code": c, "name": names.get(c, every[c].name)} for c in codes],
             "ignored": layout.ignored, "rows": rows}
    account_id = actor.account.id if actor.account else None
    async with in_transaction() as connection:
        if account_id is not None:
            await WorkingAtUpload.filter(
                school_id=school_id, created_by_id=account_id,
                status=WorkingAtUploadStatus.PENDING,
            ).using_db(connection).update(status=WorkingAtUploadStatus.DISCARDED, sheet={})
        upload = await WorkingAtUpload.create(
            school_id=school_id, point_id=point.id, year_group=year_group,
            file_name=name or "working-at", sheet=sheet, created_by_id=account_id,
            using_db=connection,
        )
        counts = upload_counts(sheet)
        await record(actor, "tracking.working_at_checked", school_id, "working_at_upload",
                     str(upload.id), detail={"file": upload.file_name, "point": point.name,
                                             "yearGroup": year_group, **counts},
                     connection=connection)
    return upload


def upload_counts(sheet: dict[str, Any]) -> dict[str, int]:
    cells = [c for r in sheet.get("rows", []) for c in r["cells"]]
    refused = sum(1 for c in cells if c["problem"])
    return {"rows": len(sheet.get("rows", [])), "accepted": len(cells) - refused,
            "refused": refused}


async def get_upload(school_id: int, upload_id: int) -> WorkingAtUpload:
    upload = await WorkingAtUpload.filter(id=upload_id, school_id=school_id) \
        .select_related("point").first()
    if upload is None:
        raise UserInputError("This upload was not found: upload the file again", field=None,
                             code=TrackingErrorCode.NOT_FOUND)
    return upload


def _already() -> UserInputError:
    return UserInputError("These grades have already been saved", field=None,
                          code=TrackingErrorCode.ALREADY_CONFIRMED)


async def confirm_upload(actor: Actor, school_id: int, upload_id: int) -> dict[str, int]:
    """Save every accepted grade, once, in one transaction: {saved, rows, accepted, refused}
    (saved is fewer than accepted only for pupils gone from the year group since the check)."""
    upload = await get_upload(school_id, upload_id)
    if upload.status == WorkingAtUploadStatus.CONFIRMED:
        raise _already()
    if upload.status != WorkingAtUploadStatus.PENDING:
        raise UserInputError("This upload was replaced by a newer one: upload the file again",
                             field=None, code=TrackingErrorCode.NOT_PENDING)
    accepted = [(row["pupilId"], cell["subjectId"], cell["grade"], cell["points"])
                for row in upload.sheet["rows"] if not row["problem"]
                for cell in row["cells"] if not cell["problem"]]
    if not accepted:
        raise UserInputError("No grade in this file can be saved: correct the problems and "
                             "upload it again", field=None, code=TrackingErrorCode.NOTHING_TO_SAVE)
    account_id = actor.account.id if actor.account else None
    moment = datetime.now(UTC)
    async with in_transaction() as connection:
        claimed = await WorkingAtUpload.filter(
            id=upload.id, school_id=school_id, status=WorkingAtUploadStatus.PENDING,
        ).using_db(connection).update(status=WorkingAtUploadStatus.CONFIRMED,
                                      confirmed_by_id=account_id, confirmed_at=moment)
        if claimed != 1:  # a second click, or another person, got there first
            raise _already()
        # A pupil deleted, left or moved to another year group since the check is skipped.
        live = set(await Pupil.filter(
            school_id=school_id, id__in=list({a[0] for a in accepted}),
            year_group=upload.year_group, left_at__isnull=True,
        ).using_db(connection).values_list("id", flat=True))
        values = [(school_id, pupil_id, subject_id, upload.point_id, grade, points,
                   account_id, moment)
                  for pupil_id, subject_id, grade, points in accepted if pupil_id in live]
        for chunk in sql.chunks(values, _PER_ROW):
            statement = _UPSERT_HEAD.format(values=", ".join(
                "(" + ", ".join("?" * _PER_ROW) + ")" for _ in chunk))
            await sql.execute(connection, statement, [v for row in chunk for v in row])
        counts = upload_counts(upload.sheet)
        result = {"saved": len(values), **counts}
        kept = [{**row, "cells": [c for c in row["cells"] if c["problem"]]}
                for row in upload.sheet["rows"] if any(c["problem"] for c in row["cells"])]
        await WorkingAtUpload.filter(id=upload.id).using_db(connection).update(
            result=result, sheet={**upload.sheet, "rows": kept})
        await record(actor, "tracking.working_at_uploaded", school_id, "working_at_upload",
                     str(upload.id), detail={"point": upload.point.name,
                                             "yearGroup": upload.year_group, **result},
                     connection=connection)
    return result


def decode(content_base64: str) -> bytes:
    return uploads.decode_base64(content_base64, WORDING)


async def template(school_id: int, point_id: int, year_group: int) -> SpreadsheetFile:
    """An .xlsx to fill in: UPN, Name and a column per included subject, one row per pupil
    of the year group, with the grades already entered at the point."""
    point = await point_for_year_group(school_id, point_id, year_group)
    ks = KeyStage(point.key_stage)
    included, every = await _subjects(ks, school_id, year_group)
    pupils = sorted((await _year_group_pupils(school_id, year_group)).values(),
                    key=lambda p: (p["surname"].lower(), p["forename"].lower(), p["upn"]))
    entered = {
        (g["pupil_id"], g["subject_id"]): g["grade"]
        for g in await WorkingAtGrade.filter(
            point_id=point.id, pupil_id__in=[p["id"] for p in pupils]
        ).values("pupil_id", "subject_id", "grade")
    } if pupils else {}
    content = await anyio.to_thread.run_sync(
        _xlsx, point.name, year_group, included, every, pupils, entered)
    safe = "".join(ch for ch in point.name if ch.isalnum() or ch in "-_") or "point"
    return SpreadsheetFile(f"working-at-year-{year_group}-{safe}.xlsx", CONTENT_TYPES["xlsx"],
                           content)


def _xlsx(point_name: str, year_group: int, included: list[dict[str, str]],
          every: dict[str, Subject], pupils: list[dict[str, Any]],
          entered: dict[tuple[int, int], str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_NAME
    sheet.append(["UPN", "Name", *(s["name"] for s in included)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for p in pupils:
        sheet.append([p["upn"], f"{p['forename']} {p['surname']}",
                      *(entered.get((p["id"], every[s["code"]].id), "") for s in included)])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            cell.number_format = "@"  # text: Excel keeps a grade such as 4 as typed
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 28
    sheet.freeze_panes = "C2"
    guide = book.create_sheet("Guidance")
    for line in (
        f"Working-at grades for Year {year_group} at {point_name}.",
        "One row per pupil: keep the UPN. A blank grade changes nothing.",
        "Grades on the subject's scale: 9-1 or A*-G (U allowed) at GCSE, A*-E or U at A level,"
        " a scaled score 80-120 at KS2.",
        "Upload the file on the Tracking page: you will see what is accepted and refused "
        "before anything is saved.",
    ):
        guide.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
