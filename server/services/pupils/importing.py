"""Importing a school's pupils from CSV or .xlsx in two steps: check, then confirm.

Upload reads the file and stores every row with its problems as a pending PupilImport;
nothing reaches the pupil table until the import is confirmed. Confirm applies the rows
without errors in one transaction, inserting new pupils and updating known ones by
(school, UPN) in one set-based upsert. Pupils missing from the file are never deleted;
they can be marked as having left.

Children's data is kept no longer than it is needed: a confirmed import keeps only its
rows with problems (the report of what was not imported) and its counts; a cancelled or
replaced one keeps no rows at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import anyio
from tortoise.transactions import in_transaction

from server.faultpoints import pause_point
from server.models import Organisation, Pupil, PupilImport, YearGroupSettings
from server.models.enums import (
    YEAR_GROUPS,
    KeyStage,
    OrganisationKind,
    Prepopulate,
    PupilImportStatus,
)
from server.services import uploads
from server.services.accounts.audit import Actor, record
from server.services.errors import UserInputError
from server.services.estimates import baselines
from server.services.pupils import ctf, reading
from server.services.pupils.errors import PupilImportErrorCode
from server.services.pupils.reading import Table, header_key, match_columns, read_table
from server.services.pupils_upn import validate_upn

logger = logging.getLogger(__name__)

MAX_PUPIL_ROWS = 5000
MAX_CTF_BYTES = uploads.MAX_FILE_BYTES  # the upload cap of every pupil file
NAME_MAX = 100

# field -> accepted column names, the first as the guide and messages spell it
COLUMNS: dict[str, tuple[str, ...]] = {
    "upn": ("UPN", "Unique pupil number"),
    "forename": ("Forename", "First name", "Legal forename"),
    "surname": ("Surname", "Last name", "Legal surname"),
    "gender": ("Gender", "Sex"),
    "date_of_birth": ("Date of birth", "DOB"),
    "year_group": ("Year group", "Year", "NC year"),
    "prior_attainment": ("Prior attainment",),
    "disadvantaged": ("Disadvantaged", "Pupil premium"),
    "sen": ("SEN",),
    "eal": ("EAL",),
}
# Columns a file may leave out. Without the column, what the school holds is kept: a CTF (which
# has no standardised score) or an older spreadsheet never wipes scores entered on the site.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "standardised_score": ("Standardised score", "CAT4 mean SAS", "Mean SAS", "SAS"),
}
COLUMN_NAMES = {field: names[0] for field, names in {**COLUMNS, **OPTIONAL_COLUMNS}.items()}
FLAGS = ("disadvantaged", "sen", "eal")
COMPARED = ("forename", "surname", "gender", "date_of_birth", "year_group",
            "prior_attainment", *FLAGS)

# DOMAIN.md: the prior attainment measure of each key stage and its range.
PRIOR_SCALES: dict[KeyStage, tuple[str, float, float]] = {
    KeyStage.KS2: ("KS1 average point score", 3.0, 27.0),
    KeyStage.KS4: ("KS2 scaled score (mean of reading and maths)", 80.0, 120.0),
    KeyStage.KS5: ("mean GCSE point score", 0.0, 9.0),
}

ERROR = "error"
WARNING = "warning"

_EXCEL_EPOCH = dt.date(1899, 12, 30)


# -- school years -----------------------------------------------------------------------


def academic_year_of(day: dt.date) -> int:
    """The academic year a day falls in: 2026 for 1 September 2026 to 31 August 2027."""
    return day.year if day.month >= 9 else day.year - 1


def school_academic_year(school: Organisation, today: dt.date | None = None) -> int:
    """The school's current academic year, or today's when none has been recorded."""
    if school.current_academic_year is not None:
        return school.current_academic_year
    return academic_year_of(today or dt.date.today())


def academic_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def key_stage_of_year(year_group: int) -> KeyStage | None:
    for ks, years in YEAR_GROUPS.items():
        if year_group in years:
            return ks
    return None


def birth_range(year_group: int, academic_year: int) -> tuple[dt.date, dt.date]:
    """Dates of birth usual for a year group: Year 7 in 2026/27 was born Sept 2014-Aug 2015."""
    first = academic_year - year_group - 5
    return dt.date(first, 9, 1), dt.date(first + 1, 8, 31)


# -- reading one row --------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    severity: str = ERROR

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "severity": self.severity}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())[:200]


def parse_date(value: Any) -> dt.date:
    """dd/mm/yyyy, ISO yyyy-mm-dd, or an Excel date (a date cell or its serial number)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value) or not 1 <= value < 2958466:
            raise ValueError("not a date")
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?", text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return parse_date(float(text))
    raise ValueError("not a date")


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        number = float(str(value).strip())
    if not math.isfinite(number):
        raise ValueError("not a number")
    return number


def _year_group(value: Any) -> int:
    text = _text(value).upper().replace("YEAR", "").replace("Y", "").strip()
    if not re.fullmatch(r"\d{1,2}", text):
        raise ValueError("not a year group")
    return int(text)


def _flag(value: Any) -> bool:
    text = _text(value).upper()
    if text in ("", "N", "NO", "FALSE", "0"):
        return False
    if text in ("Y", "YES", "TRUE", "1"):
        return True
    raise ValueError("not Y or N")


def _standardised_score(raw: Any, problems: list[Problem]) -> float | None:
    """The optional standardised score (a fallback baseline), None when blank or wrong."""
    if _text(raw) == "":
        return None
    try:
        score = _number(raw)
    except ValueError:
        score = float("nan")
    message = baselines.check_score(score)
    if message:
        problems.append(Problem("standardised_score", f"{message}, or left blank"))
        return None
    return round(score, 1)


def parse_row(
    cells: dict[str, Any], academic_year: int
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """One data row's values (JSON-ready) and its problems; values is None on any error."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}

    upn = _text(cells.get("upn")).replace(" ", "").upper()
    problem = validate_upn(upn)
    if problem:
        problems.append(Problem("upn", problem))
    values["upn"] = upn

    for field in ("forename", "surname"):
        text = _text(cells.get(field))
        label = COLUMN_NAMES[field].lower()
        if not text:
            problems.append(Problem(field, f"Enter the pupil's {label}"))
        elif len(text) > NAME_MAX:
            problems.append(Problem(field, f"{COLUMN_NAMES[field]} must be {NAME_MAX} "
                                           "characters or fewer"))
        values[field] = text

    gender = _text(cells.get("gender")).upper()
    gender = {"FEMALE": "F", "MALE": "M", "GIRL": "F", "BOY": "M"}.get(gender, gender)
    if gender not in ("F", "M"):
        problems.append(Problem("gender", "Gender must be F or M" if gender else
                                "Enter the pupil's gender (F or M)"))
    values["gender"] = gender

    year_group: int | None = None
    raw_year = cells.get("year_group")
    if _text(raw_year) == "":
        problems.append(Problem("year_group", "Enter the pupil's year group (3 to 13)"))
    else:
        try:
            year_group = _year_group(raw_year)
        except ValueError:
            problems.append(Problem("year_group", "Year group must be a number from 3 to 13"))
        else:
            if key_stage_of_year(year_group) is None:
                problems.append(Problem("year_group", "Year group must be from 3 to 13 (a year "
                                                      "group of key stage 2, 4 or 5)"))
                year_group = None
    values["year_group"] = year_group

    born: dt.date | None = None
    raw_born = cells.get("date_of_birth")
    if _text(raw_born) == "":
        problems.append(Problem("date_of_birth", "Enter the pupil's date of birth"))
    else:
        try:
            born = parse_date(raw_born)
        except ValueError:
            problems.append(Problem("date_of_birth", "Date of birth must be a real date, like "
                                                     "27/03/2012 or 2012-03-27"))
    if born is not None:
        if born >= dt.date(academic_year, 1, 1) or born < dt.date(academic_year - 25, 1, 1):
            problems.append(Problem("date_of_birth", "Date of birth is not a school-age "
                                                     "pupil's: check the year"))
            born = None
        elif year_group is not None:
            start, end = birth_range(year_group, academic_year)
            if not start <= born <= end:
                problems.append(Problem(
                    "date_of_birth",
                    f"Date of birth does not fit Year {year_group} in "
                    f"{academic_year_label(academic_year)} (usually born "
                    f"{start:%d/%m/%Y} to {end:%d/%m/%Y}): check the year group",
                    WARNING,
                ))
    values["date_of_birth"] = born.isoformat() if born else None

    prior: float | None = None
    raw_prior = cells.get("prior_attainment")
    if _text(raw_prior) != "":
        ks = key_stage_of_year(year_group) if year_group is not None else None
        try:
            prior = _number(raw_prior)
        except ValueError:
            problems.append(Problem("prior_attainment", "Prior attainment must be a number, "
                                                        "or left blank"))
        else:
            if ks is not None:
                measure, low, high = PRIOR_SCALES[ks]
                if not low <= prior <= high:
                    problems.append(Problem(
                        "prior_attainment",
                        f"Prior attainment for Year {year_group} is the {measure}: a number "
                        f"from {low:g} to {high:g}",
                    ))
                    prior = None
    values["prior_attainment"] = prior

    if "standardised_score" in cells:
        values["standardised_score"] = _standardised_score(cells["standardised_score"], problems)

    for field in FLAGS:
        try:
            values[field] = _flag(cells.get(field))
        except ValueError:
            problems.append(Problem(field, f"{COLUMN_NAMES[field]} must be Y or N (blank "
                                           "means N)"))
            values[field] = None

    if any(p.severity == ERROR for p in problems):
        return None, problems
    return values, problems


def parse_table(table: Table, academic_year: int) -> list[dict[str, Any]]:
    """Every data row as stored on a PupilImport: row number, values shown, problems."""
    positions = match_columns(table.header, COLUMNS)
    keys = {header_key(h) for h in table.header}
    for field, names in OPTIONAL_COLUMNS.items():
        if keys & {header_key(n) for n in names}:  # present: read (a duplicate is refused)
            positions |= match_columns(table.header, {field: names})
    rows: list[dict[str, Any]] = []
    for number, cells in table.rows:
        found = {f: cells[i] if i < len(cells) else None for f, i in positions.items()}
        values, problems = parse_row(found, academic_year)
        rows.append({
            "row": number,
            "shown": {f: _text(found[f]) for f in ("upn", "forename", "surname", "year_group")},
            "values": values,
            "problems": [p.as_json() for p in problems],
        })
    _mark_duplicates(rows)
    return rows


def read_pupil_rows(data: bytes, academic_year: int, school_urn: str | None = None
                    ) -> list[dict[str, Any]]:
    """A pupil spreadsheet (CSV, .xlsx) or a Common Transfer File as import rows.

    A CTF is told from a spreadsheet by its first bytes; its pupils go through the same
    row checks as a spreadsheet's, plus what only a CTF can say (a KS2 result code in place
    of a score, a file made for another school).
    """
    uploads.check_size(data, reading.WORDING)
    if ctf.looks_like_xml(data):
        found = ctf.read_ctf(data, MAX_PUPIL_ROWS, school_urn)
        assert found.table is not None
        rows = parse_table(found.table, academic_year)
        for row in rows:
            for field, message, severity in found.notes.get(row["row"], []):
                row["problems"].append(Problem(field, message, severity).as_json())
                if severity == ERROR:
                    row["values"] = None
        return rows
    return parse_table(read_table(data, MAX_PUPIL_ROWS, "pupils"), academic_year)


def _mark_duplicates(rows: list[dict[str, Any]]) -> None:
    by_upn: dict[str, list[int]] = {}
    for row in rows:
        upn = row["shown"]["upn"].replace(" ", "").upper()
        if upn:
            by_upn.setdefault(upn, []).append(row["row"])
    for row in rows:
        upn = row["shown"]["upn"].replace(" ", "").upper()
        others = [n for n in by_upn.get(upn, []) if n != row["row"]]
        if others:
            listed = ", ".join(str(n) for n in others[:5]) + (" and more" if len(others) > 5
                                                              else "")
            row["problems"].append(Problem(
                "upn", f"UPN {upn} is also on row{'s' if len(others) > 1 else ''} {listed}: "
                       "each pupil must be in the file once").as_json())
            row["values"] = None


# -- comparing with the school's pupils ------------------------------------------------


NEW = "new"
UPDATED = "updated"
UNCHANGED = "unchanged"
PROBLEM = "problem"


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """A row's values as the pupil table holds them."""
    out = dict(values)
    out["date_of_birth"] = dt.date.fromisoformat(values["date_of_birth"])
    return out


def _differs(values: dict[str, Any], pupil: dict[str, Any]) -> bool:
    if pupil["left_at"] is not None:
        return True  # back on the school's list: the pupil is current again
    stored = _stored(values)
    for field in (*COMPARED, *(f for f in OPTIONAL_COLUMNS if f in values)):
        old, new = pupil[field], stored[field]
        if isinstance(old, float) or isinstance(new, float):
            if (old is None) != (new is None) or (old is not None and abs(old - new) > 1e-9):
                return True
        elif old != new:
            return True
    return False


async def _school_pupils(school_id: int, connection=None) -> dict[str, dict[str, Any]]:
    rows = await Pupil.filter(school_id=school_id).using_db(connection).values(
        "id", "upn", "left_at", *COMPARED, *OPTIONAL_COLUMNS
    )
    return {row["upn"]: row for row in rows}


@dataclass(frozen=True)
class ImportCheck:
    """What confirming would do now: a status per row and the counts of the check page."""

    statuses: dict[int, str]  # row number -> new, updated, unchanged or problem
    new: int
    updated: int
    unchanged: int
    with_problems: int
    with_warnings: int
    missing: int  # current pupils of the school that are not in the file


def classify(rows: Sequence[dict[str, Any]], pupils: dict[str, dict[str, Any]]) -> ImportCheck:
    statuses: dict[int, str] = {}
    for row in rows:
        values = row["values"]
        if values is None:
            statuses[row["row"]] = PROBLEM
        elif values["upn"] not in pupils:
            statuses[row["row"]] = NEW
        elif _differs(values, pupils[values["upn"]]):
            statuses[row["row"]] = UPDATED
        else:
            statuses[row["row"]] = UNCHANGED
    counts = Counter(statuses.values())
    in_file = {row["shown"]["upn"].replace(" ", "").upper() for row in rows}
    missing = sum(1 for upn, p in pupils.items() if p["left_at"] is None and upn not in in_file)
    warnings = sum(
        1 for row in rows
        if row["values"] is not None and any(p["severity"] == WARNING for p in row["problems"])
    )
    return ImportCheck(statuses, counts[NEW], counts[UPDATED], counts[UNCHANGED],
                       counts[PROBLEM], warnings, missing)


async def check_import(pupil_import: PupilImport) -> ImportCheck:
    """A pending import against the school's pupils as they are now (one query).

    A confirmed or cancelled import is not compared again: its counts are those it was
    confirmed with (none when cancelled).
    """
    if pupil_import.status == PupilImportStatus.PENDING:
        return classify(pupil_import.rows, await _school_pupils(pupil_import.school_id))
    result = pupil_import.result or {}
    statuses = {row["row"]: row.get("status", PROBLEM if row["values"] is None else UNCHANGED)
                for row in pupil_import.rows}
    warnings = sum(1 for row in pupil_import.rows if row["values"] is not None)
    return ImportCheck(statuses, result.get("created", 0), result.get("updated", 0),
                       result.get("unchanged", 0), result.get("skipped", 0), warnings, 0)


# -- the two steps ----------------------------------------------------------------------


async def school_by_id(school_id: int) -> Organisation:
    school = await Organisation.filter(id=school_id, kind=OrganisationKind.SCHOOL).first()
    if school is None:
        raise UserInputError("Pupils can only be imported for a school", field=None,
                             code=PupilImportErrorCode.INVALID)
    return school


async def school_by_urn(urn: str) -> Organisation:
    school = await Organisation.filter(
        urn=(urn or "").strip(), kind=OrganisationKind.SCHOOL).first()
    if school is None:
        raise UserInputError(f"No school has the URN {urn!r}", field="urn", code=PupilImportErrorCode.NOT_FOUND)
    return school


async def upload_pupil_file(
    school_id: int, file_name: str, data: bytes, actor: Actor
) -> PupilImport:
    """Read a pupil file and keep it, with every row's problems, awaiting confirmation.

    A file that cannot be read at all raises UserInputError (field "file") and is not kept.
    Any earlier pending import of the school is discarded: one list is checked at a time.
    """
    school = await school_by_id(school_id)
    academic_year = school_academic_year(school)
    rows = await anyio.to_thread.run_sync(read_pupil_rows, data, academic_year, school.urn)
    if not rows:
        raise UserInputError("The file has the column headings but no pupils in it",
                             field="file", code=PupilImportErrorCode.NO_ROWS)
    name = (file_name or "pupils").strip().replace("\\", "/").rsplit("/", 1)[-1][:200]
    async with in_transaction() as connection:
        await PupilImport.filter(school_id=school_id, status=PupilImportStatus.PENDING).using_db(
            connection).update(status=PupilImportStatus.DISCARDED, rows=[])
        pupil_import = await PupilImport.create(
            school_id=school_id, file_name=name or "pupils", academic_year=academic_year,
            rows=rows, created_by=actor.account, using_db=connection,
        )
        await record(actor, "pupils.import.upload", school_id,
                     detail={"import": pupil_import.id, "file": pupil_import.file_name,
                             "rows": len(rows)}, connection=connection)
    return pupil_import


async def get_import(school_id: int, import_id: int) -> PupilImport | None:
    return await PupilImport.filter(id=import_id, school_id=school_id).first()


async def latest_pending_import(school_id: int) -> PupilImport | None:
    return await PupilImport.filter(
        school_id=school_id, status=PupilImportStatus.PENDING
    ).order_by("-created_at", "-id").first()


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    skipped: int  # rows with problems, never applied
    marked_left: int
    prepopulated: int  # targets the pre-population created for new pupils

    def as_json(self) -> dict[str, int]:
        return self.__dict__.copy()


def _pending(pupil_import: PupilImport | None) -> PupilImport:
    if pupil_import is None:
        raise UserInputError("This pupil file was not found: upload it again", field=None,
                             code=PupilImportErrorCode.NOT_FOUND)
    if pupil_import.status == PupilImportStatus.CONFIRMED:
        raise UserInputError("This pupil file has already been imported", field=None,
                             code=PupilImportErrorCode.ALREADY_CONFIRMED)
    if pupil_import.status != PupilImportStatus.PENDING:
        raise UserInputError("This pupil file was cancelled or replaced by a newer upload: "
                             "upload it again", field=None, code=PupilImportErrorCode.NOT_PENDING)
    return pupil_import


async def confirm_pupil_import(
    school_id: int, import_id: int, mark_missing_as_left: bool, actor: Actor,
    today: dt.date | None = None,
) -> ImportResult:
    """Apply the rows without errors in one transaction; exactly once, however often asked."""
    today = today or dt.date.today()
    pupil_import = _pending(await get_import(school_id, import_id))
    school = await school_by_id(school_id)
    if pupil_import.academic_year is not None and (
        school_academic_year(school, today) != pupil_import.academic_year
    ):
        raise UserInputError(
            "The school has moved to another academic year since this file was uploaded, so "
            "its year groups may be out of date: upload the file again", field=None,
            code=PupilImportErrorCode.YEAR_CHANGED)
    applicable = [row for row in pupil_import.rows if row["values"] is not None]
    if not applicable:
        raise UserInputError("No row of this file can be imported: correct the problems and "
                             "upload it again", field=None, code=PupilImportErrorCode.NOTHING_TO_IMPORT)
    async with in_transaction() as connection:
        claimed = await PupilImport.filter(
            id=import_id, school_id=school_id, status=PupilImportStatus.PENDING
        ).using_db(connection).update(
            status=PupilImportStatus.CONFIRMED,
            confirmed_by_id=actor.account.id if actor.account else None,
            confirmed_at=dt.datetime.now(dt.UTC),
        )
        if claimed != 1:  # a second click, or another person, got there first
            raise UserInputError("This pupil file has already been imported", field=None,
                                 code=PupilImportErrorCode.ALREADY_CONFIRMED)
        pupils = await _school_pupils(school_id, connection)
        check = classify(pupil_import.rows, pupils)
        changed = [
            Pupil(school_id=school_id, left_at=None, **_stored(row["values"]))
            for row in applicable if check.statuses[row["row"]] in (NEW, UPDATED)
        ]
        # An optional column the file has is written (a blank cell clears it); one it lacks
        # is left as the school holds it.
        optional = [f for f in OPTIONAL_COLUMNS
                    if any(f in row["values"] for row in applicable)]
        if changed:
            await Pupil.bulk_create(
                changed, batch_size=500, on_conflict=["school_id", "upn"],
                update_fields=[*COMPARED, *optional, "left_at", "updated_at"],
                using_db=connection,
            )
        await pause_point("pupils.import.confirm", len(changed))
        marked_left = 0
        if mark_missing_as_left:
            in_file = {row["shown"]["upn"].replace(" ", "").upper()
                       for row in pupil_import.rows}
            leaving = [p["id"] for upn, p in pupils.items()
                       if p["left_at"] is None and upn not in in_file]
            if leaving:
                marked_left = await Pupil.filter(id__in=leaving).using_db(connection).update(
                    left_at=today)
        result = ImportResult(check.new, check.updated, check.unchanged, check.with_problems,
                              marked_left, 0)
        kept = [{**row, "status": check.statuses[row["row"]]}
                for row in pupil_import.rows if row["problems"]]
        await PupilImport.filter(id=import_id).using_db(connection).update(
            result=result.as_json(), rows=kept)
        await record(actor, "pupils.import.confirm", school_id,
                     detail={"import": import_id, **result.as_json()}, connection=connection)
    # New pupils, and changed ones (a new prior attainment or standardised score), get the
    # targets their year group's pre-population gives (it never overwrites a person's target).
    new_year_groups = sorted({row["values"]["year_group"] for row in applicable
                              if check.statuses[row["row"]] in (NEW, UPDATED)})
    prepopulated = await prepopulate_new_pupils(school_id, new_year_groups, actor)
    if prepopulated:
        result = ImportResult(**{**result.as_json(), "prepopulated": prepopulated})
        await PupilImport.filter(id=import_id).update(result=result.as_json())
    return result


async def prepopulate_new_pupils(school_id: int, year_groups: Sequence[int], actor: Actor) -> int:
    """Give new pupils their targets where the year group's pre-population is switched on.

    Uses the target-setting service when it is installed; the pupils are already saved,
    so a failure here is logged and leaves pre-population to the Manage targets page.
    """
    if not year_groups:
        return 0
    switched_on = await YearGroupSettings.filter(
        school_id=school_id, year_group__in=list(year_groups), use_target_setting=True,
    ).exclude(prepopulate=Prepopulate.NO).values_list("key_stage", "year_group")
    if not switched_on:
        return 0
    try:
        from server.services.targets.prepopulate import prepopulate_year_group
    except ImportError:
        return 0
    total = 0
    actor_id = actor.account.id if actor.account else None
    for key_stage, year_group in sorted(switched_on):
        try:
            total += int(await prepopulate_year_group(
                school_id, KeyStage(key_stage), year_group, actor_id) or 0)
        except Exception:
            logger.exception("pre-populating targets for new pupils of school %s, Year %s",
                             school_id, year_group)
    return total


async def discard_pupil_import(school_id: int, import_id: int, actor: Actor) -> PupilImport:
    pupil_import = _pending(await get_import(school_id, import_id))
    await PupilImport.filter(id=pupil_import.id, status=PupilImportStatus.PENDING).update(
        status=PupilImportStatus.DISCARDED, rows=[])
    await record(actor, "pupils.import.discard", school_id,
                 detail={"import": pupil_import.id})
    pupil_import.status = PupilImportStatus.DISCARDED
    pupil_import.rows = []
    return pupil_import
