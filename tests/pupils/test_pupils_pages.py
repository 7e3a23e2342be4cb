"""The pupil pages: upload, check, confirm, roll forward, value added; who may."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from server.models import Organisation, Pupil, PupilImport
from server.models.enums import PupilAccess, Role
from tests.factories import csrf_headers, graphql, make_administrator, make_school, make_user, sign_in

sys.path.insert(0, str(Path(__file__).parent))
from pupil_files import csv_bytes, pupil_row, upn  # noqa: E402


def token(client) -> str:
    return client.cookies.get("csrftoken", "")


async def upload(client, url: str, data: bytes, name: str = "pupils.csv"):
    return await client.post(url, data={"csrftoken": token(client)},
                             files={"file": (name, data, "text/csv")})


async def test_admin_uploads_checks_and_confirms(client):
    school = await make_school()
    admin = await make_administrator(school)
    await sign_in(client, admin)

    page = await client.get("/admin/pupils")
    assert page.status_code == 200, page.text
    assert "2026/27" in page.text and "Pupils and school years" in page.text
    form = page.text[page.text.index('action="/admin/pupils/upload"'):]
    assert form.index('name="csrftoken"') < form.index('type="file"')

    rows = [pupil_row(1), pupil_row(2, Gender="Q"),
            pupil_row(3, Forename="<img src=x onerror=alert(1)>", **{"Year group": "2"})]
    response = await upload(client, "/admin/pupils/upload", csv_bytes(rows))
    assert response.status_code == 303, response.text
    check_url = response.headers["location"]
    assert re.fullmatch(r"/admin/pupils/import/\d+", check_url)

    page = await client.get(check_url)
    assert page.status_code == 200
    assert "Check your pupil file" in page.text
    assert "Gender must be F or M" in page.text and "Year group must be from 3 to 13" in page.text
    assert "<img src=x" not in page.text and "&lt;img src=x" in page.text
    assert await Pupil.all().count() == 0  # nothing until confirmed

    response = await client.post(check_url + "/confirm", data={"csrftoken": token(client)})
    assert response.status_code == 303
    page = await client.get(check_url)
    assert "Pupils imported" in page.text and "1 new pupil added" in page.text
    assert await Pupil.filter(school=school).values_list("upn", flat=True) == [upn(1)]

    again = await client.post(check_url + "/confirm", data={"csrftoken": token(client)})
    assert again.status_code == 400 and "already been imported" in again.text
    assert await Pupil.all().count() == 1


async def test_an_unreadable_upload_shows_the_error_on_the_field(client):
    school = await make_school()
    await sign_in(client, await make_administrator(school))
    response = await upload(client, "/admin/pupils/upload", b"Name,Class\nAmy,7A\n")
    assert response.status_code == 400
    assert "There is a problem" in response.text and 'href="#file"' in response.text
    assert "Missing: UPN" in response.text
    response = await upload(client, "/admin/pupils/upload", b"")
    assert response.status_code == 400 and "Select a CSV or .xlsx file" in response.text
    assert await PupilImport.all().count() == 0


async def test_data_manager_with_full_access_imports_on_the_main_site(client):
    school = await make_school()
    manager = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    await sign_in(client, manager)
    home = await client.get("/")
    assert 'href="/pupils/import"' in home.text
    page = await client.get("/pupils/import")
    assert page.status_code == 200 and "Import pupils" in page.text
    response = await upload(client, "/pupils/import/upload", csv_bytes([pupil_row(1)]))
    assert response.status_code == 303
    assert re.fullmatch(r"/pupils/import/\d+", response.headers["location"])
    confirm = await client.post(response.headers["location"] + "/confirm",
                                data={"csrftoken": token(client)})
    assert confirm.status_code == 303
    assert await Pupil.filter(school=school).count() == 1


async def test_a_teacher_cannot_import(client):
    school = await make_school()
    teacher = await make_user(school, Role.TEACHER, PupilAccess.FULL)
    await sign_in(client, teacher)
    home = await client.get("/")
    assert 'href="/pupils/import"' not in home.text
    assert (await client.get("/pupils/import")).status_code == 403
    response = await upload(client, "/pupils/import/upload", csv_bytes([pupil_row(1)]))
    assert response.status_code == 403
    answer = await graphql(
        client, "mutation($i: UploadFileInput!) { uploadPupilFile(input: $i) { errors { code } } }",
        {"i": {"fileName": "p.csv", "contentBase64": "VVBO"}})
    assert answer.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await PupilImport.all().count() == 0


async def test_another_schools_admin_cannot_see_or_confirm_an_import(client, app):
    import httpx

    school, other = await make_school(), await make_school()
    await sign_in(client, await make_administrator(school))
    response = await upload(client, "/admin/pupils/upload", csv_bytes([pupil_row(1)]))
    check_url = response.headers["location"]

    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as theirs:
        await sign_in(theirs, await make_administrator(other))
        assert (await theirs.get(check_url)).status_code == 404
        refused = await theirs.post(check_url + "/confirm", data={"csrftoken": token(theirs)})
        assert refused.status_code == 404
        import_id = check_url.rsplit("/", 1)[1]
        answer = await graphql(
            theirs, "mutation($i: ConfirmPupilImportInput!) { confirmPupilImport(input: $i) "
                    "{ errors { code } } }", {"i": {"id": import_id}})
        assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await Pupil.all().count() == 0


async def test_roll_forward_page_states_what_happens_and_refuses_a_double_submit(client):
    school = await make_school()
    await sign_in(client, await make_administrator(school))
    await upload(client, "/admin/pupils/upload",
                 csv_bytes([pupil_row(1, year_group=10), pupil_row(2, year_group=11)]))
    pending = await PupilImport.get(school=school)
    await client.post(f"/admin/pupils/import/{pending.id}/confirm",
                      data={"csrftoken": token(client)})

    page = await client.get("/admin/pupils/roll-forward")
    assert page.status_code == 200
    assert "Roll forward from 2026/27 to 2027/28" in page.text
    assert "1 pupil moves up one year group" in page.text
    assert "1 pupil leaves the school" in page.text
    assert 'name="expectedAcademicYear" value="2026"' in page.text

    form = {"csrftoken": token(client), "expectedAcademicYear": "2026"}
    done = await client.post("/admin/pupils/roll-forward", data=form)
    assert done.status_code == 303 and "rolled=2027" in done.headers["location"]
    overview = await client.get(done.headers["location"])
    assert "The school is now in 2027/28" in overview.text
    twice = await client.post("/admin/pupils/roll-forward", data=form)
    assert twice.status_code == 400
    assert "already in 2027/28" in twice.text and "There is a problem" in twice.text
    await school.refresh_from_db()
    assert school.current_academic_year == 2027
    assert dict(await Pupil.filter(school=school).values_list("upn", "year_group")) == {
        upn(1): 11, upn(2): 11}
    assert await Pupil.filter(school=school, left_at__isnull=True).count() == 1


async def test_a_data_manager_cannot_roll_forward(client):
    school = await make_school()
    await sign_in(client, await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL))
    answer = await client.post(
        "/graphql", headers=csrf_headers(client),
        json={"query": "mutation { rollForwardSchool(input: {expectedAcademicYear: 2026}) "
                       "{ errors { code } } }"})
    assert answer.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await Organisation.get(id=school.id)).current_academic_year == 2026


async def test_value_added_upload_and_table(client):
    school = await make_school()
    await sign_in(client, await make_administrator(school))
    data = (b"Academic year,Key stage,Subject code or name,Value added,Pupils\n"
            b"2024/25,KS4,maths,0.4,150\n2025/26,KS4,Mathematics,0.6,160\n")
    page = await upload(client, "/admin/pupils/value-added", data, "va.csv")
    assert page.status_code == 200, page.text
    assert "Value added imported: 2 years added" in page.text
    assert "+0.60" in page.text and "2025/26" in page.text
    bad = await upload(client, "/admin/pupils/value-added",
                       b"Academic year,Key stage,Subject,Value added,Pupils\n2025,KS9,maths,x,1\n",
                       "va.csv")
    assert bad.status_code == 400
    assert "Key stage must be KS2, KS4 or KS5" in bad.text and 'href="#value-added-file"' in bad.text
