"""The Target Setting administration pages: full pages, fragments, no-JS forms, menus."""

import re

from server.models import SubjectSettings, Target, YearGroupSettings
from server.models.enums import BenchmarkLevel, Editing, GradeFormat, KeyStage, Prepopulate
from tests.factories import csrf_headers, make_administrator, make_school, make_user, sign_in
from tests.target_settings.helpers import make_pupils

BASE = "/admin/target-setting"


async def signed_in_admin(client, school=None):
    school = school or await make_school()
    admin = await make_administrator(school)
    await sign_in(client, admin)
    return school, admin


def token(client):
    return client.cookies.get("csrftoken")


def settings_form(client, **values):
    return {"csrftoken": token(client), "keyStage": "KS4", "yearGroup": "10", "allYears": "no",
            "useTargetSetting": "yes", "prepopulate": "BENCHMARK", "editing": "YES",
            "shareTargets": "no", **values}


async def test_targets_page_saves_without_javascript(client):
    school, _ = await signed_in_admin(client)
    await make_pupils(school, 10, 2)
    page = await client.get(f"{BASE}/targets?keyStage=KS4&yearGroup=10")
    assert page.status_code == 200
    assert 'aria-current="page">Targets</a>' in page.text
    assert 'aria-current="true">Year 10</a>' in page.text
    assert "Delete targets</a>" not in page.text  # no targets yet
    assert "Have you set up appropriate subject benchmarks" in page.text
    assert "Yes, with the FFT benchmark grade + 1" in page.text
    assert "Aggregate targets with my academy chain" not in page.text  # no chain
    assert 'name="csrftoken"' in page.text and " style=" not in page.text
    saved = await client.post(f"{BASE}/targets", data=settings_form(client, editing="UPWARDS"))
    assert saved.status_code == 303
    done = await client.get(saved.headers["location"])
    assert "Target settings saved for KS4 Year 10." in done.text
    assert "40 targets pre-populated" in done.text
    assert "Delete targets</a>" in done.text  # targets exist now: sub-navigation and menu
    row = await YearGroupSettings.get(school=school, year_group=10)
    assert row.editing == Editing.UPWARDS and row.prepopulate == Prepopulate.BENCHMARK
    home = await client.get("/admin")
    assert f'href="{BASE}/delete"' in home.text


async def test_ks2_offers_no_plus_one_and_refuses_it_clearly(client):
    await signed_in_admin(client)
    page = await client.get(f"{BASE}/targets?keyStage=KS2&yearGroup=6")
    assert "benchmark grade + 1</label>" not in page.text
    r = await client.post(f"{BASE}/targets", data=settings_form(
        client, keyStage="KS2", yearGroup="6", prepopulate="BENCHMARK_PLUS_ONE"))
    assert r.status_code == 400
    assert "<title>Error: Manage targets" in r.text
    assert 'href="#prepopulate"' in r.text
    assert "can only be used at KS4 and KS5" in r.text
    assert await YearGroupSettings.all().count() == 0


async def test_missing_answer_and_htmx_fragment(client):
    await signed_in_admin(client)
    form = settings_form(client)
    del form["editing"]
    r = await client.post(f"{BASE}/targets", data=form,
                          headers={"hx-request": "true", **csrf_headers(client)})
    assert r.status_code == 200 and "<html" not in r.text
    assert '<div id="target-settings-form">' in r.text
    assert 'id="target-setting-nav" hx-swap-oob="true"' in r.text  # sub-navigation kept current
    assert "Select whether users may edit targets" in r.text


async def test_invalid_selection_redirects_to_a_valid_one(client):
    await signed_in_admin(client)
    r = await client.get(f"{BASE}/subjects?keyStage=KS2&yearGroup=11")
    assert r.status_code == 303 and r.headers["location"].endswith("keyStage=KS2&yearGroup=3")
    r = await client.get(f"{BASE}/benchmarks?keyStage=XX&yearGroup=zz")
    assert r.status_code == 303 and "keyStage=KS4" in r.headers["location"]


async def test_benchmarks_page_suggested_average_and_save(client):
    school, _ = await signed_in_admin(client)
    await make_pupils(school, 11, 3)
    page = await client.get(f"{BASE}/benchmarks?keyStage=KS4&yearGroup=11")
    assert page.status_code == 200
    assert page.text.count('Suggested<span class="govuk-visually-hidden">, not saved</span></strong>') == 20
    assert "No benchmark has been saved for Year 11 yet" in page.text
    # One compact row per subject, each choice a fieldset with its own legend.
    assert page.text.count('class="govuk-table__row app-benchmarks__row') == 20
    assert '<span class="govuk-visually-hidden">Benchmark for Mathematics (suggested: Average (50)' in page.text
    assert 'id="benchmark-maths"' in page.text and 'id="benchmark-maths-HIGH"' in page.text
    assert 'id="format-maths-A_STAR_TO_G"' in page.text
    assert "Your school: </span>No results in the last 3 years" in page.text
    average = await client.get(
        f"{BASE}/benchmarks/average?subject=maths&keyStage=KS4&yearGroup=11"
        "&benchmark-maths=VERY_HIGH&format-maths=A_STAR_TO_G",
        headers={"hx-request": "true"},
    )
    assert average.status_code == 200 and 'id="average-maths"' in average.text
    # A*-G: a fine letter (B-, B, B+) and the points behind it (issue 19).
    assert re.search(r'average grade: </span><strong class="app-benchmark__grade">[A-G]\*?[+-]?</strong> '
                     r'<span class="app-secondary">\d\.\d points</span>', average.text)
    form = {"csrftoken": token(client), "keyStage": "KS4", "yearGroup": "11"}
    for code in re.findall(r'name="benchmark-([a-z-]+)" type="radio" value="AVERAGE"', page.text):
        form[f"benchmark-{code}"] = "AVERAGE"
        form[f"format-{code}"] = "NINE_TO_ONE"
    form["benchmark-maths"], form["format-maths"] = "VERY_HIGH", "A_STAR_TO_G"
    saved = await client.post(f"{BASE}/benchmarks", data=form)
    assert saved.status_code == 303
    done = await client.get(saved.headers["location"])
    assert "Benchmarks saved for KS4 Year 11." in done.text and "Suggested<span" not in done.text
    assert 'id="benchmarks-suggested"' not in done.text
    maths = await SubjectSettings.get(school=school, subject__code="maths",
                                      subject__key_stage=KeyStage.KS4)
    assert maths.benchmark == BenchmarkLevel.VERY_HIGH
    assert maths.grade_format == GradeFormat.A_STAR_TO_G


async def test_subjects_buttons_work_without_javascript_and_save(client):
    school, _ = await signed_in_admin(client)
    base = {"csrftoken": token(client), "keyStage": "KS5", "yearGroup": "12"}
    page = await client.get(f"{BASE}/subjects?keyStage=KS5&yearGroup=12")
    assert page.text.count('type="checkbox"') == 16
    none = await client.post(f"{BASE}/subjects", data={**base, "action": "none"})
    assert none.status_code == 200 and " checked" not in none.text and "Not saved yet" in none.text
    defaults = await client.post(f"{BASE}/subjects", data={**base, "action": "defaults"})
    assert defaults.text.count(" checked") == 14  # French and Further Mathematics are not
    saved = await client.post(f"{BASE}/subjects",
                              data={**base, "action": "save", "subjects": ["maths", "physics"]})
    assert saved.status_code == 303
    rows = await SubjectSettings.filter(school=school, included=True).values_list(
        "subject__code", flat=True)
    assert sorted(rows) == ["maths", "physics"]


async def test_delete_confirm_restore_through_pages(client):
    school, _ = await signed_in_admin(client)
    await make_pupils(school, 10, 2)
    await client.post(f"{BASE}/targets", data=settings_form(client))
    page = await client.get(f"{BASE}/delete?keyStage=KS4&yearGroup=10")
    assert "40 targets set (40 prepopulated)" in page.text
    assert "Mathematics: 2 targets set (2 prepopulated)" in page.text
    base = {"csrftoken": token(client), "keyStage": "KS4", "yearGroup": "10"}
    missing = await client.post(f"{BASE}/delete", data={**base, "scope": "subject"})
    assert missing.status_code == 400 and "Select the subject to delete targets for" in missing.text
    review = await client.post(f"{BASE}/delete",
                               data={**base, "scope": "subject", "subject": "maths",
                                     "action": "review"})
    assert review.status_code == 200 and "Are you sure" in review.text
    assert "pre-populated again" in review.text
    assert await Target.filter(deleted_at__isnull=True).count() == 40  # nothing yet
    done = await client.post(f"{BASE}/delete", data={**base, "scope": "subject",
                                                      "subject": "maths", "action": "confirm"})
    assert done.status_code == 303
    page = await client.get(done.headers["location"])
    assert "2 targets deleted." in page.text and "38 targets set" in page.text
    deletion_id = re.search(rf"{BASE}/delete/(\d+)/restore", page.text).group(1)
    restored = await client.post(f"{BASE}/delete/{deletion_id}/restore", data=base)
    assert restored.status_code == 303
    page = await client.get(restored.headers["location"])
    assert "2 targets restored." in page.text and "40 targets set" in page.text
    again = await client.post(f"{BASE}/delete/{deletion_id}/restore", data=base)
    assert again.status_code == 400 and "already been restored" in again.text


async def test_users_and_other_organisations_cannot_use_the_pages(client):
    school = await make_school()
    user = await make_user(school)
    await sign_in(client, user)
    r = await client.get(f"{BASE}/targets")
    assert r.status_code == 303 and "/admin/sign-in" in r.headers["location"]


async def test_names_are_escaped(client):
    school, admin = await signed_in_admin(client)
    await school.__class__.filter(id=school.id).update(name="<img src=x onerror=alert(1)>")
    page = await client.get(f"{BASE}/subjects")
    assert "<img src=x" not in page.text and "&lt;img src=x" in page.text


async def test_your_school_indicator_and_chain_option(client):
    from server.services.estimates.parameters import load_parameters
    from tests.factories import make_chain
    from tests.target_settings.helpers import subjects, value_added

    school, _ = await signed_in_admin(client, await make_school(chain=await make_chain()))
    subs = await subjects()
    su = load_parameters("KS4")["maths"].su
    await value_added(school, subs["maths"], {2023: su, 2024: su, 2025: su})
    page = await client.get(f"{BASE}/benchmarks?keyStage=KS4&yearGroup=10")
    assert "Your school: </span>16th percentile" in page.text
    assert "suggested from your school's progress: Very High (5)" in page.text
    assert 'points="84,8 81,1 87,1"' in page.text  # the marker at the 16th percentile
    targets = await client.get(f"{BASE}/targets?keyStage=KS4&yearGroup=10")
    assert "Aggregate targets with my academy chain" in targets.text
