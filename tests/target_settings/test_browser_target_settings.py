"""Target Setting pages in Chromium: keyboard use, the live cohort average, axe, CSP."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import browser, page, server, server_database_url  # noqa: F401
from tests.browser.helpers import assert_front_end_loaded, axe_check, school_with_pupils, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def school(server):  # noqa: F811
    return school_with_pupils(server)


async def test_benchmarks_update_the_average_and_save_by_keyboard(page, school):  # noqa: F811
    await sign_in(page, school["administrator"], "admin")
    await page.goto("/admin/target-setting/benchmarks?keyStage=KS4&yearGroup=11")
    await assert_front_end_loaded(page)
    await axe_check(page)
    nav = page.get_by_role("navigation", name="Target Setting")
    await expect(nav.get_by_role("link", name="Benchmarks")).to_have_attribute(
        "aria-current", "page"
    )
    await expect(nav.get_by_role("link", name="Delete targets")).to_have_count(0)
    maths = page.locator("#row-maths")  # one row per subject
    average = page.locator("#average-maths")
    before = await average.text_content()
    # Keyboard: focus Very High and choose it with the space bar.
    await maths.get_by_label("Very High (5)").focus()
    async with page.expect_response(re.compile(r"/benchmarks/average\?")):
        await page.keyboard.press("Space")
    await expect(average).not_to_have_text(before)
    await maths.get_by_label("A*-G").check()
    # A*-G: a fine letter (B-, B, B+) with the mean points (issue 19).
    await expect(average).to_have_text(
        re.compile(r"Mathematics, average grade: [A-G]\*?[+-]? \d\.\d points$"))
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("alert")).to_contain_text("Benchmarks saved for KS4 Year 11.")
    await expect(maths.get_by_label("Very High (5)")).to_be_checked()
    await axe_check(page)


async def test_targets_then_delete_and_restore(page, school):  # noqa: F811
    await sign_in(page, school["administrator"], "admin")
    await page.goto("/admin/target-setting/targets?keyStage=KS4&yearGroup=11")
    await assert_front_end_loaded(page)
    await axe_check(page)
    await page.get_by_role("group", name=re.compile("target-setting facility")).get_by_label(
        "Yes"
    ).check()
    await page.get_by_label("Yes, with the FFT benchmark grade", exact=True).check()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("alert")).to_contain_text("200 targets pre-populated")
    await page.get_by_role("navigation", name="Target Setting").get_by_role(
        "link", name="Delete targets"
    ).click()
    await axe_check(page)
    await expect(page.locator("main")).to_contain_text("200 targets set (200 prepopulated)")
    await page.get_by_label("One subject only").check()
    await page.get_by_label("Subject", exact=True).select_option("maths")
    await page.get_by_role("button", name="Delete targets").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to delete these targets?"
    )
    await page.get_by_role("button", name="Yes, delete targets").click()
    await expect(page.get_by_role("alert")).to_contain_text("10 targets deleted.")
    await page.get_by_role("button", name=re.compile("^Restore")).click()
    await expect(page.get_by_role("alert")).to_contain_text("10 targets restored.")
