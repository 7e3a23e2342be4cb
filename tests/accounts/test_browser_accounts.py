"""In Chromium: an administrator adds a user, the person signs up from the emailed link, with
accessibility checks (axe-core) and the front end running under the CSP on every page."""

from __future__ import annotations

import email
import re
from email.policy import default
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import (  # noqa: F401 (fixtures)
    PageProblems,
    browser,
    page,
    server,
    server_database_url,
)
from tests.browser.helpers import assert_front_end_loaded, axe_check, seed, sign_in

pytestmark = pytest.mark.browser


async def check(tab) -> None:
    await assert_front_end_loaded(tab)
    await axe_check(tab)


def sign_up_link(running, address: str) -> str:
    for path in sorted(Path(running.env["ASPIRE_OUTBOX_DIR"]).glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        if message["To"] == address:
            text = message.get_body(preferencelist=("plain",)).get_content()
            return re.search(r"(/sign-up/[A-Za-z0-9_\-]+)", text).group(1)
    raise AssertionError(f"no email to {address}")


async def test_add_a_user_then_they_sign_up(page, browser, server):  # noqa: F811
    school = seed(server, "school")
    admin = school["administrator"]
    await sign_in(page, admin, "admin")

    await page.goto("/admin/users/add")
    await check(page)
    await page.get_by_role("button", name="Next").click()  # nothing filled in
    await expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a forename")
    await expect(page).to_have_title(re.compile(r"^Error: "))
    await check(page)
    await page.get_by_label("Forename").fill("Grace")
    await page.get_by_label("Surname").fill("Hopper")
    await page.get_by_label("Email address").fill("grace.hopper@browser.sch.uk")
    await page.get_by_role("button", name="Next").click()
    await expect(page.get_by_role("group", name="Role at organisation")).to_be_visible()
    await check(page)
    advisory = page.locator("#governor-advisory")
    await page.get_by_label("Governor").check()
    await page.get_by_label("Full access to pupil data including suppressed/sensitive items").check()
    # The guide's amber advisory with its tick, shown as soon as both are chosen (issue 16
    # item 2), never a red error.
    await expect(advisory).to_be_visible()
    await expect(advisory).to_contain_text("It is not usual practice")
    await expect(page.locator(".govuk-error-summary")).to_have_count(0)
    await check(page)
    await page.get_by_label("Please confirm selections").check()
    await page.get_by_role("button", name="Create user").click()

    await expect(page).to_have_url(re.compile(r"/admin/users/pending"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Pending users")
    await check(page)
    row = page.locator("tr", has_text="grace.hopper@browser.sch.uk")
    code = (await row.locator(".app-code").first.inner_text()).strip()
    assert re.fullmatch(r"[A-Z0-9]{8}", code)
    # Resend through htmx swaps the table in place.
    await row.get_by_role("button", name=re.compile("Resend")).click()
    await expect(page.locator("#pending-users")).to_contain_text("old link no longer works")
    await check(page)
    await row.get_by_role("link", name=re.compile("Print")).click()
    await expect(page.locator(".app-letter__code")).to_have_text(code)
    await check(page)
    for path in ("/admin/users", "/admin/audit", "/admin/administrators", "/admin/security",
                 "/admin/account/security", "/admin/users/add"):
        await page.goto(path)
        await check(page)
    await page.goto("/admin/users")
    await page.get_by_label("Search by name or email").fill("nobody-by-this-name")
    await expect(page.locator("#users-list")).to_contain_text("No users match")  # as you type
    await expect(page).to_have_url(re.compile(r"q=nobody-by-this-name"))
    await page.get_by_label("Search by name or email").fill("")
    await expect(page.get_by_role("link", name=school["user"]["name"])).to_be_visible()
    await page.get_by_role("link", name=school["user"]["name"]).click()
    await expect(page.get_by_role("group", name="Role at organisation")).to_be_visible()
    await check(page)
    await page.goto("/admin/administrators")
    await page.get_by_role("link", name=re.compile("^Edit")).first.click()
    await expect(page.get_by_label("Forename")).to_be_visible()
    await check(page)

    person = await browser.new_context(base_url=server.base_url)
    tab = await person.new_page()
    tab.problems = PageProblems()
    tab.on("console", lambda m: "Content Security Policy" in m.text and tab.problems.csp.append(m.text))
    tab.on("pageerror", lambda error: tab.problems.errors.append(f"page error: {error}"))
    try:
        await tab.goto(sign_up_link(server, "grace.hopper@browser.sch.uk"))
        await check(tab)
        await tab.get_by_label("Activation code").fill(code)
        await tab.get_by_role("button", name="Continue").click()
        await expect(tab.get_by_role("heading", level=1)).to_have_text("Choose your password")
        await check(tab)
        await tab.get_by_label("Password", exact=True).fill("wooden boats drift at noon")
        await expect(tab.locator("#password-strength")).to_contain_text("Password strength")
        await tab.get_by_label("Type the password again").fill("wooden boats drift at noon")
        await tab.get_by_role("button", name="Continue").click()
        await expect(tab.get_by_role("heading", level=1)).to_have_text("Answer three security questions")
        await check(tab)
        for i, (key, answer) in enumerate((("first_pet", "Rex"), ("birth_town", "York"),
                                           ("first_car", "Mini")), start=1):
            await tab.locator(f"#question{i}").select_option(key)
            await tab.locator(f"#answer{i}").fill(answer)
        await tab.get_by_role("button", name="Finish signing up").click()
        await expect(tab.get_by_role("heading", level=1)).to_have_text("You have signed up")
        await check(tab)
        for path in ("/forgotten-password", "/admin/forgotten-password", "/sign-up"):
            await tab.goto(path)
            await check(tab)
        await tab.goto("/forgotten-password")
        await tab.get_by_label("Login name").fill("grace.hopper@browser.sch.uk")
        await tab.get_by_role("button", name="Continue").click()
        await expect(tab.get_by_label(re.compile("character of your answer"))).to_have_count(3)
        await check(tab)
        assert not tab.problems.all(), tab.problems.all()
    finally:
        await person.close()
