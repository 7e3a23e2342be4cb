"""Setting a target in Chromium: the row swaps in place (htmx), under the CSP, accessibly."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.helpers import ROOT, assert_front_end_loaded, axe_check, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def seeded(server) -> dict:
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(Path(__file__).with_name("seed_targets.py"))], cwd=ROOT,
        env=server.env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def test_setting_a_target_swaps_the_row(page, seeded):
    await sign_in(page, seeded["user"])
    await page.goto("/targets?yearGroup=10&subject=maths")
    await assert_front_end_loaded(page)
    await axe_check(page)
    pupil = seeded["pupil"]
    key = f"{pupil['upn']}-maths"
    row = page.locator(f"#row-{key}")
    await row.get_by_label(f"Target for {pupil['name']} in Mathematics").select_option("7")
    await row.get_by_label("Reason (optional)").fill("Keen")
    async with page.expect_response(lambda r: r.url.endswith("/targets/set")) as info:
        await row.get_by_role("button", name=f"Save target for {pupil['name']} in Mathematics").click()
    assert (await info.value).status == 200
    await expect(row.locator(".govuk-tag")).to_have_text("Saved")
    await expect(row).to_contain_text("History (1)")
    await expect(page.locator("#status-messages")).to_contain_text(
        f"Target saved for {pupil['name']} in Mathematics")
    # The page did not reload: still the same document, and the row's select keeps 7.
    await expect(row.get_by_label(f"Target for {pupil['name']} in Mathematics")).to_have_value("7")
    await axe_check(page)


async def test_governor_sees_the_summary_without_names(page, seeded):
    await sign_in(page, seeded["governor"])
    await page.goto("/targets/summary?yearGroup=10")
    await assert_front_end_loaded(page)
    await axe_check(page)
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Subject summary")
    text = await page.locator("main").inner_text()
    assert not any(surname in text for surname in seeded["surnames"])
    await page.get_by_label("Year group").select_option("11")
    await page.get_by_role("button", name="Show").click()
    await expect(page).to_have_url(re.compile(r"yearGroup=11"))
    await expect(page.locator("#target-summary")).to_contain_text("Year 11")


async def test_la_officer_pages_are_accessible(page, seeded):
    await sign_in(page, seeded["officer"])
    await page.get_by_role("link", name="Schools' targets").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your schools' targets")
    await assert_front_end_loaded(page)
    await axe_check(page)
    await page.get_by_role("link", name="Compare targets with benchmarks").click()
    await expect(page.locator("#outside-dashboard")).to_contain_text("Target Test School")
    await axe_check(page)
    await page.goto(f"/outside/pupils?school={seeded['urn']}&yearGroup=10&subject=maths")
    await expect(page.locator("main")).to_contain_text(seeded["surnames"][0])
    await assert_front_end_loaded(page)
    await axe_check(page)
