"""Custom challenge levels in Chromium: chosen on Manage benchmarks with JavaScript on and off,
pre-populated targets follow them (the main site shows targets at the level's grades), axe on
every page visited."""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import browser, page, server, server_database_url  # noqa: F401
from tests.browser.helpers import assert_front_end_loaded, axe_check, school_with_pupils, sign_in

pytestmark = pytest.mark.browser

BENCHMARKS = "/admin/target-setting/benchmarks?keyStage=KS4&yearGroup=11"


@pytest.fixture(scope="module")
def school(server):  # noqa: F811
    return school_with_pupils(server)


async def _prepopulate(page, written: str | None = "200 targets pre-populated",  # noqa: F811
                       axe: bool = True) -> None:
    await page.goto("/admin/target-setting/targets?keyStage=KS4&yearGroup=11")
    if axe:  # with JavaScript on only (the plain page is checked in a JavaScript page)
        await asyncio.wait_for(axe_check(page), 30)
    await page.get_by_role("group", name=re.compile("target-setting facility")).get_by_label(
        "Yes").check()
    await page.get_by_label("Yes, with the FFT benchmark grade", exact=True).check()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("alert")).to_contain_text(written or "Target settings saved")


async def test_custom_level_with_javascript_and_targets_follow_it(page, school):  # noqa: F811
    page.set_default_timeout(10_000)
    page.context.set_default_timeout(10_000)
    await sign_in(page, school["administrator"], "admin")
    await _prepopulate(page)
    await page.goto(BENCHMARKS)
    await assert_front_end_loaded(page)
    await asyncio.wait_for(axe_check(page), 30)
    maths = page.locator("#row-maths")
    await maths.get_by_label("Custom", exact=True).check()
    await maths.get_by_text("Custom level", exact=False).first.click()  # the details' summary
    custom = maths.locator("#custom-maths")
    await custom.get_by_label("Custom level is").select_option("PERCENTILE")
    await custom.get_by_label("Percentile (1 to 99)").fill("120")
    await page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Enter a whole-number percentile from 1 to 99 for "
                                          "Mathematics")
    await asyncio.wait_for(axe_check(page), 30)
    await summary.get_by_role("link", name=re.compile("whole-number percentile")).click()
    await expect(page.locator("#custom-percentile-maths")).to_be_focused()
    await page.locator("#custom-percentile-maths").fill("1")
    await page.get_by_role("button", name="Save").click()
    # Every untouched maths target follows the new level (the benchmark changed).
    await expect(page.get_by_role("alert")).to_contain_text(
        "10 targets pre-populated or brought up to date")
    await expect(page.locator("#custom-maths summary")).to_contain_text("1st percentile")
    await expect(page.locator("#benchmark-maths-CUSTOM")).to_be_checked()
    await asyncio.wait_for(axe_check(page), 30)

    # The main site: estimates at the school's level (1st percentile), targets at its grades.
    await page.goto("/admin")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(re.compile(r"signed_out=1"))
    await expect(page.get_by_label("Login name")).to_be_visible()
    await sign_in(page, school["user"])
    await page.goto("/targets?yearGroup=11&subject=maths")
    await asyncio.wait_for(axe_check(page), 30)
    rows = page.locator("#pupil-targets > tbody > tr")
    await expect(rows).to_have_count(10)
    for i in range(10):
        estimate = await rows.nth(i).locator(":scope > td").nth(0).inner_text()
        grade = re.search(r"grade (\S+)", estimate).group(1)
        target = await rows.nth(i).locator("select[name=grade]").input_value()
        assert target == (grade if grade != "U" else "1"), (estimate, target)
    await page.goto("/targets/summary?yearGroup=11")
    await asyncio.wait_for(axe_check(page), 30)
    await expect(page.locator("#target-summary")).to_contain_text(
        "Your benchmark: Custom, 1st percentile")


async def test_custom_level_without_javascript(page, browser, server, school):  # noqa: F811
    """No JavaScript: the details element opens natively and the form posts and redirects.

    axe runs in a JavaScript page (page.evaluate cannot run with JavaScript off): the same
    server-rendered pages, opened again in `page` after the plain one saved.
    """
    context = await browser.new_context(base_url=server.base_url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        plain = await context.new_page()
        await sign_in(plain, school["administrator"], "admin")
        await _prepopulate(plain, None, axe=False)  # already pre-populated when the test above ran
        await plain.goto(BENCHMARKS)
        row = plain.locator("#row-eng-lang")
        await row.get_by_label("Custom", exact=True).check()
        await row.locator("#custom-eng-lang summary").click()  # a native details element
        custom = row.locator("#custom-eng-lang")
        await custom.get_by_label("Custom level is").select_option("OFFSET")
        await custom.get_by_label("Benchmark", exact=True).select_option("HIGH")
        await custom.get_by_label("Fine grades above or below the benchmark").fill("4")
        await plain.get_by_role("button", name="Save").click()
        await expect(plain.locator(".govuk-error-summary")).to_contain_text(
            "as a number from -3.0 to 3.0")
        await expect(plain.locator("#custom-eng-lang")).to_have_attribute("open", "")
        await custom.get_by_label("Custom level is").select_option("MIDPOINT")
        await custom.get_by_label("Second benchmark").select_option("VERY_HIGH")
        await plain.get_by_role("button", name="Save").click()
        await expect(plain).to_have_url(re.compile(r"saved=1"))
        await expect(plain.get_by_role("alert")).to_contain_text("Benchmarks saved")
        await expect(plain.locator("#custom-eng-lang summary")).to_contain_text(
            "Midway between High (20) and Very High (5)")
        await expect(plain.locator("#benchmark-eng-lang-CUSTOM")).to_be_checked()
        await axe_later(page, school, plain.url)
    finally:
        await context.close()


async def axe_later(page, school, url: str) -> None:  # noqa: F811
    page.set_default_timeout(10_000)
    await sign_in(page, school["administrator"], "admin")
    await page.goto(url)
    await expect(page.locator("#custom-eng-lang summary")).to_contain_text("Midway between")
    await asyncio.wait_for(axe_check(page), 30)
