"""Manage benchmarks' Custom choice without JavaScript (and its htmx fragments)."""

import re

from server.models import SubjectSettings, Target
from server.models.enums import BenchmarkLevel, KeyStage
from tests.factories import make_administrator, make_school, sign_in
from tests.target_settings.helpers import make_pupils

BASE = "/admin/target-setting"


async def _page(client):
    school = await make_school()
    await sign_in(client, await make_administrator(school))
    await make_pupils(school, 11, 4)
    page = await client.get(f"{BASE}/benchmarks?keyStage=KS4&yearGroup=11")
    form = {"csrftoken": client.cookies.get("csrftoken"), "keyStage": "KS4", "yearGroup": "11"}
    for code in re.findall(r'name="benchmark-([a-z-]+)" type="radio" value="AVERAGE"', page.text):
        form[f"benchmark-{code}"] = "AVERAGE"
        form[f"format-{code}"] = "NINE_TO_ONE"
    return school, page, form


async def test_custom_level_is_chosen_and_saved_without_javascript(client):
    school, page, form = await _page(client)
    assert 'id="benchmark-maths-CUSTOM"' in page.text
    assert '<details class="govuk-details app-benchmarks__custom" id="custom-maths">' in page.text
    assert 'id="custom-percentile-maths"' in page.text
    form.update({"benchmark-maths": "CUSTOM", "custom-kind-maths": "MIDPOINT",
                 "custom-benchmark-maths": "AVERAGE", "custom-other-maths": "VERY_HIGH"})
    saved = await client.post(f"{BASE}/benchmarks", data=form)
    assert saved.status_code == 303, saved.text
    done = await client.get(saved.headers["location"])
    assert "Benchmarks saved for KS4 Year 11." in done.text
    assert "Custom level<span class=\"govuk-visually-hidden\"> for Mathematics</span>: Midway " \
        "between Average (50) and Very High (5)" in done.text
    assert '<details class="govuk-details app-benchmarks__custom" id="custom-maths" open>' \
        in done.text
    assert re.search(r'id="benchmark-maths-CUSTOM" name="benchmark-maths" type="radio" '
                     r'value="CUSTOM" checked', done.text)
    row = await SubjectSettings.get(school=school, subject__code="maths",
                                    subject__key_stage=KeyStage.KS4)
    assert (row.benchmark, row.custom_level) == (BenchmarkLevel.CUSTOM, "M50/5")
    # The average at the saved level shows; a changed, unsaved level says it shows once saved.
    same = await client.get(
        f"{BASE}/benchmarks/average?subject=maths&keyStage=KS4&yearGroup=11&benchmark-maths=CUSTOM"
        "&custom-kind-maths=MIDPOINT&custom-benchmark-maths=AVERAGE&custom-other-maths=VERY_HIGH",
        headers={"hx-request": "true"})
    assert '<strong class="app-benchmark__grade">' in same.text
    other = await client.get(
        f"{BASE}/benchmarks/average?subject=maths&keyStage=KS4&yearGroup=11&benchmark-maths=CUSTOM"
        "&custom-kind-maths=PERCENTILE&custom-percentile-maths=30",
        headers={"hx-request": "true"})
    assert "shown once the custom level is saved" in other.text


async def test_a_wrong_custom_level_is_shown_on_the_page_and_changes_nothing(client):
    school, _, form = await _page(client)
    form.update({"benchmark-maths": "CUSTOM", "custom-kind-maths": "OFFSET",
                 "custom-benchmark-maths": "HIGH", "custom-fine-grades-maths": "7"})
    refused = await client.post(f"{BASE}/benchmarks", data=form)
    assert refused.status_code == 400
    assert '<a href="#custom-fine-grades-maths">Enter the fine grades above or below the ' \
        'benchmark for Mathematics' in refused.text
    assert 'id="custom-fine-grades-maths-error"' in refused.text
    assert 'value="7"' in refused.text  # what was typed stays
    assert await SubjectSettings.filter(school=school).count() == 0
    form["custom-kind-maths"] = ""
    missing = await client.post(f"{BASE}/benchmarks", data=form,
                                headers={"hx-request": "true"})
    assert '<a href="#custom-kind-maths">Choose what the custom level for Mathematics is' \
        in missing.text
    form.update({"custom-kind-maths": "PERCENTILE", "custom-percentile-maths": "forty"})
    words = await client.post(f"{BASE}/benchmarks", data=form)
    assert '<a href="#custom-percentile-maths">Enter a whole-number percentile from 1 to 99' \
        in words.text
    assert await SubjectSettings.filter(school=school).count() == 0
    assert await Target.filter(school=school).count() == 0


async def test_main_site_pages_show_the_custom_level(client):
    from server.models.enums import PupilAccess, Role
    from server.services.accounts.audit import Actor
    from server.services.targets.benchmarks import BenchmarkChoice, save_benchmarks
    from server.services.targets.custom_levels import CustomLevelInput
    from tests.factories import make_user

    school = await make_school()
    admin = await make_administrator(school)
    await make_pupils(school, 10, 6)
    await save_benchmarks(school.id, "KS4", 10, [BenchmarkChoice(
        "maths", BenchmarkLevel.CUSTOM, custom=CustomLevelInput("percentile", percentile=30))],
        Actor(admin))
    await sign_in(client, await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL))
    summary = await client.get("/targets/summary?yearGroup=10")
    assert summary.status_code == 200
    assert "Your benchmark: Custom, 30th percentile" in summary.text
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Custom ' \
        'level</th>' in summary.text
    rows = await client.get("/targets?yearGroup=10&subject=maths&benchmark=CUSTOM")
    assert rows.status_code == 200
    assert "Estimate (Custom level)" in rows.text
    assert '<option value="CUSTOM" selected>Custom level</option>' in rows.text
