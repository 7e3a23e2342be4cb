"""Pupil import: row-level checks, nothing changes until confirmed, re-import upserts."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from server.models import AuditEvent, Pupil, PupilImport
from server.models.enums import PupilImportStatus
from server.services.accounts.audit import Actor
from server.services.errors import UserInputError
from server.services.pupils.importing import (
    birth_range,
    confirm_pupil_import,
    discard_pupil_import,
    parse_date,
    upload_pupil_file,
)
from tests.factories import make_administrator, make_school

sys.path.insert(0, str(Path(__file__).parent))
from pupil_files import HEADER, csv_bytes, pupil_row, upn, xlsx_bytes  # noqa: E402

CLI = Actor.command_line()


def problems_of(pupil_import: PupilImport) -> dict[int, list[tuple[str, str, str]]]:
    return {
        row["row"]: [(p["field"], p["severity"], p["message"]) for p in row["problems"]]
        for row in pupil_import.rows if row["problems"]
    }


def test_parse_date_formats():
    assert parse_date("27/03/2012") == dt.date(2012, 3, 27)
    assert parse_date("2012-03-27") == dt.date(2012, 3, 27)
    assert parse_date(dt.datetime(2012, 3, 27)) == dt.date(2012, 3, 27)
    assert parse_date(40995) == dt.date(2012, 3, 27)  # Excel's serial number
    for bad in ("31/02/2012", "2012/27/03", "yesterday", "27-3-12"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_birth_range_of_a_year_group():
    assert birth_range(7, 2026) == (dt.date(2014, 9, 1), dt.date(2015, 8, 31))
    assert birth_range(13, 2026) == (dt.date(2008, 9, 1), dt.date(2009, 8, 31))


async def test_bad_rows_are_reported_by_row_and_field_and_nothing_changes():
    school = await make_school()
    rows = [
        pupil_row(1),
        pupil_row(2, UPN="A801200015002"[:-1] + "9"),  # wrong check letter
        pupil_row(3, Gender="X", **{"Year group": "14"}),
        pupil_row(4, **{"Date of birth": "31/02/2012", "Prior attainment": "150"}),
        pupil_row(5, **{"Year group": "8"}),  # born for Year 10: a warning only
        pupil_row(1, Forename="Again"),  # duplicate of row 2
        pupil_row(6, Forename="", SEN="maybe"),
    ]
    pupil_import = await upload_pupil_file(school.id, "pupils.csv", csv_bytes(rows), CLI)
    found = problems_of(pupil_import)
    assert [f for f, _, _ in found[2]] == ["upn"] and "also on row 7" in found[2][0][2]
    assert found[3][0][0] == "upn" and "check letter" in found[3][0][2]
    assert {f for f, _, _ in found[4]} == {"gender", "year_group"}
    assert {f for f, _, _ in found[5]} == {"date_of_birth", "prior_attainment"}
    assert "KS2 scaled score" in next(m for f, _, m in found[5] if f == "prior_attainment")
    assert found[6] == [("date_of_birth", "warning", found[6][0][2])]
    assert "does not fit Year 8" in found[6][0][2]
    assert {f for f, _, _ in found[8]} == {"forename", "sen"}
    assert await Pupil.all().count() == 0  # nothing until confirmed

    result = await confirm_pupil_import(school.id, pupil_import.id, False, CLI)
    assert (result.created, result.updated, result.skipped) == (1, 0, 6)
    assert await Pupil.filter(school=school).values_list("upn", flat=True) == [upn(5)]
    # Once confirmed, only the rows with problems are kept: the rest is in the pupil table.
    kept = await PupilImport.get(id=pupil_import.id)
    assert sorted(row["row"] for row in kept.rows) == [2, 3, 4, 5, 6, 7, 8]
    assert {row["status"] for row in kept.rows} == {"problem", "new"}


async def test_an_unreadable_file_is_refused_whole():
    school = await make_school()
    with pytest.raises(UserInputError) as refused:
        await upload_pupil_file(school.id, "x.csv", b"UPN,Forename\nA,B\n", CLI)
    assert refused.value.field == "file" and "Surname" in refused.value.message
    with pytest.raises(UserInputError) as refused:
        await upload_pupil_file(school.id, "x.xlsx", b"PK\x03\x04not really a zip", CLI)
    assert refused.value.field == "file"
    assert await PupilImport.all().count() == 0


async def test_xlsx_with_excel_dates_and_columns_in_any_order():
    school = await make_school()
    order = list(reversed(HEADER))
    row = pupil_row(7, year_group=12)
    values = {**row, "Date of birth": dt.datetime(2010, 1, 5), "Year group": 12,
              "Prior attainment": 6.25}
    data = xlsx_bytes([order, [values[h] for h in order]])
    pupil_import = await upload_pupil_file(school.id, "pupils.xlsx", data, CLI)
    assert problems_of(pupil_import) == {}
    await confirm_pupil_import(school.id, pupil_import.id, False, CLI)
    pupil = await Pupil.get(upn=upn(7))
    assert (pupil.year_group, pupil.date_of_birth, pupil.prior_attainment) == (
        12, dt.date(2010, 1, 5), 6.25)
    assert (pupil.eal, pupil.sen, pupil.disadvantaged) == (True, False, False)


async def test_reimport_updates_without_duplicating_and_marks_leavers_only_when_asked():
    school = await make_school()
    first = await upload_pupil_file(
        school.id, "a.csv", csv_bytes([pupil_row(n) for n in range(1, 6)]), CLI)
    await confirm_pupil_import(school.id, first.id, False, CLI)
    assert await Pupil.filter(school=school).count() == 5

    rows = [pupil_row(1), pupil_row(2, Surname="Jones"), pupil_row(3, SEN="Y"), pupil_row(9)]
    second = await upload_pupil_file(school.id, "b.csv", csv_bytes(rows), CLI)
    result = await confirm_pupil_import(school.id, second.id, False, CLI)
    assert (result.created, result.updated, result.unchanged, result.marked_left) == (1, 2, 1, 0)
    assert await Pupil.filter(school=school).count() == 6
    assert await Pupil.filter(school=school, left_at__isnull=False).count() == 0
    assert (await Pupil.get(upn=upn(2))).surname == "Jones"
    assert (await Pupil.get(upn=upn(3))).sen is True

    third = await upload_pupil_file(school.id, "c.csv", csv_bytes(rows), CLI)
    result = await confirm_pupil_import(school.id, third.id, True, CLI, today=dt.date(2027, 1, 4))
    assert (result.created, result.updated, result.unchanged, result.marked_left) == (0, 0, 4, 2)
    left = await Pupil.filter(school=school, left_at__isnull=False).values_list("upn", flat=True)
    assert sorted(left) == sorted([upn(4), upn(5)])
    assert await Pupil.filter(school=school).count() == 6  # nobody deleted

    back = await upload_pupil_file(school.id, "d.csv", csv_bytes([pupil_row(4)]), CLI)
    result = await confirm_pupil_import(school.id, back.id, False, CLI)
    assert result.updated == 1 and (await Pupil.get(upn=upn(4))).left_at is None


async def test_confirm_applies_once_and_imports_are_per_school():
    school, other = await make_school(), await make_school()
    pupil_import = await upload_pupil_file(school.id, "a.csv", csv_bytes([pupil_row(1)]), CLI)
    with pytest.raises(UserInputError) as refused:
        await confirm_pupil_import(other.id, pupil_import.id, False, CLI)
    assert refused.value.code == "NOT_FOUND"
    await confirm_pupil_import(school.id, pupil_import.id, False, CLI)
    with pytest.raises(UserInputError) as refused:
        await confirm_pupil_import(school.id, pupil_import.id, False, CLI)
    assert refused.value.code == "ALREADY_CONFIRMED"
    assert await Pupil.all().count() == 1
    actions = await AuditEvent.filter(organisation=school).values_list("action", flat=True)
    assert sorted(actions) == ["pupils.import.confirm", "pupils.import.upload"]


async def test_a_newer_upload_replaces_the_pending_one_and_discard():
    school = await make_school()
    admin = await make_administrator(school)
    actor = Actor(account=admin)
    first = await upload_pupil_file(school.id, "a.csv", csv_bytes([pupil_row(1)]), actor)
    second = await upload_pupil_file(school.id, "b.csv", csv_bytes([pupil_row(2)]), actor)
    replaced = await PupilImport.get(id=first.id)
    assert (replaced.status, replaced.rows) == (PupilImportStatus.DISCARDED, [])
    with pytest.raises(UserInputError) as refused:
        await confirm_pupil_import(school.id, first.id, False, actor)
    assert refused.value.code == "NOT_PENDING"
    await discard_pupil_import(school.id, second.id, actor)
    discarded = await PupilImport.get(id=second.id)
    assert (discarded.status, discarded.rows) == (PupilImportStatus.DISCARDED, [])
    assert await Pupil.all().count() == 0


async def test_confirm_is_refused_after_the_school_rolled_forward():
    school = await make_school()
    pupil_import = await upload_pupil_file(school.id, "a.csv", csv_bytes([pupil_row(1)]), CLI)
    school.current_academic_year = 2027
    await school.save()
    with pytest.raises(UserInputError) as refused:
        await confirm_pupil_import(school.id, pupil_import.id, False, CLI)
    assert refused.value.code == "YEAR_CHANGED"
    assert await Pupil.all().count() == 0


async def test_too_many_rows_are_refused():
    school = await make_school()
    from server.services.pupils import importing

    rows = [pupil_row(n) for n in range(1, 5)]
    original = importing.MAX_PUPIL_ROWS
    importing.MAX_PUPIL_ROWS = 3
    try:
        with pytest.raises(UserInputError) as refused:
            await upload_pupil_file(school.id, "a.csv", csv_bytes(rows), CLI)
    finally:
        importing.MAX_PUPIL_ROWS = original
    assert refused.value.code == "TOO_MANY_ROWS"


async def test_new_pupils_get_targets_where_prepopulation_is_switched_on():
    from server.models import Target, YearGroupSettings
    from server.models.enums import KeyStage, Prepopulate

    school = await make_school()
    await YearGroupSettings.create(school=school, key_stage=KeyStage.KS4, year_group=10,
                                   use_target_setting=True, prepopulate=Prepopulate.BENCHMARK)
    rows = [pupil_row(1), pupil_row(2, year_group=9)]  # Year 9 does not pre-populate
    pupil_import = await upload_pupil_file(school.id, "a.csv", csv_bytes(rows), CLI)
    result = await confirm_pupil_import(school.id, pupil_import.id, False, CLI)
    year10 = await Pupil.get(upn=upn(1))
    year9 = await Pupil.get(upn=upn(2))
    targets = await Target.filter(pupil=year10).count()
    assert targets > 0 and result.prepopulated == targets
    assert await Target.filter(pupil=year9).count() == 0
    stored = await PupilImport.get(id=pupil_import.id)
    assert stored.result["prepopulated"] == targets
