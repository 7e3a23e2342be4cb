"""Signing in through the real pages, in Chromium: a school user, then an administrator."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.helpers import assert_front_end_loaded, axe_check

pytestmark = pytest.mark.browser


async def sign_in(page, path: str, account: dict) -> None:
    await page.goto(path)
    await assert_front_end_loaded(page)
    await axe_check(page)
    await page.get_by_label("Login name").fill(account["login_name"])
    await page.get_by_label("Password").fill(account["password"])
    await page.get_by_role("button", name="Sign in").click()


async def test_school_user_signs_in_and_sees_their_schools(page, school):
    await sign_in(page, "/sign-in", school["user"])

    await expect(page).to_have_url(re.compile(r"/$"))
    welcome = f"Welcome, {school['user']['name']}"
    await expect(page.get_by_role("heading", level=1)).to_have_text(welcome)
    await expect(page.locator("main")).to_contain_text(school["organisation"])
    table = page.get_by_role("table", name="Schools you can see")
    # The header row and the school's own row: a school user sees only their school.
    await expect(table.get_by_role("row")).to_have_count(2)
    await expect(table).to_contain_text(school["urn"])
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await assert_front_end_loaded(page)
    await axe_check(page)


async def test_administrator_signs_in_to_administration(page, school):
    await sign_in(page, "/admin/sign-in", school["administrator"])

    await expect(page).to_have_url(re.compile(r"/admin$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    await expect(page.locator("main")).to_contain_text(school["organisation"])
    await expect(page.locator("main")).to_contain_text(school["administrator"]["login_name"])
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await assert_front_end_loaded(page)
    await axe_check(page)


async def test_htmx_requests_carry_the_csrf_token(page, school):
    """app.js adds the x-csrftoken header from the page's meta tag; asgi-csrf accepts it."""
    await sign_in(page, "/sign-in", school["user"])
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    token = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token

    async with page.expect_response(lambda response: response.url.endswith("/sign-out")) as info:
        await page.evaluate("() => htmx.ajax('POST', '/sign-out', {swap: 'none'})")
    response = await info.value
    assert await response.request.header_value("x-csrftoken") == token
    assert await response.request.header_value("hx-request") == "true"
    assert response.status == 303, "the server refused htmx's POST"

    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/sign-in\?next=/$"))


async def test_a_deactivated_person_is_told_whom_to_ask(page, server):
    """Issue 16 item 9: after the right password, the error summary says the account is
    deactivated and names the organisation's administrators; the page stays accessible."""
    from tests.browser.helpers import seed

    data = seed(server, "deactivated")
    await sign_in(page, "/sign-in", data["user"])
    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text("has been deactivated")
    await expect(summary).to_contain_text(data["administrator"]["name"])
    await expect(page).to_have_title(re.compile(r"^Error: "))
    await assert_front_end_loaded(page)
    await axe_check(page)
