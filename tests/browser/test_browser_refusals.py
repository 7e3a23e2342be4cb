"""A refused request is the site's own page, readable and accessible, in Chromium."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.helpers import assert_front_end_loaded, axe_check

pytestmark = pytest.mark.browser


async def test_an_over_long_field_is_refused_with_a_clear_page(page):
    await page.goto("/sign-in")
    await page.get_by_label("Login name").fill("a" * 10_000)
    await page.get_by_label("Password").fill("whatever-it-is")
    await page.get_by_role("button", name="Sign in").click()

    heading = page.get_by_role("heading", level=1)
    await expect(heading).to_have_text("The request could not be understood")
    await expect(page.locator("main")).to_contain_text("each can be at most 2,000 characters")
    await assert_front_end_loaded(page)
    await axe_check(page)
