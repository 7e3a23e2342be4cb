"""Pages without JavaScript: the expected-grade editor (administrators), the working-at
spreadsheet upload (template, check, confirm) and the on-track counts on the subject summary."""

import io
import re
from datetime import date

from openpyxl import load_workbook

from server.models import AssessmentPoint, ExpectedGrade, WorkingAtGrade
from server.models.enums import KeyStage, Prepopulate, PupilAccess, Role
from server.services.accounts.audit import Actor
from server.services.targets.settings import TargetSettings, save_settings
from tests.factories import make_administrator, make_school, make_user, sign_in
from tests.target_settings.helpers import make_pupils

POINTS = "/admin/target-setting/assessment-points"


async def _school():
    school = await make_school()
    school.current_academic_year = 2026
    await school.save()
    admin = await make_administrator(school)
    pupils = await make_pupils(school, 10, 6)
    await save_settings(school.id, "KS4", 10, False, TargetSettings(
        use_target_setting=True, prepopulate=Prepopulate.BENCHMARK), False, Actor(admin))
    point = await AssessmentPoint.create(school=school, key_stage=KeyStage.KS4, year_group=10,
                                         academic_year=2026, name="Autumn", on=date(2026, 11, 1))
    return school, admin, pupils, point


async def test_administrator_sets_and_clears_expected_grades_at_a_point(client):
    school, admin, _, point = await _school()
    await sign_in(client, admin)
    points_page = await client.get(f"{POINTS}?yearGroup=10")
    assert f'href="{POINTS}/expected?yearGroup=10"' in points_page.text
    grid = await client.get(f"{POINTS}/expected?yearGroup=10")
    assert grid.status_code == 200
    assert re.search(r'id="cell-maths-\d+">[\d.]+ <span class="govuk-body-s">\(linear\)', grid.text)
    page = await client.get(f"{POINTS}/{point.id}/expected?yearGroup=10")
    assert page.status_code == 200 and 'id="grade-maths"' in page.text
    form = {"csrftoken": client.cookies.get("csrftoken"), "yearGroup": "10"}

    bad = await client.post(f"{POINTS}/{point.id}/expected",
                            data={**form, "grade-maths": "5", "grade-biology": "Z"})
    assert bad.status_code == 400
    assert '<a href="#grade-biology">' in bad.text and 'value="Z"' in bad.text
    assert await ExpectedGrade.filter(point=point).count() == 0

    done = await client.post(f"{POINTS}/{point.id}/expected", data={**form, "grade-maths": "5"})
    assert done.status_code == 303
    shown = await client.get(done.headers["location"])
    assert "Expected grades at Autumn saved" in shown.text
    assert f'id="cell-maths-{point.id}"><strong>5</strong>' in shown.text
    assert [e.grade for e in await ExpectedGrade.filter(point=point)] == ["5"]
    # A blank grade goes back to linear.
    await client.post(f"{POINTS}/{point.id}/expected", data={**form, "grade-maths": ""})
    assert await ExpectedGrade.filter(point=point).count() == 0
    # A point of another year group is not this year group's.
    other = await client.get(f"{POINTS}/{point.id}/expected?yearGroup=11")
    assert other.status_code == 404


async def test_teacher_uploads_checks_and_confirms_working_at_grades(client):
    school, _, pupils, point = await _school()
    await sign_in(client, await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL))
    tracking = await client.get("/tracking?yearGroup=10&subject=maths")
    assert f'href="/tracking/upload?yearGroup=10&amp;pointId={point.id}"' in tracking.text
    page = await client.get(f"/tracking/upload?yearGroup=10&pointId={point.id}")
    assert page.status_code == 200 and 'id="template-link"' in page.text
    made = await client.get(f"/tracking/upload/template.xlsx?yearGroup=10&pointId={point.id}")
    assert made.status_code == 200 and "attachment" in made.headers["content-disposition"]
    heading = next(load_workbook(io.BytesIO(made.content))["Working at"].iter_rows(
        max_row=1, values_only=True))
    assert heading[:2] == ("UPN", "Name") and "Mathematics" in heading

    token = client.cookies.get("csrftoken")
    empty = await client.post("/tracking/upload", data={"csrftoken": token, "yearGroup": "10",
                                                        "pointId": str(point.id)})
    assert empty.status_code == 400 and "Select a spreadsheet" in empty.text
    lines = ["UPN,Name,Mathematics"] + [f"{p.upn},P,{g}" for p, g in
                                        zip(pupils, ["5", "6", "Q", "4", "", "7"], strict=True)]
    sent = await client.post(
        "/tracking/upload", data={"csrftoken": token, "yearGroup": "10", "pointId": str(point.id)},
        files={"file": ("grades.csv", ("\n".join(lines) + "\n").encode(), "text/csv")})
    assert sent.status_code == 303, sent.text
    check = await client.get(sent.headers["location"])
    assert check.status_code == 200
    assert 'id="accepted-count">4<' in check.text and 'id="refused-count">1<' in check.text
    assert "&#39;Q&#39; is not a grade here" in check.text or "'Q' is not a grade" in check.text
    assert await WorkingAtGrade.filter(school=school).count() == 0

    confirm = sent.headers["location"] + "/confirm"
    done = await client.post(confirm, data={"csrftoken": token})
    assert done.status_code == 303
    result = await client.get(done.headers["location"])
    assert "4 working-at grades saved" in result.text
    assert await WorkingAtGrade.filter(school=school).count() == 4
    again = await client.post(confirm, data={"csrftoken": token})
    assert again.status_code == 400 and "These grades have already been saved" in again.text
    assert await WorkingAtGrade.filter(school=school).count() == 4


async def test_subject_summary_shows_on_track_counts_to_full_access_users(client):
    school, _, pupils, point = await _school()
    teacher = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    await sign_in(client, teacher)
    await client.get("/targets?yearGroup=10")  # pre-populates the targets
    token = client.cookies.get("csrftoken")
    for pupil in pupils[:3]:
        await client.post("/tracking/working-at", data={
            "csrftoken": token, "yearGroup": "10", "subject": "maths",
            "pointId": str(point.id), "upn": pupil.upn, "grade": "5"})
    summary = await client.get("/targets/summary?yearGroup=10")
    assert summary.status_code == 200
    assert "Year 10 at Autumn (2026-11-01): pupils on track, above and below" in summary.text
    row = re.search(r'id="track-maths">(.*?)</tr>', summary.text, re.S).group(1)
    assert sum(int(n) for n in re.findall(r">(\d+)</td>", row)) == 3
    fragment = await client.get("/targets/summary?yearGroup=10", headers={"HX-Request": "true"})
    assert 'id="summary-tracking"' in fragment.text

    await client.post("/sign-out", data={"csrftoken": token})
    await sign_in(client, await make_user(school, Role.TEACHER, PupilAccess.AGGREGATE))
    summary = await client.get("/targets/summary?yearGroup=10")
    assert summary.status_code == 200 and 'id="summary-tracking"' not in summary.text
