"""/tracking: working-at grades entered by plain forms, on track / above / below, counts."""

import re
from datetime import date

from server.models import AssessmentPoint, WorkingAtGrade
from server.models.enums import KeyStage, Prepopulate, PupilAccess, Role
from server.services.accounts.audit import Actor
from server.services.targets.settings import TargetSettings, save_settings
from tests.factories import make_administrator, make_school, make_user, sign_in
from tests.target_settings.helpers import make_pupils


async def _school(client, point=True):
    school = await make_school()
    school.current_academic_year = 2026
    await school.save()
    admin = await make_administrator(school)
    pupils = await make_pupils(school, 10, 3)
    await save_settings(school.id, "KS4", 10, False, TargetSettings(
        use_target_setting=True, prepopulate=Prepopulate.BENCHMARK), False, Actor(admin))
    if point:
        await AssessmentPoint.create(school=school, key_stage=KeyStage.KS4, year_group=10,
                                     academic_year=2026, name="Autumn", on=date(2026, 11, 1))
    await sign_in(client, await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL))
    return school, pupils


async def test_grades_entered_without_javascript_give_a_status_and_counts(client):
    school, pupils = await _school(client)
    page = await client.get("/tracking?yearGroup=10&subject=maths")
    assert page.status_code == 200, page.text
    assert 'href="/tracking"' in page.text  # in the menu
    assert "Latest assessment point: <strong>Autumn</strong> (2026-11-01)" in page.text
    assert page.text.count('action="/tracking/working-at"') == 3
    assert "Not entered" in page.text
    point_id = re.search(r'name="pointId" value="(\d+)"', page.text).group(1)
    form = {"csrftoken": client.cookies.get("csrftoken"), "yearGroup": "10",
            "subject": "maths", "pointId": point_id}
    for pupil, grade in zip(pupils, ("9", "1", None), strict=True):
        if grade is None:
            continue
        saved = await client.post("/tracking/working-at",
                                  data={**form, "upn": pupil.upn, "grade": grade})
        assert saved.status_code == 303, saved.text
    shown = await client.get(saved.headers["location"])
    assert f"Working-at grade saved for {pupils[1].upn}." in shown.text
    status = {p.upn: re.search(rf'id="status-{p.upn}">(.*?)</td>', shown.text).group(1)
              for p in pupils}
    assert ">Above<" in status[pupils[0].upn] or ">On track<" in status[pupils[0].upn]
    assert ">Below<" in status[pupils[1].upn] or ">On track<" in status[pupils[1].upn]
    assert status[pupils[2].upn] == "Not entered"
    counts = re.search(r'id="counts-maths">(.*?)</tr>', shown.text, re.S).group(1)
    assert sum(int(n) for n in re.findall(r">(\d+)</td>", counts)) == 2
    assert await WorkingAtGrade.all().count() == 2

    bad = await client.post("/tracking/working-at",
                            data={**form, "upn": pupils[2].upn, "grade": "Z"})
    assert bad.status_code == 400
    assert f'<a href="#grade-{pupils[2].upn}">' in bad.text
    assert f'id="grade-{pupils[2].upn}-error"' in bad.text and 'value="Z"' in bad.text
    assert await WorkingAtGrade.all().count() == 2


async def test_no_point_yet_and_other_users(client):
    school, _ = await _school(client, point=False)
    page = await client.get("/tracking?yearGroup=10")
    assert page.status_code == 200
    assert 'id="no-point"' in page.text and 'action="/tracking/working-at"' not in page.text
    wrong = await client.get("/tracking?yearGroup=10&subject=astrology")
    assert wrong.status_code == 400 and "That subject is not one of Year 10" in wrong.text
    await sign_in(client, await make_user(school, Role.GOVERNOR, PupilAccess.AGGREGATE))
    refused = await client.get("/tracking?yearGroup=10")
    assert refused.status_code == 403
