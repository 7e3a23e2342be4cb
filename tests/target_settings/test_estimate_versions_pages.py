"""Target Setting > National estimates without JavaScript: preview, apply, roll back."""

from server.models import SchoolEstimatesVersion, Target
from server.services.estimates import versions
from tests.target_settings.test_estimate_versions import new_parameters, school_with_targets
from tests.target_settings.test_pages import signed_in_admin, token

PATH = "/admin/target-setting/estimates"


async def test_preview_apply_and_roll_back_with_forms(client):
    school, _, _ = await school_with_targets(4)
    await signed_in_admin(client, school)
    shipped = versions.shipped_version("KS4")
    loaded = await versions.load_version(new_parameters({"maths": 2.0}), "2027 national data", "op")

    page = await client.get(PATH)
    assert page.status_code == 200
    assert f"{versions.SHIPPED_LABEL} ({shipped})" in page.text
    assert "Nothing to roll back" in page.text
    assert f'href="{PATH}?keyStage=KS4&amp;preview={loaded.version}#impact"' in page.text
    assert f'href="{PATH}">National estimates</a>' in (await client.get("/admin")).text

    preview = await client.get(f"{PATH}?keyStage=KS4&preview={loaded.version}")
    assert preview.status_code == 200
    assert f"Impact of applying 2027 national data ({loaded.version})" in preview.text
    assert "Mathematics" in preview.text and "+" in preview.text
    assert f"Apply 2027 national data ({loaded.version})</button>" in preview.text
    assert await SchoolEstimatesVersion.all().count() == 0

    missing_csrf = await client.post(PATH, data={"keyStage": "KS4", "action": "apply",
                                                 "version": loaded.version})
    assert missing_csrf.status_code == 403
    applied = await client.post(PATH, data={"csrftoken": token(client), "keyStage": "KS4",
                                            "action": "apply", "version": loaded.version})
    assert applied.status_code == 303
    done = await client.get(applied.headers["location"])
    assert f"Applied 2027 national data ({loaded.version}) for KS4: 80 pre-populated" in done.text
    assert {t.model_version for t in await Target.all()} == {loaded.version}
    benchmarks = await client.get("/admin/target-setting/benchmarks?keyStage=KS4&yearGroup=10")
    assert f"National estimates: 2027 national data ({loaded.version})" in benchmarks.text

    again = await client.post(PATH, data={"csrftoken": token(client), "keyStage": "KS4",
                                          "action": "apply", "version": loaded.version})
    assert again.status_code == 400
    assert "There is a problem" in again.text and "already" in again.text
    assert again.text.count("<title>Error: ") == 1

    confirm = await client.get(f"{PATH}?keyStage=KS4&confirm=rollback")
    assert f"Yes, roll back to {versions.SHIPPED_LABEL} ({shipped})" in confirm.text
    back = await client.post(PATH, data={"csrftoken": token(client), "keyStage": "KS4",
                                         "action": "rollback"})
    assert back.status_code == 303
    done = await client.get(back.headers["location"])
    assert f"Rolled back to {versions.SHIPPED_LABEL} ({shipped}) for KS4" in done.text
    assert {t.model_version for t in await Target.all()} == {shipped}


async def test_unknown_preview_is_a_clear_message(client):
    await signed_in_admin(client)
    page = await client.get(f"{PATH}?keyStage=KS4&preview=nope")
    assert page.status_code == 400 and "There is a problem" in page.text
    assert "No KS4 national estimates version" in page.text


async def test_target_pages_say_which_version(client):
    from server.models.enums import PupilAccess, Role
    from server.services.accounts.audit import Actor
    from server.services.targets import estimate_versions
    from tests.factories import make_user, sign_in

    school, admin, _ = await school_with_targets(3)
    user = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    await sign_in(client, user)
    shipped = versions.shipped_version("KS4")
    for path in ("/targets?yearGroup=10&subject=maths", "/targets/summary?yearGroup=10"):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert f"National estimates: {versions.SHIPPED_LABEL} ({shipped})" in page.text, path
    loaded = await versions.load_version(new_parameters({"maths": 1.0}), "2027 data", "op")
    await estimate_versions.apply_version(school.id, "KS4", loaded.version, Actor(admin))
    for path in ("/targets?yearGroup=10&subject=maths", "/targets/summary?yearGroup=10"):
        page = await client.get(path)
        assert f"National estimates: 2027 data ({loaded.version})" in page.text, path


async def test_la_dashboard_says_each_schools_version(client):
    from server.models.enums import PupilAccess, Role
    from server.services.accounts.audit import Actor
    from server.services.targets import estimate_versions
    from tests.factories import make_administrator, make_school, make_user, sign_in
    from tests.target_settings.helpers import make_pupils
    from tests.targets.world import share

    first = await make_school(name="First School")
    second = await make_school(la=await first.local_authority, name="Second School")
    for school in (first, second):
        await make_pupils(school, 10, 6)
        await share(school, 10, aggregate_la=True, pupil_la=True)
    loaded = await versions.load_version(new_parameters({"maths": 1.0}), "2027 data", "op")
    await estimate_versions.apply_version(second.id, "KS4", loaded.version,
                                          Actor(await make_administrator(second)))
    officer = await make_user(await first.local_authority, Role.OFFICER, PupilAccess.FULL)
    await sign_in(client, officer)
    page = await client.get("/outside/dashboard?yearGroup=10&subject=maths")
    assert page.status_code == 200
    shipped = f"National estimates: {versions.SHIPPED_LABEL} ({versions.shipped_version('KS4')})"
    rows = page.text.split('<th scope="row"')[1:]
    assert shipped in next(r for r in rows if "First School" in r)
    assert f"National estimates: 2027 data ({loaded.version})" in next(
        r for r in rows if "Second School" in r)
    page = await client.get(f"/outside/pupils?school={second.urn}&yearGroup=10&subject=maths")
    assert f"National estimates: 2027 data ({loaded.version})" in page.text
