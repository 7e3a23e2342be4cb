"""Bulk upload in Chromium: upload, fix a row inline (htmx), delete one, confirm and create."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.batches import files
from tests.browser.helpers import assert_front_end_loaded, axe_check, sign_in

pytestmark = pytest.mark.browser


async def test_upload_fix_inline_and_create(page, school, tmp_path):
    admin = school["administrator"]
    await sign_in(page, admin, "admin")

    await page.goto("/admin/users/upload")
    await assert_front_end_loaded(page)
    await axe_check(page)
    sheet = tmp_path / "staff.xlsx"
    run = tmp_path.name[-6:]
    sheet.write_bytes(files.xlsx([
        ["Ann", "Lee", f"ann.{run}@school.example.org", "Teacher", files.FULL],
        ["Gus", "Vernor", f"gus.{run}@school.example.org", "Governor", files.FULL],
        ["X" * 51, "<img src=x onerror=alert(1)>", "bad", "Teacher", "full"],
        ["Del", "Ete", f"del.{run}@school.example.org", "Teacher", "aggregate"],
    ]))
    await page.get_by_label(re.compile("Choose a spreadsheet file")).set_input_files(str(sheet))
    await page.get_by_role("button", name="Upload user details").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check and create your users")
    await assert_front_end_loaded(page)
    await axe_check(page)
    await expect(page.locator("#batch")).to_contain_text("<img src=x onerror=alert(1)>")

    # Edit row 4 in place: htmx swaps the row for a form, then the whole check fragment.
    await page.get_by_role("link", name="Edit row 4").click()
    forename = page.get_by_label("Forename, row 4")
    await expect(forename).to_be_visible()
    await axe_check(page)
    await forename.fill("Cy")
    await page.get_by_label("Email address, row 4").fill(f"cy.{run}@school.example.org")
    await page.get_by_role("button", name="Save row 4").click()
    await expect(page.locator("#status-messages")).to_have_text("Row 4 saved.")
    await expect(page.locator("#batch")).not_to_contain_text("Not processed")
    assert page.url.endswith(re.search(r"/admin/batches/\d+", page.url).group(0))

    # Delete row 5 with htmx (the browser asks first).
    page.once("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("link", name="Delete row 5").click()
    await expect(page.locator("#status-messages")).to_have_text(
        "The row has been deleted from the batch.")
    await expect(page.locator("#batch")).not_to_contain_text(f"del.{run}@")

    await page.get_by_label(
        "I confirm that I have checked all highlighted accounts and I wish to proceed and "
        "create these user accounts").check()
    await page.get_by_role("button", name="Create users").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "3 users created as pending accounts.")
    await expect(page.locator("#batch-created")).to_contain_text("Vernor")
    await axe_check(page)
