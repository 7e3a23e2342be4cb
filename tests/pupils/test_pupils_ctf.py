"""Common Transfer File import: the same check and confirm as a spreadsheet of the same
pupils, the CTF's own result codes, and hostile or foreign files refused."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from server.models import Pupil, PupilImport
from server.services.accounts.audit import Actor
from server.services.errors import UserInputError
from server.services.pupils.ctf import KS2_CODES
from server.services.pupils.importing import (
    check_import,
    confirm_pupil_import,
    upload_pupil_file,
)
from tests.factories import make_school

sys.path.insert(0, str(Path(__file__).parent))
from ctf_files import assessment, big_ctf, ctf_bytes, ks2, pupil_xml  # noqa: E402
from pupil_files import csv_bytes, pupil_row  # noqa: E402

CLI = Actor.command_line()


def values_of(pupil_import: PupilImport) -> list[tuple]:
    return [(row["row"], row["values"], [p["message"] for p in row["problems"]])
            for row in pupil_import.rows]


async def test_ctf_import_equals_the_spreadsheet_of_the_same_pupils():
    data, rows = big_ctf(60)
    school = await make_school()
    from_ctf = await upload_pupil_file(school.id, "pupils.xml", data, CLI)
    from_csv = await upload_pupil_file(school.id, "pupils.csv", csv_bytes(rows), CLI)
    # rows are numbered by pupil in a CTF and by line in a CSV (the header is line 1)
    assert [(n + 1, v, p) for n, v, p in values_of(from_ctf)] == values_of(from_csv)
    assert all(row["values"] for row in from_ctf.rows)

    pending = await upload_pupil_file(school.id, "pupils.xml", data, CLI)
    check = await check_import(pending)
    assert (check.new, check.with_problems) == (60, 0)
    result = await confirm_pupil_import(school.id, pending.id, False, CLI)
    assert result.created == 60
    with pytest.raises(UserInputError) as twice:
        await confirm_pupil_import(school.id, pending.id, False, CLI)
    assert twice.value.code == "ALREADY_CONFIRMED"
    assert await Pupil.filter(school=school).count() == 60
    # the spreadsheet of the same pupils now changes nothing
    again = await check_import(await upload_pupil_file(school.id, "p.csv", csv_bytes(rows), CLI))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 60)


async def test_result_codes_wrong_school_bad_upn_and_birth_dates_are_reported():
    school = await make_school(urn="123456")
    good = pupil_row(1)
    pupils = [
        pupil_xml(good),
        pupil_xml(pupil_row(2), ks2("A", "104")),  # absent from reading
        pupil_xml(pupil_row(3), ks2("B", "B")),  # working below the test
        pupil_xml(pupil_row(4), ks2("N", "M")),  # no scaled score awarded, missing
        pupil_xml(pupil_row(5, UPN=pupil_row(5)["UPN"][:-1] + "9")),  # bad check letter
        pupil_xml(pupil_row(6, **{"Year group": "8"})),  # born for Year 10
        pupil_xml(pupil_row(7), "<KeyStage><Stage>KS2</Stage>"
                  + assessment("MAT", "104", "MAT") + "</KeyStage>"),  # maths only
        pupil_xml(pupil_row(8), "<KeyStage><Stage>KS2</Stage>" + assessment("ENG", "101", "RD")
                  + assessment("MAT", "109", "MAT") + assessment("ENG", "99", "RD", "2021",
                                                                locale="WA") + "</KeyStage>"),
    ]
    pending = await upload_pupil_file(school.id, "ctf.xml", ctf_bytes(pupils, "123456"), CLI)
    by_row = {row["row"]: row for row in pending.rows}
    assert by_row[1]["values"]["prior_attainment"] == 104.5
    assert "'A' (absent)" in by_row[2]["problems"][0]["message"]
    assert by_row[2]["values"]["prior_attainment"] is None
    assert "working below the standard" in by_row[3]["problems"][0]["message"]
    words = ("not awarded a scaled score", "missing")
    assert set(words) <= {m for p in by_row[4]["problems"] for m in words if m in p["message"]}
    assert by_row[5]["values"] is None and "check letter" in by_row[5]["problems"][0]["message"]
    assert by_row[6]["problems"][0]["severity"] == "warning"
    assert "does not fit Year 8" in by_row[6]["problems"][0]["message"]
    assert "Only one of the KS2" in by_row[7]["problems"][0]["message"]
    assert by_row[8]["values"]["prior_attainment"] == 105.0  # a Welsh-locale entry is not used
    assert await Pupil.all().count() == 0

    other = await upload_pupil_file(school.id, "ctf.xml", ctf_bytes(pupils[:1], "654321"), CLI)
    assert other.rows[0]["values"] is None
    assert "URN 654321" in other.rows[0]["problems"][-1]["message"]


BOMB = (b'<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><CTfile>&b;</CTfile>')


@pytest.mark.parametrize("data, code, words", [
    (BOMB, "UNSAFE", "DOCTYPE"),
    (b'<?xml version="1.0"?><!DOCTYPE CTfile SYSTEM "http://x/y.dtd"><CTfile/>', "UNSAFE",
     "DOCTYPE"),
    (b"<CTfile><Header><CTFversion>20.0", "UNREADABLE", "not a readable XML"),
    (b"<html><body>hello</body></html>", "NOT_CTF", "<html>"),
    (ctf_bytes([], la="681"), "NOT_CTF", "Wales"),
    (ctf_bytes([], root="ScotXed"), "NOT_CTF", "not a Common Transfer File"),
    (b"<CTfile><CTFpupilData></CTFpupilData></CTfile>", "NOT_CTF", "no CTF header"),
    (b"<" + b" " * (6 * 1024 * 1024), "TOO_LARGE", "5 MB"),
])
async def test_hostile_and_foreign_files_are_refused_and_change_nothing(data, code, words):
    school = await make_school()
    with pytest.raises(UserInputError) as refused:
        await upload_pupil_file(school.id, "ctf.xml", data, CLI)
    assert refused.value.code == code and refused.value.field == "file"
    assert words in refused.value.message
    assert await PupilImport.all().count() == 0 and await Pupil.all().count() == 0


async def test_a_2000_pupil_ctf_is_read():
    data, rows = big_ctf(2000)
    school = await make_school()
    pending = await upload_pupil_file(school.id, "big.xml", data, CLI)
    assert len(pending.rows) == 2000
    assert sum(1 for r in pending.rows if r["values"]["prior_attainment"] is None) == 200


async def test_many_confirms_at_once_import_a_ctf_once():
    import asyncio

    data, _ = big_ctf(30)
    school = await make_school()
    pending = await upload_pupil_file(school.id, "mis.xml", data, CLI)

    async def confirm():
        try:
            return await confirm_pupil_import(school.id, pending.id, False, CLI)
        except UserInputError as error:
            return error.code

    answers = await asyncio.wait_for(asyncio.gather(*(confirm() for _ in range(10))), 30)
    done = [a for a in answers if not isinstance(a, str)]
    assert len(done) == 1 and done[0].created == 30
    assert set(a for a in answers if isinstance(a, str)) == {"ALREADY_CONFIRMED"}
    assert await Pupil.filter(school=school).count() == 30


@pytest.mark.parametrize("code", sorted(KS2_CODES))
async def test_every_ks2_result_code_is_reported_in_words(code):
    school = await make_school()
    pending = await upload_pupil_file(
        school.id, "ctf.xml", ctf_bytes([pupil_xml(pupil_row(1), ks2(code, "104"))]), CLI)
    [row] = pending.rows
    assert row["values"]["prior_attainment"] is None
    assert f"{code!r} ({KS2_CODES[code]})" in row["problems"][0]["message"]
