"""Working-at grades by spreadsheet (services.tracking.uploading): the template, the check
(nothing saved, every grade's verdict), confirm (all accepted grades in one transaction,
exactly once however often it is sent) and refused files."""

import asyncio
import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from server.models import AssessmentPoint, AuditEvent, Pupil, WorkingAtGrade, WorkingAtUpload
from server.models.enums import KeyStage
from server.models.tracking import WorkingAtUploadStatus
from server.services.audit import Actor
from server.services.errors import UserInputError
from server.services.tracking.recording import record_working_at
from server.services.tracking.uploading import check_upload, confirm_upload, template
from tests.factories import make_school, make_user
from tests.targets.world import add_pupils, subjects


async def _setting(n: int = 4):
    school = await make_school()
    teacher = await make_user(school)
    pupils = await add_pupils(school, 11, n, "Upl")
    ks4 = await subjects(KeyStage.KS4)
    autumn = await AssessmentPoint.create(
        school=school, key_stage=KeyStage.KS4, year_group=None, academic_year=2026,
        name="Autumn", on=date(2026, 11, 1))
    return school, Actor(account=teacher), pupils, ks4, autumn


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


async def test_template_lists_the_year_group_and_reads_back():
    school, actor, pupils, ks4, autumn = await _setting()
    await record_working_at(school.id, pupils[0].id, ks4["maths"].id, autumn.id, "6", 6.0, None)
    made = await template(school.id, autumn.id, 11)
    assert made.file_name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(made.content))["Working at"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("UPN", "Name") and "Mathematics" in rows[0]
    assert sorted(r[0] for r in rows[1:]) == sorted(p.upn for p in pupils)
    maths = rows[0].index("Mathematics")
    assert {r[0]: r[maths] for r in rows[1:]}[pupils[0].upn] == "6"

    upload = await check_upload(actor, school.id, autumn.id, 11, made.file_name, made.content)
    assert upload.status == WorkingAtUploadStatus.PENDING
    cells = [c for r in upload.sheet["rows"] for c in r["cells"]]
    assert cells == [{"subject": "maths", "subjectId": ks4["maths"].id, "grade": "6",
                      "points": 6.0, "problem": None}]


async def test_check_gives_each_grade_a_verdict_and_saves_nothing():
    school, actor, pupils, ks4, autumn = await _setting()
    a, b, c, _ = pupils
    data = _csv("Year 11 grades,,,,",
                "UPN,Name,Mathematics,Biology,Notes",
                f"{a.upn},Ann,5,b,fine",
                f"{b.upn.lower()},Bob,12,,late",
                "X999,Nobody,4,4,",
                f"{a.upn},Ann again,7,,",
                f"{c.upn},,u,A*,")
    upload = await check_upload(actor, school.id, autumn.id, 11, "grades.csv", data)
    assert await WorkingAtGrade.filter(school=school).count() == 0
    assert upload.sheet["ignored"] == ["Notes"]
    assert [s["code"] for s in upload.sheet["subjects"]] == ["maths", "biology"]
    rows = {r["row"]: r for r in upload.sheet["rows"]}
    assert [(x["grade"], x["problem"]) for x in rows[3]["cells"]] == [("5", None), ("B", None)]
    assert rows[4]["upn"] == b.upn and rows[4]["cells"][0]["problem"].startswith("'12'")
    assert rows[5]["problem"] == "No pupil in Year 11 has this UPN"
    assert rows[6]["problem"].startswith("This pupil is already on row 3")
    assert rows[7]["name"] == f"{c.forename} {c.surname}"
    assert [x["grade"] for x in rows[7]["cells"]] == ["U", "A*"]
    event = await AuditEvent.get(action="tracking.working_at_checked",
                                 organisation_id=school.id)
    assert event.detail["accepted"] == 4 and event.detail["refused"] == 4


async def test_confirm_saves_the_accepted_grades_once():
    school, actor, pupils, ks4, autumn = await _setting()
    a, b, _, _ = pupils
    await record_working_at(school.id, a.id, ks4["maths"].id, autumn.id, "2", 2.0, None)
    data = _csv("UPN,Mathematics,Biology", f"{a.upn},5,C", f"{b.upn},X,4")
    upload = await check_upload(actor, school.id, autumn.id, 11, "g.csv", data)
    result = await confirm_upload(actor, school.id, upload.id)
    assert result == {"saved": 3, "rows": 2, "accepted": 3, "refused": 1}
    saved = {(g.pupil_id, g.subject_id): g.grade for g in await WorkingAtGrade.filter(school=school)}
    assert saved == {(a.id, ks4["maths"].id): "5", (a.id, ks4["biology"].id): "C",
                     (b.id, ks4["biology"].id): "4"}
    with pytest.raises(UserInputError) as again:
        await confirm_upload(actor, school.id, upload.id)
    assert str(again.value.code) == "ALREADY_CONFIRMED"
    kept = await WorkingAtUpload.get(id=upload.id)
    # Only the refused grade is kept: the report of what was not saved.
    assert [(r["upn"], [c["grade"] for c in r["cells"]]) for r in kept.sheet["rows"]] == [
        (b.upn, ["X"])]
    assert await AuditEvent.filter(action="tracking.working_at_uploaded",
                                  organisation_id=school.id).count() == 1


async def test_confirming_many_times_at_once_saves_once():
    school, actor, pupils, _, autumn = await _setting(6)
    data = _csv("UPN,Mathematics", *(f"{p.upn},{i + 3}" for i, p in enumerate(pupils)))
    upload = await check_upload(actor, school.id, autumn.id, 11, "g.csv", data)
    outcomes = await asyncio.gather(*(confirm_upload(actor, school.id, upload.id)
                                      for _ in range(12)), return_exceptions=True)
    done = [o for o in outcomes if isinstance(o, dict)]
    refused = [o for o in outcomes if isinstance(o, UserInputError)]
    assert len(done) == 1 and done[0]["saved"] == 6
    assert len(refused) == 11 and {str(e.code) for e in refused} == {"ALREADY_CONFIRMED"}
    assert await WorkingAtGrade.filter(school=school).count() == 6
    assert await AuditEvent.filter(action="tracking.working_at_uploaded",
                                  organisation_id=school.id).count() == 1


async def test_a_newer_upload_replaces_the_pending_one():
    school, actor, pupils, _, autumn = await _setting()
    data = _csv("UPN,Mathematics", f"{pupils[0].upn},5")
    first = await check_upload(actor, school.id, autumn.id, 11, "a.csv", data)
    await check_upload(actor, school.id, autumn.id, 11, "b.csv", data)
    with pytest.raises(UserInputError) as replaced:
        await confirm_upload(actor, school.id, first.id)
    assert str(replaced.value.code) == "NOT_PENDING"
    assert (await WorkingAtUpload.get(id=first.id)).sheet == {}


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "code"), [
    ("grades.pdf", b"%PDF-1.4", "WRONG_TYPE"),
    ("grades.csv", b"", "EMPTY"),
    ("grades.csv", b"Name,Mathematics\nAnn,5\n", "MISSING_COLUMNS"),
    ("grades.csv", b"UPN,Name,Favourite colour\nX,Ann,red\n", "MISSING_COLUMNS"),
    ("grades.xlsx", _xlsx([["UPN", "Mathematics", "Maths"], ["X", "5", "6"]]), "DUPLICATE_COLUMN"),
    ("grades.xlsx", _xlsx([["UPN", "Mathematics"]]), "NO_ROWS"),
    ("grades.xlsx", b"PK\x03\x04 not really a zip", "DAMAGED"),
])
async def test_a_file_that_cannot_be_read_is_refused_and_not_kept(name, data, code):
    school, actor, _, _, autumn = await _setting(1)
    with pytest.raises(UserInputError) as refused:
        await check_upload(actor, school.id, autumn.id, 11, name, data)
    assert (refused.value.field, str(refused.value.code)) == ("file", code)
    assert await WorkingAtUpload.filter(school=school).count() == 0


async def test_the_point_must_be_the_schools_and_the_year_groups():
    school, actor, pupils, _, _ = await _setting(1)
    y10 = await AssessmentPoint.create(
        school=school, key_stage=KeyStage.KS4, year_group=10, academic_year=2026,
        name="Mocks", on=date(2026, 12, 1))
    data = _csv("UPN,Mathematics", f"{pupils[0].upn},5")
    with pytest.raises(UserInputError) as refused:
        await check_upload(actor, school.id, y10.id, 11, "g.csv", data)
    assert refused.value.field == "yearGroup"
    with pytest.raises(UserInputError) as refused:
        await check_upload(actor, school.id, 999_999, 11, "g.csv", data)
    assert refused.value.field == "pointId"


async def test_an_xls_file_is_read_too():
    import xlwt

    school, actor, pupils, ks4, autumn = await _setting(2)
    book = xlwt.Workbook()
    sheet = book.add_sheet("Working at")
    for r, row in enumerate([["UPN", "Name", "Mathematics"], [pupils[0].upn, "A", 7],
                             [pupils[1].upn, "B", "4"]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    upload = await check_upload(actor, school.id, autumn.id, 11, "old.xls", out.getvalue())
    assert [(r["upn"], [c["grade"] for c in r["cells"]]) for r in upload.sheet["rows"]] == [
        (pupils[0].upn, ["7"]), (pupils[1].upn, ["4"])]


async def test_a_pupil_who_left_since_the_check_is_not_saved():
    school, actor, pupils, _, autumn = await _setting(2)
    data = _csv("UPN,Mathematics", f"{pupils[0].upn},5", f"{pupils[1].upn},6")
    upload = await check_upload(actor, school.id, autumn.id, 11, "g.csv", data)
    await Pupil.filter(id=pupils[1].id).update(left_at=date(2026, 11, 20))
    result = await confirm_upload(actor, school.id, upload.id)
    assert (result["accepted"], result["saved"]) == (2, 1)
    assert [g.pupil_id for g in await WorkingAtGrade.filter(school=school)] == [pupils[0].id]
