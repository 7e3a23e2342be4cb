"""A Data Manager goes from a CTF export to pre-populated targets without a spreadsheet, in
Chromium, with JavaScript on and off: a pupil with KS2 results is pre-populated, one with a
KS2 result code gets a standardised score on the targets page (the estimate is flagged),
and one with neither stays listed without an estimate. axe-core on every page visited."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import (  # noqa: F401  (the browser tests' fixtures)
    browser,
    page,
    server,
    server_database_url,
)
from tests.browser.helpers import assert_front_end_loaded, axe_check, seed, sign_in

sys.path.insert(0, str(Path(__file__).parent))
from ctf_files import ctf_bytes, ks2, pupil_xml  # noqa: E402
from pupil_files import pupil_row  # noqa: E402

pytestmark = pytest.mark.browser
TIMEOUT = 10_000


async def _axe(page) -> None:  # noqa: F811
    """axe-core with a ceiling (page.evaluate itself has no timeout); a page without
    JavaScript is checked as shown (tests/browser/helpers.py)."""
    await asyncio.wait_for(axe_check(page), 60)


def _pupil(serial: int, surname: str) -> dict[str, str]:
    return pupil_row(serial, 10, Surname=surname, Forename="Ctf", Disadvantaged="", EAL="")


async def _import_ctf(page, name: str, data: bytes, javascript: bool = True) -> None:  # noqa: F811
    await page.goto("/pupils/import")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Import pupils")
    if javascript:
        await assert_front_end_loaded(page)
    await _axe(page)
    await page.get_by_label("Upload a pupil file").set_input_files(
        {"name": name, "mimeType": "application/xml", "buffer": data})
    await page.get_by_role("button", name="Upload and check").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check your pupil file")
    await _axe(page)
    await page.get_by_role("button", name="Confirm and import").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Pupil file imported")
    await _axe(page)


async def _enter_score(page, surname: str, score: str) -> None:  # noqa: F811
    await page.get_by_label(f"Standardised score for Ctf {surname}").fill(score)
    await page.get_by_role("button", name=f"Save standardised score for Ctf {surname}").click()
    await expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Standardised score saved")
    await _axe(page)


async def test_data_manager_from_a_ctf_to_prepopulated_targets(page, browser, server):  # noqa: F811
    made = seed(server, "ctf_targets")
    page.set_default_timeout(TIMEOUT)
    known, arrived, neither = _pupil(61, "Known"), _pupil(62, "Arrived"), _pupil(63, "Neither")
    ctf = ctf_bytes([pupil_xml(known, ks2("104", "108")),
                     pupil_xml(arrived, ks2("J", "J")),  # just arrived: no KS2 score
                     pupil_xml(neither, "")], dest_urn=made["urn"])
    await sign_in(page, made["data_manager"], "main")
    await _import_ctf(page, "from-mis.xml", ctf)

    await page.goto("/targets?yearGroup=10&subject=maths")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Pupil targets")
    await assert_front_end_loaded(page)
    await _axe(page)
    rows = page.locator("#pupil-targets")
    await expect(rows.locator(f"#row-{known['UPN']}-maths")).to_contain_text("Pre-populated")
    unlisted = page.locator("#without-baseline")
    await expect(unlisted).to_contain_text(arrived["UPN"])
    await expect(unlisted).to_contain_text(neither["UPN"])

    await _enter_score(page, "Arrived", "93")
    arrived_row = page.locator(f"#row-{arrived['UPN']}-maths")
    await expect(arrived_row).to_contain_text("Standardised score 93.0")
    await expect(arrived_row).to_contain_text("Pre-populated")
    await expect(arrived_row.get_by_text("fallback baseline")).to_have_count(1)
    await expect(page.locator("#on-standardised-score")).to_contain_text(arrived["UPN"])
    await expect(page.locator("#without-baseline")).to_contain_text(neither["UPN"])
    await expect(page.locator("#without-baseline")).not_to_contain_text(arrived["UPN"])
    neither_row = page.locator(f"#row-{neither['UPN']}-maths")
    await expect(neither_row).to_contain_text("No baseline")
    await expect(neither_row).not_to_contain_text("Pre-populated")

    # The same with JavaScript off: another CTF, a wrong score, then a right one.
    context = await browser.new_context(base_url=server.base_url, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT)
    try:
        plain = await context.new_page()
        await sign_in(plain, made["data_manager"], "main")
        late = _pupil(64, "Late")
        await _import_ctf(plain, "late.xml", ctf_bytes([pupil_xml(late, ks2("B", "B"))],
                                                        dest_urn=made["urn"]), javascript=False)
        await plain.goto("/targets?yearGroup=10&subject=maths")
        await _axe(plain)
        await plain.get_by_label("Standardised score for Ctf Late").fill("250")
        await plain.get_by_role("button", name="Save standardised score for Ctf Late").click()
        await expect(plain.locator(".govuk-error-summary")).to_contain_text("from 60 to 140")
        await _axe(plain)
        await _enter_score(plain, "Late", "120")
        late_row = plain.locator(f"#row-{late['UPN']}-maths")
        await expect(late_row).to_contain_text("Standardised score 120.0")
        await expect(late_row).to_contain_text("Pre-populated")
        await expect(plain.locator("#without-baseline")).to_contain_text(neither["UPN"])
    finally:
        await context.close()
