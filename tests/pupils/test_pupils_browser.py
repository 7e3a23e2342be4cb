"""The pupil pages in Chromium: upload, check, confirm and roll forward, with axe-core."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import (  # noqa: F401  (the browser tests' fixtures)
    browser,
    page,
    school,
    server,
    server_database_url,
)
from tests.browser.helpers import assert_front_end_loaded, axe_check, sign_in

sys.path.insert(0, str(Path(__file__).parent))
from pupil_files import csv_bytes, pupil_row  # noqa: E402

pytestmark = pytest.mark.browser


async def test_administrator_imports_pupils_and_rolls_forward(page, school):  # noqa: F811
    await sign_in(page, school["administrator"], "admin")

    await page.get_by_role("link", name="Pupils", exact=True).first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Pupils and school years")
    await assert_front_end_loaded(page)
    await axe_check(page)

    rows = [pupil_row(1, year_group=11), pupil_row(2, year_group=10),
            pupil_row(3, Gender="X", Forename="<b>Bold</b>")]
    await page.get_by_label("Upload a pupil file").set_input_files(
        {"name": "pupils.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)})
    await page.get_by_role("button", name="Upload and check").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check your pupil file")
    table = page.get_by_role("table", name="Problems by row")
    await expect(table).to_contain_text("Gender must be F or M")
    await expect(table).to_contain_text("<b>Bold</b>")  # shown as text, never as markup
    await assert_front_end_loaded(page)
    await axe_check(page)

    await page.get_by_role("button", name="Confirm and import").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Pupil file imported")
    await expect(page.locator("main")).to_contain_text("2 new pupils added")
    await axe_check(page)

    await page.goto("/admin/pupils/roll-forward")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Roll forward from 2026/27 to 2027/28")
    await assert_front_end_loaded(page)
    await axe_check(page)
    await page.get_by_role("button", name="Roll forward to 2027/28").click()
    await expect(page).to_have_url(re.compile(r"/admin/pupils\?rolled=2027"))
    await expect(page.locator("main")).to_contain_text("The school is now in 2027/28")
    await axe_check(page)


async def test_data_manager_imports_a_ctf_with_and_without_javascript(page, browser, server, school):  # noqa: F811
    from ctf_files import ctf_bytes, ks2, pupil_xml

    ctf = ctf_bytes([pupil_xml(pupil_row(41)), pupil_xml(pupil_row(42), ks2("A", "103")),
                     pupil_xml(pupil_row(43, year_group=11))])
    await sign_in(page, school["administrator"], "admin")
    await page.goto("/admin/pupils")
    await page.get_by_label("Upload a pupil file").set_input_files(
        {"name": "from-mis.xml", "mimeType": "application/xml", "buffer": ctf})
    await page.get_by_role("button", name="Upload and check").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check your pupil file")
    await expect(page.locator("main")).to_contain_text("KS2 reading test result is 'A' (absent)")
    await assert_front_end_loaded(page)
    await axe_check(page)
    await page.get_by_role("button", name="Confirm and import").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Pupil file imported")
    await axe_check(page)

    context = await browser.new_context(base_url=server.base_url, java_script_enabled=False)
    try:
        plain = await context.new_page()
        await sign_in(plain, school["administrator"], "admin")
        await plain.goto("/admin/pupils")
        await plain.get_by_label("Upload a pupil file").set_input_files(
            {"name": "again.xml", "mimeType": "application/xml",
             "buffer": ctf_bytes([pupil_xml(pupil_row(44))])})
        await plain.get_by_role("button", name="Upload and check").click()
        await expect(plain.get_by_role("heading", level=1)).to_have_text("Check your pupil file")
        await plain.get_by_role("button", name="Confirm and import").click()
        await expect(plain.get_by_role("heading", level=1)).to_have_text("Pupil file imported")
        await plain.get_by_label("Upload a pupil file").count()  # page is a full HTML page
        await plain.goto("/admin/pupils")
        await plain.get_by_label("Upload a pupil file").set_input_files(
            {"name": "bomb.xml", "mimeType": "application/xml",
             "buffer": b'<!DOCTYPE x [<!ENTITY a "b">]><CTfile>&a;</CTfile>'})
        await plain.get_by_role("button", name="Upload and check").click()
        await expect(plain.locator(".govuk-error-summary")).to_contain_text("DOCTYPE")
    finally:
        await context.close()
