"""Target Setting > National estimates in Chromium: an administrator previews a newly
loaded version, applies it and rolls back, with JavaScript on and off; axe on each page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from playwright.async_api import expect

from server.services.estimates.parameters import load_parameters, parameters_to_json
from tests.browser.conftest import browser, page, server, server_database_url  # noqa: F401
from tests.browser.helpers import ROOT, assert_front_end_loaded, axe_check_within, school_with_pupils, sign_in

pytestmark = pytest.mark.browser

PATH = "/admin/target-setting/estimates?keyStage=KS4"
VERSION = f"b{os.getpid()}"[:20]
LABEL = "2027 national data"


@pytest.fixture(scope="module")
def school(server, tmp_path_factory):  # noqa: F811
    made = school_with_pupils(server)
    data = parameters_to_json(load_parameters("KS4"))
    data["version"] = VERSION
    data["subjects"]["maths"]["a"] += 1.5
    file = tmp_path_factory.mktemp("estimates") / "ks4.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    loaded = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "server.cli", "estimates", "load", str(file), "--label", LABEL],
        cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=120,
    )
    assert loaded.returncode == 0, loaded.stderr
    return made


async def preview_apply_roll_back(page) -> None:  # noqa: F811
    await page.goto(PATH)
    await expect(page.get_by_role("heading", name="National estimates", exact=True)).to_be_visible()
    await axe_check_within(page)
    await page.get_by_role("link", name=f"Preview {LABEL} ({VERSION})").click()
    impact = page.locator("#impact-table")
    await expect(impact).to_be_visible()
    maths = impact.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Mathematics"))
    await expect(maths.locator("td").first).to_have_text("Year 11")
    await expect(maths.locator("td").nth(2)).to_have_text(re.compile(r"^[1-9]\d*$"))  # up
    await axe_check_within(page)
    await page.get_by_role("button", name=f"Apply {LABEL} ({VERSION})").click()
    await expect(page.get_by_role("status", name="Success")).to_contain_text(
        f"Applied {LABEL} ({VERSION}) for KS4")
    await expect(page.locator("table").first).to_contain_text(f"{LABEL} ({VERSION})")
    await axe_check_within(page)
    await page.get_by_role("link", name=re.compile("^Roll back KS4 to")).click()
    await axe_check_within(page)
    await page.get_by_role("button", name=re.compile("^Yes, roll back to")).click()
    await expect(page.get_by_role("status", name="Success")).to_contain_text(
        "Rolled back to Shipped national estimates")
    await axe_check_within(page)


async def test_preview_apply_and_roll_back_with_javascript(page, school):  # noqa: F811
    page.set_default_timeout(10_000)
    await sign_in(page, school["administrator"], "admin")
    await page.goto("/admin/target-setting/targets?keyStage=KS4&yearGroup=11")
    await page.get_by_role("group", name=re.compile("target-setting facility")).get_by_label(
        "Yes").check()
    await page.get_by_label("Yes, with the FFT benchmark grade", exact=True).check()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("alert")).to_contain_text("targets pre-populated")
    await page.goto(PATH)
    await assert_front_end_loaded(page)
    await preview_apply_roll_back(page)


async def test_preview_apply_and_roll_back_without_javascript(browser, server, school):  # noqa: F811
    context = await browser.new_context(base_url=server.base_url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        plain = await context.new_page()
        plain.javascript = False
        await sign_in(plain, school["administrator"], "admin")
        await preview_apply_roll_back(plain)
    finally:
        await context.close()
