"""The targets pages: setting targets (with and without htmx), the subject summary, exports,
and the LA/chain pages; aggregate-only users never see a pupil's name."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from server.models import AuditEvent, Organisation, Pupil, Target
from server.models.enums import Editing, PupilAccess, Role
from tests.factories import csrf_headers, make_local_authority, make_school, make_user, sign_in
from tests.targets.world import add_pupils, set_targets, share, subjects

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
async def school():
    subs = await subjects()
    la = await make_local_authority()
    school = await make_school(la=la)
    pupils = await add_pupils(school, 10, 7, surname="Page")
    # Names other systems might read as formulas, and markup.
    await Pupil.filter(id=pupils[0].id).update(surname="=HYPERLINK(\"http://evil\")",
                                               forename="-2+3")
    await Pupil.filter(id=pupils[1].id).update(surname=HOSTILE, forename="{{7*7}}")
    await set_targets(pupils[2:4], subs["maths"], ["6", "7"])
    await share(school, 10, pupil_la=True, editing=Editing.YES)
    school.la_ = la
    school.pupils_ = await Pupil.filter(school=school).order_by("id")
    return school


def names(school) -> list[str]:
    return [p.surname for p in school.pupils_ if p.surname.startswith("Page")]


async def test_full_access_user_sees_pupils_with_estimates_chances_and_history(client, school):
    user = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    await sign_in(client, user)
    r = await client.get("/targets?yearGroup=10&subject=maths")
    assert r.status_code == 200, r.text
    assert "no-store" in r.headers["cache-control"]
    for surname in names(school):
        assert surname in r.text
    assert HOSTILE not in r.text and "&lt;img src=x onerror=alert(1)&gt;" in r.text
    assert "{{7*7}}" in r.text and ">49<" not in r.text
    assert "<svg" in r.text and "Chance of each grade" in r.text  # chart and its table
    assert 'name="csrftoken"' in r.text and 'hx-post="/targets/set"' in r.text
    assert "History (1)" not in r.text  # targets made directly have no history yet
    assert "style=" not in r.text and "<script>" not in r.text
    # Menu shows Targets and Subject summary to this user.
    assert 'href="/targets"' in r.text and 'href="/targets/summary"' in r.text


async def test_setting_a_target_without_javascript(client, school):
    user = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    await sign_in(client, user)
    pupil = school.pupils_[4]
    form = {"csrftoken": client.cookies.get("csrftoken"), "upn": pupil.upn,
            "subjectCode": "maths", "grade": "12", "yearGroup": "10", "subject": "maths"}
    r = await client.post("/targets/set", data=form)
    assert r.status_code == 400
    assert "There is a problem" in r.text and "Enter a grade from 9 to 1" in r.text
    assert f'href="#grade-{pupil.upn}-maths"' in r.text
    assert f'id="grade-{pupil.upn}-maths-error"' in r.text
    assert "<title>Error: " in r.text
    assert await Target.filter(pupil=pupil).count() == 0
    r = await client.post("/targets/set", data=form | {"grade": "7", "reason": "Strong start"})
    assert r.status_code == 303
    assert r.headers["location"].startswith("/targets?yearGroup=10&subject=maths")
    target = await Target.get(pupil=pupil)
    assert target.grade == "7"
    r = await client.get(r.headers["location"])
    assert "Target saved." in r.text and "Strong start" in r.text and "History (1)" in r.text


async def test_setting_a_target_with_htmx_swaps_the_row(client, school):
    user = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    await sign_in(client, user)
    pupil = school.pupils_[5]
    headers = csrf_headers(client) | {"HX-Request": "true"}
    form = {"upn": pupil.upn, "subjectCode": "maths", "grade": "5", "yearGroup": "10",
            "subject": "maths"}
    r = await client.post("/targets/set", data=form, headers=headers)
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<tr class="govuk-table__row" id="row-')
    assert "<html" not in r.text and "Saved" in r.text
    assert 'hx-swap-oob="true"' in r.text and "Target saved for" in r.text
    r = await client.post("/targets/set", data=form | {"grade": "Z"}, headers=headers)
    assert "Enter a grade from 9 to 1" in r.text and "govuk-form-group--error" in r.text
    assert (await Target.get(pupil=pupil)).grade == "5"


async def test_editing_off_shows_no_form(client, school):
    from server.models import YearGroupSettings

    await YearGroupSettings.filter(school=school).update(editing=Editing.NO)
    user = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    await sign_in(client, user)
    r = await client.get("/targets?yearGroup=10&subject=maths")
    assert "Targets cannot be changed in Year 10" in r.text
    assert 'hx-post="/targets/set"' not in r.text


async def test_all_subjects_for_one_pupil(client, school):
    user = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    await sign_in(client, user)
    pupil = school.pupils_[2]
    r = await client.get(f"/targets?yearGroup=10&subject=&upn={pupil.upn}")
    assert r.status_code == 200
    assert "all subjects" in r.text and "English Language" in r.text and "Mathematics" in r.text


async def test_aggregate_only_users_never_see_a_name(client, school):
    governor = await make_user(school, Role.GOVERNOR, PupilAccess.AGGREGATE)
    await sign_in(client, governor)
    every_name = [p.surname for p in school.pupils_] + [p.forename for p in school.pupils_]
    every_name += ["&lt;img src=x onerror=alert(1)&gt;", "HYPERLINK"]
    pages = {
        "/targets?yearGroup=10&subject=maths": 403,
        "/targets/summary?yearGroup=10": 200,
        "/targets/export.csv?yearGroup=10": 403,
        "/targets/export.xlsx?yearGroup=10": 403,
        "/": 200,
    }
    for path, status in pages.items():
        r = await client.get(path)
        assert r.status_code == status, (path, r.text[:300])
        assert not any(name in r.text for name in every_name), path
    r = await client.get("/targets/summary?yearGroup=10", headers={"HX-Request": "true"})
    assert r.text.lstrip().startswith('<div id="target-summary">')
    assert not any(name in r.text for name in every_name)
    r = await client.get("/")
    assert 'href="/targets"' not in r.text and 'href="/targets/summary"' in r.text
    r = await client.get("/targets")
    assert "You need full access to pupil data" in r.text and "/targets/summary" in r.text


async def test_subject_summary_figures(client, school):
    governor = await make_user(school, Role.GOVERNOR, PupilAccess.AGGREGATE)
    await sign_in(client, governor)
    r = await client.get("/targets/summary?yearGroup=10")
    assert r.status_code == 200
    assert "Grade 4 or above" in r.text and "Grade 5 or above" in r.text
    assert "Mathematics" in r.text
    # Maths: 7 pupils, but only 2 targets set: too few to show to an aggregate-only user.
    assert "Not shown: too few pupils or targets" in r.text
    r = await client.get("/targets/summary?yearGroup=6")
    assert r.status_code == 400 and "Year 6 is not taught at your school" in r.text
    await Organisation.filter(id=school.id).update(phase="all-through")
    r = await client.get("/targets/summary?yearGroup=6")
    assert "Expected standard (100+ / EXS)" in r.text


async def test_csv_export_is_text_and_neutralised(client, school):
    user = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    await sign_in(client, user)
    r = await client.get("/targets/export.csv?yearGroup=10")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.headers["cache-control"] == "no-store"
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["UPN", "Forename", "Surname", "Subject", "Target", "Benchmark",
                       "Benchmark grade", "Estimate", "Grade format", "Baseline"]
    estimates = [row[7] for row in rows[1:] if row[7]]
    assert estimates and all(re.fullmatch(r"\d+\.\d\d", e) for e in estimates)  # one format
    assert len(rows) == 1 + 7 * 20
    evil = [row for row in rows if "HYPERLINK" in row[2]]
    assert evil and all(row[2].startswith("'=") and row[1] == "'-2+3" for row in evil)
    for row in rows[1:]:
        assert not row[2].startswith(("=", "+", "-", "@"))
    maths = {(row[0], row[3]): row for row in rows}
    assert maths[(school.pupils_[2].upn, "Mathematics")][4] == "6"
    r = await client.get("/targets/export.xlsx?yearGroup=10")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert values[0][0] == "UPN" and len(values) == 1 + 7 * 20
    # Every cell is text (an empty target is an empty cell), numbers included.
    assert all(v is None or isinstance(v, str) for row in values for v in row)
    assert any(row[4] == "6" for row in values)
    # Typed text cells: the value as it is, never a stray apostrophe inside the cell.
    assert any(row[2] == "=HYPERLINK(\"http://evil\")" for row in values)
    assert not any(str(v).startswith("'") for row in values for v in row if v)


async def test_la_pages(client, school):
    other = await make_school(la=school.la_)
    await add_pupils(other, 10, 6, surname="Agg")
    await share(other, 10, aggregate_la=True)
    officer = await make_user(school.la_, Role.OFFICER, PupilAccess.FULL)
    await sign_in(client, officer)
    r = await client.get("/outside")
    assert r.status_code == 200
    assert school.name in r.text and other.name in r.text
    assert "pupil-level targets" in r.text and "aggregate targets" in r.text
    assert 'href="/outside"' in r.text  # the menu item
    r = await client.get("/outside/dashboard?yearGroup=10&subject=maths")
    assert r.status_code == 200 and school.name in r.text and other.name in r.text
    r = await client.get(f"/outside/dashboard?yearGroup=10&subject=&school={school.urn}")
    assert "English Language" in r.text
    r = await client.get(f"/outside/pupils?school={school.urn}&yearGroup=10&subject=maths")
    assert r.status_code == 200
    for surname in names(school):
        assert surname in r.text
    assert await AuditEvent.filter(action="targets.pupil_read", actor=officer).count() == 1
    r = await client.get(f"/outside/pupils?school={other.urn}&yearGroup=10&subject=maths")
    assert r.status_code == 403 and "Agg" not in r.text
    r = await client.get("/targets")
    assert r.status_code == 403 and "/outside" in r.text


async def test_aggregate_la_officer_sees_no_names_on_outside_pages(client, school):
    officer = await make_user(school.la_, Role.OFFICER, PupilAccess.AGGREGATE)
    await sign_in(client, officer)
    every_name = [p.surname for p in school.pupils_] + [p.forename for p in school.pupils_]
    for path, status in (("/outside", 200), ("/outside/dashboard?yearGroup=10", 200),
                         (f"/outside/pupils?school={school.urn}&yearGroup=10", 403)):
        r = await client.get(path)
        assert r.status_code == status, path
        assert not any(name in r.text for name in every_name), path
    r = await client.get("/outside")
    assert "your account has aggregate access only" in r.text


async def test_school_users_are_told_outside_pages_are_not_for_them(client, school):
    user = await make_user(school, Role.TEACHER, PupilAccess.FULL)
    await sign_in(client, user)
    r = await client.get("/outside")
    assert r.status_code == 403 and "local authorities and academy chains" in r.text
    r = await client.get("/")
    assert 'href="/outside"' not in r.text


async def test_menu_marks_one_current_item(client, school):
    user = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    await sign_in(client, user)
    r = await client.get("/targets/summary")
    assert r.text.count('aria-current="page"') == 1
    assert 'href="/targets/summary" aria-current="page"' in r.text
    r = await client.get("/targets")
    assert 'href="/targets" aria-current="page"' in r.text


async def test_all_subjects_needs_a_upn(client, school):
    user = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    await sign_in(client, user)
    r = await client.get("/targets?yearGroup=10&subject=&upn=")
    assert r.status_code == 400
    assert "There is a problem" in r.text and 'href="#upn"' in r.text
    assert 'id="upn-error"' in r.text and "Enter a pupil&#39;s UPN" in r.text


async def test_each_pupils_chances_add_up_to_exactly_100(client, school):
    user = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    await sign_in(client, user)
    r = await client.get("/targets?yearGroup=10&subject=maths")
    tables = re.findall(r'<table class="govuk-visually-hidden" id="chances-[^"]+">(.*?)</table>',
                        r.text, re.S)
    assert tables
    for table in tables:
        shown = [int(p) for p in re.findall(r"<td>(\d+)%</td>", table)]
        assert sum(shown) == 100, shown
