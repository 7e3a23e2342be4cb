"""Manage benchmarks in Chromium, for a year group that looks like the nation: every subject
its own average, each inside the range its JCQ 2019 results span (issue 19 item 1), with
JavaScript and without, accessibly.

Set ASPIRE_SCREENSHOT_DIR to a folder to also save 1280x800 screenshots of Manage
benchmarks, a pupil's targets and the LA dashboard there.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from playwright.async_api import expect

from server.services.estimates.published import A_LEVEL_2019, GCSE_2019, Published
from server.services.estimates.subjects import default_subjects, subjects_for
from tests.browser.conftest import (  # noqa: F401
    PageProblems,
    browser,
    page,
    server,
    server_database_url,
)
from tests.browser.helpers import ROOT, assert_front_end_loaded, axe_check, sign_in

pytestmark = pytest.mark.browser

BENCHMARKS = "/admin/target-setting/benchmarks?keyStage={ks}&yearGroup={year}"
SIZE = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def seeded(server):  # noqa: F811
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(Path(__file__).with_name("national_seed.py"))], cwd=ROOT,
        env=server.env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    if os.environ.get("ASPIRE_SCREENSHOT_DIR"):
        Path(os.environ["ASPIRE_SCREENSHOT_DIR"]).mkdir(parents=True, exist_ok=True)
    return json.loads(done.stdout)


def national_range(row: Published, top: float) -> tuple[float, float]:
    """The fine grades between which the middle 80% of the subject's 2019 results lay.

    The published cumulative percentages, joined by straight lines from 100% at 0 points
    to 0% at the top of the scale, read at 90% and at 10%.
    """
    grades = sorted(row.all)
    x = np.array([0.0, *grades, top])
    share = np.array([100.0, *(row.all[g] for g in grades), 0.0])
    # np.interp wants rising x-values: read the falling curve backwards.
    low, high = np.interp([90.0, 10.0], share[::-1], x[::-1])
    return float(low), float(high)


def shown_points(text: str) -> float:
    """9-1: the fine grade ("5.4"); A level: the points after the letter ("B+ 4.3 points")."""
    found = re.search(r"(\d+\.\d) points", text) or re.fullmatch(r"\s*(\d\.\d)\s*", text)
    assert found, text
    return float(found.group(1))


async def averages(view, key_stage: str) -> dict[str, float]:
    out = {}
    for s in subjects_for(key_stage):
        cell = view.locator(f"#average-{s.code}")
        text = await cell.locator("xpath=./*[not(contains(@class, 'govuk-visually-hidden'))]"
                                  ).all_inner_texts()  # fmt: skip
        out[s.code] = shown_points(" ".join(text))
    return out


def assert_plausible(shown: dict[str, float], table: dict[str, Published], top: float) -> None:
    # Most subjects differ, to the one decimal shown (Science Core and Science Additional
    # are both the combined science award, so those two always agree).
    assert len(set(shown.values())) > len(shown) / 2, shown
    for code, value in shown.items():
        low, high = national_range(table[code], top)
        assert low <= value <= high, (code, value, low, high)


async def screenshot(view, name: str, full_page: bool = False) -> None:
    folder = os.environ.get("ASPIRE_SCREENSHOT_DIR")
    if folder:
        await view.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


def test_the_national_range_is_read_from_the_published_figures():
    low, high = national_range(GCSE_2019["maths"], 10.0)
    assert 1.0 < low < 4.0 < 7.0 < high < 10.0
    biology, french = national_range(GCSE_2019["biology"], 10.0), national_range(
        GCSE_2019["french"], 10.0)  # fmt: skip
    assert biology[0] > french[0] and biology[1] > french[1]


async def test_every_subject_shows_its_own_plausible_average(page, seeded):  # noqa: F811
    page.set_default_timeout(10_000)
    await page.set_viewport_size(SIZE)
    await sign_in(page, seeded["administrator"], "admin")
    await page.goto(BENCHMARKS.format(ks="KS4", year=10))
    await assert_front_end_loaded(page)
    await axe_check(page)
    ks4 = await averages(page, "KS4")
    assert_plausible(ks4, GCSE_2019, 10.0)
    assert ks4["science-core"] == ks4["science-additional"]
    await screenshot(page, "manage-benchmarks-ks4", full_page=True)
    # Very High for maths lifts maths' average and nothing else's.
    async with page.expect_response(re.compile(r"/benchmarks/average\?")):
        await page.locator("#row-maths").get_by_label("Very High (5)").check()
    await expect(page.locator("#average-maths")).not_to_contain_text(f"{ks4['maths']:.1f}")
    assert (await averages(page, "KS4"))["maths"] > ks4["maths"]

    await page.goto(BENCHMARKS.format(ks="KS5", year=13))
    await assert_front_end_loaded(page)
    await axe_check(page)
    ks5 = await averages(page, "KS5")
    # Further Mathematics and French are off the default list: a sixth form offers them to
    # the few whose prior attainment fits (their estimates for a whole year group sit below
    # their entrants' range, as they should); every subject still has its own average.
    assert ks5["further-maths"] < ks5["maths"]
    defaults = {s.code for s in default_subjects("KS5")}
    assert_plausible({c: v for c, v in ks5.items() if c in defaults}, A_LEVEL_2019, 7.0)
    assert len(set(ks5.values())) > len(ks5) / 2
    await screenshot(page, "manage-benchmarks-ks5", full_page=True)


async def test_the_same_averages_without_javascript(browser, server, seeded):  # noqa: F811
    context = await browser.new_context(base_url=server.base_url, java_script_enabled=False,
                                        viewport=SIZE)  # fmt: skip
    try:
        plain = await context.new_page()
        plain.set_default_timeout(10_000)
        await sign_in(plain, seeded["administrator"], "admin")
        await plain.goto(BENCHMARKS.format(ks="KS4", year=10))
        assert_plausible(await averages(plain, "KS4"), GCSE_2019, 10.0)
        html = await plain.content()
    finally:
        await context.close()
    # axe needs script, so it checks the page as served without JavaScript in a page that
    # has it, with the page's own scripts taken out (nothing enhances it).
    context = await browser.new_context(base_url=server.base_url, viewport=SIZE)
    try:
        checked = await context.new_page()
        checked.set_default_timeout(10_000)
        await checked.set_content(re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S))
        assert await checked.locator("#average-maths").count() == 1
        await axe_check(checked)
    finally:
        await context.close()


async def test_screenshots_of_a_pupils_targets_and_the_la_dashboard(page, browser, server, seeded):  # noqa: F811, E501
    """The pages a head of data reads the new shapes on, accessible (and saved when asked)."""
    page.set_default_timeout(10_000)
    await page.set_viewport_size(SIZE)
    await sign_in(page, seeded["user"])
    await page.goto(f"/targets?yearGroup=10&upn={seeded['pupil_upn']}")
    await assert_front_end_loaded(page)
    await axe_check(page)
    await expect(page.locator("main")).to_contain_text("Biology")
    await screenshot(page, "pupil-targets", full_page=True)
    # The LA officer in a browser of their own.
    context = await browser.new_context(base_url=server.base_url, viewport=SIZE)
    try:
        officer = await context.new_page()
        officer.set_default_timeout(10_000)
        officer.problems = PageProblems()
        officer.on("pageerror", lambda error: officer.problems.errors.append(str(error)))
        await sign_in(officer, seeded["officer"])
        await officer.goto("/outside/dashboard?yearGroup=10")
        await assert_front_end_loaded(officer)
        await axe_check(officer)
        await expect(officer.locator("main")).to_contain_text("Calibration Academy")
        await screenshot(officer, "la-dashboard")
    finally:
        await context.close()
