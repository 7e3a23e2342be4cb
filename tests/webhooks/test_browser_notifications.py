"""An LA officer adds a change notification, copies the secret and deletes it, with
JavaScript (htmx) and without. axe runs on every page of the first pass; the pass without
JavaScript sees the same pages (axe itself needs script: evaluating it there never returns)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import (  # noqa: F401  (the browser tests' fixtures)
    browser,
    page,
    server,
    server_database_url,
)
from tests.browser.helpers import assert_front_end_loaded, axe_check, run_seed, sign_in

pytestmark = pytest.mark.browser
SEED = Path(__file__).with_name("browser_seed.py")


@pytest.fixture(scope="module")
def officer(server) -> dict:  # noqa: F811
    return json.loads(run_seed(server, SEED))


async def check(page, javascript: bool) -> None:  # noqa: F811
    if javascript:
        await axe_check(page)


async def add_and_delete(page, seeded: dict, url: str, javascript: bool) -> None:  # noqa: F811
    await page.goto("/outside/notifications")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Change notifications")
    await check(page, javascript)
    await page.get_by_role("button", name="Add notification").click()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a school and key stage")
    await check(page, javascript)
    await page.get_by_label("School and key stage").select_option(seeded["choice"])
    await page.get_by_label("Address of your tool").fill("http://dashboard.example.org/in")
    await page.get_by_role("button", name="Add notification").click()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("must start with https://")
    await page.get_by_label("School and key stage").select_option(seeded["choice"])
    await page.get_by_label("Address of your tool").fill(url)
    await page.get_by_role("button", name="Add notification").click()
    await expect(page.locator("#new-secret")).to_contain_text("whsec_")
    await expect(page.get_by_role("table")).to_contain_text(url)
    await check(page, javascript)
    if javascript:
        page.once("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("button", name=f"Delete the notification for {seeded['school']}").click()
    await expect(page.get_by_text("The notification was deleted")).to_be_visible()
    await expect(page.locator("#new-secret")).to_have_count(0)
    await expect(page.get_by_role("table")).not_to_contain_text(url)
    await check(page, javascript)


async def test_officer_adds_and_deletes_a_notification(page, browser, server, officer):  # noqa: F811
    page.set_default_timeout(10_000)
    await sign_in(page, officer["officer"])
    await add_and_delete(page, officer, "https://dashboard.example.org/with-js", javascript=True)
    await assert_front_end_loaded(page)

    context = await browser.new_context(base_url=server.base_url, java_script_enabled=False)
    try:
        plain = await context.new_page()
        plain.set_default_timeout(10_000)
        await sign_in(plain, officer["officer"])
        await add_and_delete(plain, officer, "https://dashboard.example.org/no-js", javascript=False)
    finally:
        await context.close()
