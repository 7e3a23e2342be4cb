"""Target Setting > Assessment points page (full page and htmx fragment)."""

from server.models import AssessmentPoint
from tests.factories import csrf_headers, make_administrator, make_school, sign_in

PATH = "/admin/target-setting/assessment-points"


async def test_administrator_adds_a_point_and_bad_input_changes_nothing(client):
    school = await make_school()
    school.current_academic_year = 2026
    await school.save()
    admin = await make_administrator(school)
    await sign_in(client, admin)

    page = await client.get(PATH + "?yearGroup=10")
    assert page.status_code == 200
    assert "No assessment points yet" in page.text and "KS4 Year 10" in page.text

    form = {"csrftoken": client.cookies.get("csrftoken", ""), "yearGroup": "10",
            "name": "Autumn", "date": "2030-01-01", "scope": "year"}
    bad = await client.post(PATH, data=form)
    assert bad.status_code == 400
    assert "The date must be in the school year 2026/27" in bad.text
    assert await AssessmentPoint.all().count() == 0
    bad = await client.post(PATH, data={**form, "date": "27/11/2026"})
    assert bad.status_code == 400 and "year-month-day" in bad.text

    done = await client.post(PATH, data={**form, "date": "2026-11-27"})
    assert done.status_code == 303
    shown = await client.get(done.headers["location"])
    assert "Assessment point Autumn added" in shown.text and "2026-11-27" in shown.text
    point = await AssessmentPoint.get()
    assert (point.year_group, point.name) == (10, "Autumn")

    # htmx: the fragment alone, errors answered with 200 for htmx 2 to swap.
    fragment = await client.post(PATH, data={**form, "date": "2026-12-01"},
                                 headers={"HX-Request": "true", **csrf_headers(client)})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "already an assessment point called Autumn" in fragment.text
