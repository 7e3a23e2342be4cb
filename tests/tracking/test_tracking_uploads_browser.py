"""The expected-grade editor and working-at spreadsheets in Chromium, JavaScript on and off:
an administrator sets a subject's expected grade at a point, a teacher downloads the
template, uploads it, checks and confirms, and the tracking and the subject summary show
the counts; axe on every page visited."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.async_api import expect

from tests.browser.conftest import browser, page, server, server_database_url  # noqa: F401
from tests.browser.helpers import assert_front_end_loaded, axe_check_within, school_with_pupils, sign_in

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def school(server):  # noqa: F811
    return school_with_pupils(server)


def _filled(template: bytes, grades: list[str]) -> bytes:
    """The template with the Mathematics column filled in, row by row."""
    book = load_workbook(io.BytesIO(template))
    sheet = book["Working at"]
    column = [c.value for c in sheet[1]].index("Mathematics") + 1
    for row, grade in zip(range(2, sheet.max_row + 1), grades, strict=False):
        sheet.cell(row=row, column=column, value=grade)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_expected_grade_set_and_grades_uploaded_with_javascript(page, school):  # noqa: F811
    page.set_default_timeout(10_000)
    await sign_in(page, school["administrator"], "admin")
    await page.goto("/admin/target-setting/targets?keyStage=KS4&yearGroup=11")
    await page.get_by_role("group", name=re.compile("target-setting facility")).get_by_label(
        "Yes").check()
    await page.get_by_label("Yes, with the FFT benchmark grade", exact=True).check()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("alert")).to_contain_text("200 targets pre-populated")
    await page.goto("/admin/target-setting/assessment-points?yearGroup=11")
    await page.get_by_label("Name").fill("Autumn")
    await page.get_by_label("Date").fill("2026-11-03")
    await page.get_by_role("button", name="Add assessment point").click()
    await expect(page.locator("#points")).to_contain_text("Assessment point Autumn added")
    await page.goto("/admin/target-setting/assessment-points?yearGroup=11")
    await page.get_by_role("link", name="Expected grades at each point for Year 11").click()
    await assert_front_end_loaded(page)
    await expect(page.locator("#expected-grid")).to_contain_text("(linear)")
    await axe_check_within(page)
    await page.get_by_role("link", name="Change expected grades at Autumn").click()
    await axe_check_within(page)
    await page.get_by_label("Mathematics", exact=True).fill("Q")
    await page.get_by_role("button", name="Save expected grades").click()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("'Q' is not a grade")
    await axe_check_within(page)
    await page.get_by_label("Mathematics", exact=True).fill("5")
    await page.get_by_role("button", name="Save expected grades").click()
    await expect(page.get_by_role("status", name="Success")).to_contain_text(
        "Expected grades at Autumn saved")
    await expect(page.locator("#expected-grid")).to_contain_text("5 (your school's, 5.0)")
    await axe_check_within(page)
    await page.goto("/admin")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_label("Login name")).to_be_visible()

    await sign_in(page, school["user"])
    await page.goto("/tracking?yearGroup=11&subject=maths")
    await page.get_by_role("link", name="Enter Year 11's grades by spreadsheet").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enter working-at grades by spreadsheet")
    await axe_check_within(page)
    async with page.expect_download() as downloading:
        await page.locator("#template-link").click()
    download = await downloading.value
    template = await asyncio.to_thread(Path(await download.path()).read_bytes)
    filled = _filled(template, ["5"] * 8 + ["Z", "6"])
    await page.get_by_label(re.compile("^Spreadsheet of working-at grades")).set_input_files(
        files=[{"name": "year11.xlsx", "mimeType": XLSX, "buffer": filled}])
    await page.get_by_role("button", name="Check the file").click()
    await expect(page.locator("#accepted-count")).to_have_text("9")
    await expect(page.locator("#refused")).to_contain_text("'Z' is not a grade here")
    await axe_check_within(page)
    await page.get_by_role("button", name=re.compile("^Confirm and save 9 grades")).click()
    await expect(page.get_by_role("alert", name="Success")).to_contain_text(
        "9 working-at grades saved")
    await axe_check_within(page)
    await page.goto("/tracking?yearGroup=11&subject=maths")
    # The school's expected grade 5 at Autumn: eight pupils at 5 and one at 6 on track.
    await expect(page.locator("#counts-maths td")).to_have_text(["9", "0", "0"])
    await page.goto("/targets/summary?yearGroup=11")
    await expect(page.locator("#track-maths td")).to_have_text(["9", "0", "0"])
    await axe_check_within(page)


async def test_grades_uploaded_and_expected_grade_cleared_without_javascript(
        browser, server, school):  # noqa: F811
    context = await browser.new_context(base_url=server.base_url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        plain = await context.new_page()
        await sign_in(plain, school["user"])
        await plain.goto("/tracking/upload?yearGroup=11")
        await axe_check_within(plain)
        link = await plain.locator("#template-link").get_attribute("href")
        template = await (await context.request.get(link)).body()
        upns = [r[0] for r in load_workbook(io.BytesIO(template))["Working at"].iter_rows(
            min_row=2, values_only=True)]
        csv = "UPN,Mathematics\n" + "".join(f"{u},4\n" for u in upns[:3]) + "NOBODY,4\n"
        await plain.get_by_label(re.compile("^Spreadsheet of working-at grades")).set_input_files(
            files=[{"name": "three.csv", "mimeType": "text/csv", "buffer": csv.encode()}])
        await plain.get_by_role("button", name="Check the file").click()
        await expect(plain.locator("#accepted-count")).to_have_text("3")
        await expect(plain.locator("#refused")).to_contain_text(
            "No pupil in Year 11 has this UPN")
        await axe_check_within(plain)
        await plain.get_by_role("button", name=re.compile("^Confirm and save 3 grades")).click()
        await expect(plain.get_by_role("heading", level=1)).to_have_text(
            "Working-at grades saved")
        await axe_check_within(plain)

        admin = await browser.new_context(base_url=server.base_url, java_script_enabled=False)
        admin.set_default_timeout(10_000)
        try:
            page_admin = await admin.new_page()
            await sign_in(page_admin, school["administrator"], "admin")
            await page_admin.goto("/admin/target-setting/assessment-points/expected?yearGroup=11")
            await page_admin.get_by_role("link", name="Change expected grades at Autumn").click()
            await page_admin.get_by_label("Mathematics", exact=True).fill("")
            await page_admin.get_by_role("button", name="Save expected grades").click()
            await expect(page_admin.locator("#expected-grid")).not_to_contain_text("your school's")
            await axe_check_within(page_admin)
        finally:
            await admin.close()
        # Back on the linear path: the counts follow it (three pupils now at 4).
        await plain.goto("/tracking?yearGroup=11&subject=maths")
        await expect(plain.locator("#latest-point")).to_contain_text("Autumn")
        await axe_check_within(plain)
    finally:
        await context.close()
