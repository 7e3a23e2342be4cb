"""Sharing that schools govern (issue 15), in the browser, with JavaScript and without:
a senior leader approves a sharing change (the LA sees the year group only after), then reads
who read what, filtered, and downloads it as CSV. axe on every page visited.

With JavaScript off, axe runs on the served HTML in a page that has JavaScript (axe.run
never settles in a page without it, and page.evaluate has no timeout: that is how an earlier
JavaScript-off test hung). Every wait is bounded: each page times out actions after 10 s, and each test as a whole after
four minutes (the shared machine can be very slow), so a page that never navigates fails instead of hanging the suite.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import expect

from tests.browser.helpers import axe_check, seed, sign_in

pytestmark = pytest.mark.browser

TEST_SECONDS = 240
DASHBOARD = "/outside/dashboard?yearGroup={year}&subject=maths"


@pytest.fixture(scope="module")
def sharing(server) -> dict:
    return seed(server, "sharing")


async def _context(browser, server, javascript: bool):
    context = await browser.new_context(base_url=server.base_url, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(10_000)
    return context


async def _page(context):
    """A page whose .axe() checks it, with JavaScript on or off (tests/browser/helpers.py)."""
    page = await context.new_page()
    page.axe = lambda: asyncio.wait_for(axe_check(page), 30)
    return page


async def _school_shown(page, sharing: dict, year: int) -> bool:
    await page.goto(DASHBOARD.format(year=year))
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Targets and benchmarks by school")
    await page.axe()
    return await page.locator("main").get_by_text(sharing["organisation"]).count() > 0


async def _approve(page, year: int, javascript: bool) -> None:
    await page.goto("/sharing")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sharing")
    await page.axe()
    what = f"KS4 Year {year}: share aggregate targets with the local authority"
    # The button's name is "Approve" and the change, visually hidden (Chromium may put a
    # space before the colon).
    await page.get_by_role("button", name=re.compile(rf"^Approve\s*:\s*{re.escape(what)}$")).click()
    # Without JavaScript the form posts and the answer redirects to /sharing?decided=…; with
    # it, htmx swaps the list in place. Either way the banner says what was approved.
    await expect(page.get_by_text(f"Approved: {what}")).to_be_visible()
    if not javascript:
        await expect(page).to_have_url(re.compile(r"/sharing\?decided=APPROVED"))
    await page.axe()


async def _reads(page, sharing: dict) -> None:
    await page.goto("/sharing/reads")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Who read what")
    await page.axe()
    await page.get_by_label("Organisation").select_option(label=sharing["local_authority"])
    await page.get_by_role("button", name="Show reads").click()
    await expect(page).to_have_url(re.compile(rf"organisation={sharing['la_id']}"))
    found = page.get_by_text(re.compile(r"^\d+ reads? found"))
    await expect(found).to_be_visible()
    shown = int((await found.inner_text()).split()[0])
    assert shown >= 1
    row = page.locator("tbody tr").first
    await expect(row).to_contain_text(f"{sharing['officer']['name']}, {sharing['local_authority']}")
    await expect(row).to_contain_text("Targets summary (aggregates)")
    await expect(row).to_contain_text("Page, signed in on the site")
    await page.axe()
    link = page.get_by_role("link", name="Download these reads (CSV)")
    href = await link.get_attribute("href")
    assert href == f"/sharing/reads.csv?organisation={sharing['la_id']}"
    csv = await page.request.get(href)
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    lines = (await csv.text()).strip().splitlines()
    assert lines[0].startswith("When (UTC),Who,Organisation,What") and len(lines) == shown + 1
    assert sharing["officer"]["name"] in lines[1]
    # A period with no reads in it.
    await page.get_by_label("From (day)").fill("2099-01-01")
    await page.get_by_role("button", name="Show reads").click()
    await expect(page.get_by_text("No outside reads match these choices")).to_be_visible()
    await page.axe()


async def _approval_then_reads(browser, server, sharing: dict, year: int, javascript: bool
                               ) -> None:
    leader_context = await _context(browser, server, javascript)
    officer_context = await _context(browser, server, javascript)
    try:
        officer = await _page(officer_context)
        await sign_in(officer, sharing["officer"])
        await expect(officer.get_by_role("link", name="Sharing", exact=True)).to_have_count(0)
        assert not await _school_shown(officer, sharing, year)  # pending: nothing new shared

        leader = await _page(leader_context)
        await sign_in(leader, sharing["leader"])
        await expect(leader.get_by_role("link", name="Sharing", exact=True)).to_be_visible()
        await _approve(leader, year, javascript)

        assert await _school_shown(officer, sharing, year)  # approved: shared from now on
        await _reads(leader, sharing)
    finally:
        await leader_context.close()
        await officer_context.close()


async def test_senior_leader_approves_then_reads_who_read_what(browser, server, sharing):
    await asyncio.wait_for(
        _approval_then_reads(browser, server, sharing, 10, javascript=True),
        TEST_SECONDS)


async def test_the_same_without_javascript(browser, server, sharing):
    await asyncio.wait_for(
        _approval_then_reads(browser, server, sharing, 11, javascript=False),
        TEST_SECONDS)
