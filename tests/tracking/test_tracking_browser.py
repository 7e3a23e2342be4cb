"""Tracking in Chromium: an administrator adds an assessment point, a teacher enters
working-at grades (JavaScript on and off) and sees on track / above / below and the counts;
axe on every page visited."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import browser, page, server, server_database_url  # noqa: F401
from tests.browser.helpers import assert_front_end_loaded, axe_check_within, school_with_pupils, sign_in

pytestmark = pytest.mark.browser

TRACKING = "/tracking?yearGroup=11&subject=maths"


@pytest.fixture(scope="module")
def school(server):  # noqa: F811
    return school_with_pupils(server)


async def test_point_added_then_grades_entered_with_javascript(page, school):  # noqa: F811
    page.set_default_timeout(10_000)
    await sign_in(page, school["administrator"], "admin")
    await page.goto("/admin/target-setting/targets?keyStage=KS4&yearGroup=11")
    await page.get_by_role("group", name=re.compile("target-setting facility")).get_by_label(
        "Yes").check()
    await page.get_by_label("Yes, with the FFT benchmark grade", exact=True).check()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("alert")).to_contain_text("200 targets pre-populated")
    await page.goto("/admin/target-setting/assessment-points?yearGroup=11")
    await assert_front_end_loaded(page)
    await axe_check_within(page)
    await page.get_by_label("Name").fill("Autumn")
    await page.get_by_label("Date").fill("2026-11-02")
    await page.get_by_role("button", name="Add assessment point").click()
    await expect(page.locator("#points")).to_contain_text("Assessment point Autumn added")
    await axe_check_within(page)
    await page.goto("/admin")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(re.compile(r"signed_out=1"))
    await expect(page.get_by_label("Login name")).to_be_visible()

    await sign_in(page, school["user"])
    await page.get_by_role("link", name="Tracking").first.click()
    await page.get_by_label("Year group").select_option("11")
    await page.get_by_label("Subject").select_option("maths")
    await page.get_by_role("button", name="Show").click()
    await expect(page.locator("#latest-point")).to_contain_text("Autumn (2026-11-02)")
    await axe_check_within(page)
    rows = page.locator("#tracking-pupils > tbody > tr")
    await expect(rows).to_have_count(10)
    first, second = rows.nth(0), rows.nth(1)
    await first.get_by_label(re.compile("^Working at")).fill("9")
    await first.get_by_role("button", name=re.compile("^Save")).click()
    await expect(page.get_by_role("region", name="Success")).to_contain_text("saved")
    await expect(rows.nth(0).locator("td").last).to_have_text("Above")
    await rows.nth(1).get_by_label(re.compile("^Working at")).fill("1")
    await rows.nth(1).get_by_role("button", name=re.compile("^Save")).click()
    await expect(rows.nth(1).locator("td").last).to_have_text("Below")
    await expect(page.locator("#counts-maths td")).to_have_text(["0", "1", "1"])
    await axe_check_within(page)
    # A grade that is not one: the error is on the row and nothing changes.
    await rows.nth(2).get_by_label(re.compile("^Working at")).fill("Z")
    await rows.nth(2).get_by_role("button", name=re.compile("^Save")).click()
    await expect(page.locator(".govuk-error-summary")).to_be_visible()
    await expect(page.locator("#counts-maths td")).to_have_text(["0", "1", "1"])
    await axe_check_within(page)
    assert second  # the rows were found again after each full page load


async def test_grades_entered_without_javascript(page, browser, server, school):  # noqa: F811
    context = await browser.new_context(base_url=server.base_url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        plain = await context.new_page()
        await sign_in(plain, school["user"])
        await plain.goto(TRACKING)
        rows = plain.locator("#tracking-pupils > tbody > tr")
        await expect(rows).to_have_count(10)
        row = rows.nth(3)
        upn = (await row.locator("th .govuk-body-s").inner_text()).strip()
        status = await row.locator("td").last.inner_text()
        await row.get_by_label(re.compile("^Working at")).fill("9")
        await row.get_by_role("button", name=re.compile("^Save")).click()
        await expect(plain).to_have_url(re.compile(rf"saved={upn}"))
        await expect(plain.locator(f"#status-{upn}")).to_have_text("Above")
        assert status.strip() in ("Not entered", "Above")
        url = plain.url
    finally:
        await context.close()
    # axe needs JavaScript (page.evaluate): the same server-rendered page in a JS page.
    page.set_default_timeout(10_000)
    await sign_in(page, school["user"])
    await page.goto(url)
    await expect(page.locator("#tracking-counts")).to_be_visible()
    await axe_check_within(page)
