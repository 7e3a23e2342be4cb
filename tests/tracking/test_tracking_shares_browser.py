"""The LA dashboard's on-track shares in Chromium, JavaScript on (the filter form swaps the
table in) and off: a school's shares as its own tracking computes them, a handful tracked
and a small school marked not shown; axe on every page visited."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import browser, page, server, server_database_url  # noqa: F401
from tests.browser.helpers import axe_check_within, run_seed, sign_in

pytestmark = pytest.mark.browser

SEED = Path(__file__).resolve().parent / "shares_browser_seed.py"
DASHBOARD = "/outside/dashboard?yearGroup=10&subject=maths"


@pytest.fixture(scope="module")
def world(server):  # noqa: F811
    return json.loads(run_seed(server, SEED))


async def _shares_shown(page, world: dict) -> None:  # noqa: F811
    tracked = page.locator(f"#row-{world['tracked']}-maths td")
    # Subject, pupils, targets set, average target, benchmark, estimate, difference, then
    # pupils tracked and the three shares.
    await expect(tracked.nth(7)).to_have_text("8")
    assert [t.strip() for t in await tracked.all_inner_texts()][8:] == world["shares"]
    await expect(page.locator(f"#row-{world['handful']}-maths")).to_contain_text(
        "too few pupils tracked")
    await expect(page.locator(f"#row-{world['tiny']}-maths")).to_contain_text(
        "too few pupils or targets")


async def test_shares_with_javascript(page, world):  # noqa: F811
    page.set_default_timeout(10_000)
    await sign_in(page, world["officer"])
    await page.goto("/outside/dashboard?yearGroup=11&subject=maths")
    await axe_check_within(page)
    await page.get_by_label("Year group").select_option("10")
    await page.get_by_role("button", name="Show").click()
    await expect(page).to_have_url(re.compile(r"yearGroup=10"))
    await _shares_shown(page, world)
    await axe_check_within(page)


async def test_shares_without_javascript(page, browser, server, world):  # noqa: F811
    context = await browser.new_context(base_url=server.base_url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        plain = await context.new_page()
        await sign_in(plain, world["officer"])
        await plain.goto(DASHBOARD)
        await _shares_shown(plain, world)
    finally:
        await context.close()
    # axe needs JavaScript (page.evaluate): the same server-rendered page in a JS page.
    page.set_default_timeout(10_000)
    await sign_in(page, world["officer"])
    await page.goto(DASHBOARD)
    await _shares_shown(page, world)
    await axe_check_within(page)
