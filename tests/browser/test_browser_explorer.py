"""The GraphQL explorer in Chromium: served locally, runs under the CSP, runs as the viewer."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.helpers import axe_check
from tests.browser.test_browser_sign_in import sign_in

pytestmark = pytest.mark.browser


async def test_signed_in_user_runs_a_query_in_the_explorer(page, school):
    await sign_in(page, "/sign-in", school["user"])
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await page.goto("/graphql")
    run = page.locator(".graphiql-execute-button")
    await expect(run).to_be_visible()
    await run.click()
    await expect(page.locator(".result-window")).to_contain_text(school["user"]["login_name"])
    await expect(page.locator(".result-window")).to_contain_text(school["urn"])
    await axe_check(page)
