"""A new administrator's first hour (issue 16) in Chromium at 1280x800: every administration
page fits, the Governor advisory, confirmations and banners that name the person, the
administrator limit, one highlighted menu item, Manage benchmarks in one row per subject and
links that follow the address served. JavaScript on and off; axe on every page."""

from __future__ import annotations

import email
import re
from email.policy import default
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import PageProblems
from tests.browser.helpers import assert_front_end_loaded, axe_check, seed, sign_in

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 800}
BENCHMARKS = "/admin/target-setting/benchmarks?keyStage=KS4&yearGroup=11"

FITS = """() => {
  const root = document.documentElement;
  const tables = [...document.querySelectorAll('table')]
    .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
    .map(t => `${t.id || t.className}: ${t.scrollWidth}px in ${t.parentElement.clientWidth}px`);
  const cut = [...document.querySelectorAll('main *')]
    .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > root.clientWidth + 1)
    .slice(0, 3).map(e => `${e.tagName}.${e.className}`);
  return {page: [root.scrollWidth, root.clientWidth], tables, cut};
}"""


@pytest.fixture
def first_hour(server):
    """Fresh for each test (tests change it): pending users (one locked), two administrators,
    a user batch with rows to check, 30 Year 11 pupils."""
    return seed(server, "first_hour")


async def new_page(browser, server, javascript=True, viewport=WIDE):
    context = await browser.new_context(base_url=server.base_url, viewport=viewport,
                                        java_script_enabled=javascript)
    tab = await context.new_page()
    tab.set_default_timeout(10_000)
    tab.javascript = javascript
    tab.problems = PageProblems()
    tab.on("pageerror", lambda error: tab.problems.errors.append(f"page error: {error}"))
    tab.on("console", lambda m: "Content Security Policy" in m.text and tab.problems.csp.append(m.text))
    tab.on("response", lambda r: r.status >= 400 and "/static/" in r.url
           and tab.problems.failed.append(f"{r.status} {r.url}"))
    return context, tab, tab.problems.all()


async def assert_fits(tab) -> None:
    fit = await tab.evaluate(FITS)
    width, client = fit["page"]
    assert width <= client, f"{tab.url}: page {width}px wide in a {client}px window ({fit['cut']})"
    assert not fit["tables"], f"{tab.url}: tables wider than their container: {fit['tables']}"


async def test_every_administration_page_fits_1280_1024_and_a_phone(browser, server, first_hour):
    batch = f"/admin/batches/{first_hour['batch']}"
    pages = ["/admin/users/pending", batch, "/admin/users", "/admin/administrators",
             "/admin/users/add", "/admin/administrators/add", "/admin/audit", BENCHMARKS]
    for viewport in (WIDE, {"width": 1024, "height": 768}, {"width": 390, "height": 844}):
        context, tab, errors = await new_page(browser, server, viewport=viewport)
        try:
            await sign_in(tab, first_hour["administrator"], "admin")
            for path in pages:
                await tab.goto(path)
                await assert_fits(tab)
                if viewport is WIDE:
                    await assert_front_end_loaded(tab)
                    await axe_check(tab)
            # The batch grid with a row open for editing (the widest state) still fits, and
            # its Status and Save/Cancel stay in view.
            await tab.goto(batch)
            await tab.get_by_role("link", name="Edit row 3").click()
            await expect(tab.get_by_label("Forename, row 3")).to_be_visible()
            await assert_fits(tab)
            await expect(tab.get_by_role("button", name="Save row 3")).to_be_in_viewport()
            if viewport is WIDE:
                await axe_check(tab)
                # Pending users at 1280: every column in view, the locked row's too.
                await tab.goto("/admin/users/pending")
                locked = tab.locator(f"#pending-{first_hour['locked']['id']}")
                for text in ("No. of tries: 5", "Locked", "Created by"):
                    await expect(tab.locator("#pending-table").get_by_text(text).first).to_be_in_viewport()
                for name in ("Print welcome letter", "Delete user", "Reissue code"):
                    control = locked.get_by_role("link", name=re.compile(name)).or_(
                        locked.get_by_role("button", name=re.compile(name)))
                    await expect(control.first).to_be_in_viewport()
            assert not tab.problems.all(), tab.problems.all()
        finally:
            await context.close()


async def test_governor_full_access_advisory_with_and_without_javascript(browser, server, first_hour):
    for javascript in (True, False):
        context, tab, errors = await new_page(browser, server, javascript=javascript)
        try:
            await sign_in(tab, first_hour["administrator"], "admin")
            await tab.goto("/admin/users/add")
            who = "js" if javascript else "nojs"
            await tab.get_by_label("Forename").fill("Gwen")
            await tab.get_by_label("Surname").fill(f"Ovner{who}")
            await tab.get_by_label("Email address").fill(f"gwen.{who}.{first_hour['urn']}@browser.sch.uk")
            await tab.get_by_role("button", name="Next").click()
            advisory = tab.locator("#governor-advisory")
            await tab.get_by_label("Governor", exact=True).check()
            await tab.get_by_label("Full access to pupil data including suppressed/sensitive items").check()
            if javascript:
                # Shown as soon as the combination is chosen, before Create user.
                await expect(advisory).to_be_visible()
                await expect(advisory).to_contain_text("It is not usual practice")
                await axe_check(tab)
                await tab.get_by_label("Teacher", exact=True).check()
                await expect(advisory).to_be_hidden()
                await tab.get_by_label("Governor", exact=True).check()
                await expect(advisory).to_be_visible()
            await tab.get_by_role("button", name="Create user").click()
            # Not ticked: the amber advisory with its tick, not a red error.
            await expect(advisory).to_be_visible()
            await expect(tab.locator(".govuk-error-summary")).to_have_count(0)
            await expect(tab.locator(".govuk-form-group--error")).to_have_count(0)
            await expect(tab).not_to_have_title(re.compile("^Error"))
            colour = await advisory.evaluate("e => getComputedStyle(e).borderLeftColor")
            assert colour == "rgb(244, 119, 56)", colour  # amber, as the upload check
            await axe_check(tab)
            await tab.get_by_label("Please confirm selections").check()
            await tab.get_by_role("button", name="Create user").click()
            await expect(tab).to_have_url(re.compile(r"/admin/users/pending\?added="))
            await expect(tab.locator("#pending-notice")).to_contain_text(f"Gwen Ovner{who} has been added")
            assert not tab.problems.all(), tab.problems.all()
        finally:
            await context.close()


async def test_governor_advisory_on_the_user_page(page, server, first_hour):
    await page.set_viewport_size(WIDE)
    await sign_in(page, first_hour["administrator"], "admin")
    await page.goto("/admin/users")
    await page.get_by_role("link", name=first_hour["user"]["name"]).click()
    advisory = page.locator("#governor-advisory")
    await expect(advisory).to_be_hidden()
    await page.get_by_label("Governor", exact=True).check()
    await expect(advisory).to_be_visible()  # the user has full access already
    await assert_front_end_loaded(page)
    await axe_check(page)


async def test_deactivate_asks_first_naming_the_person(browser, server, first_hour):
    context, tab, errors = await new_page(browser, server, javascript=False)
    try:
        await sign_in(tab, first_hour["administrator"], "admin")
        await tab.goto("/admin/users")
        name = first_hour["user"]["name"]
        await tab.get_by_role("link", name=name).click()
        await tab.get_by_role("button", name="Deactivate account").click()
        await expect(tab.get_by_role("heading", level=1)).to_have_text(f"Deactivate {name}?")
        await expect(tab.locator("main")).to_contain_text("signed out at once")
        await axe_check(tab)
        await tab.get_by_role("link", name=re.compile("No, cancel")).click()
        await expect(tab.get_by_role("button", name="Deactivate account")).to_be_visible()
        await tab.get_by_role("button", name="Deactivate account").click()
        await tab.get_by_role("button", name=f"Yes, deactivate {name}").click()
        await expect(tab.get_by_role("region", name="Success")).to_contain_text(
            f"{name}'s account has been deactivated")
        await expect(tab.get_by_role("button", name="Reactivate account")).to_be_visible()
        await axe_check(tab)
        assert not tab.problems.all(), tab.problems.all()
    finally:
        await context.close()


async def test_reissue_code_names_the_person_and_points_to_the_code(browser, server, first_hour):
    locked = first_hour["locked"]
    for javascript in (True, False):
        context, tab, errors = await new_page(browser, server, javascript=javascript)
        try:
            await sign_in(tab, first_hour["administrator"], "admin")
            await tab.goto("/admin/users/pending")
            row = tab.locator(f"#pending-{locked['id']}")
            await row.get_by_role("button", name=f"Reissue code for {locked['name']}").click()
            banner = tab.locator("#pending-notice")
            await expect(banner).to_contain_text(f"A new activation code has been issued for {locked['name']}")
            code = (await banner.locator(".app-code").inner_text()).strip()
            assert re.fullmatch(r"[A-Z0-9]{8}", code)
            await expect(row.locator(".app-code")).to_have_text(code)  # the same code in the row
            await expect(row).not_to_contain_text("Locked")
            await banner.get_by_role("link", name="print their welcome letter").click()
            await expect(tab.locator(".app-letter__code")).to_have_text(code)
            await axe_check(tab)
            assert not tab.problems.all(), tab.problems.all()
            # The JavaScript-off round needs the code locked again: seed a fresh school.
            first_hour = seed(server, "first_hour")
            locked = first_hour["locked"]
        finally:
            await context.close()


async def test_add_an_administrator_says_when_the_limit_is_reached(browser, server, first_hour):
    context, tab, errors = await new_page(browser, server, javascript=False)
    try:
        await sign_in(tab, first_hour["administrator"], "admin")
        await tab.goto("/admin/administrators/add")
        await expect(tab.locator("#administrator-limit")).to_contain_text(
            "already has 2 administrators (pending or active): you cannot add another")
        await expect(tab.get_by_label("Forename")).to_have_count(0)
        await axe_check(tab)
        # Deleting the pending administrator makes room: the form is offered again.
        await tab.goto("/admin/users/pending")
        row = tab.locator(f"#pending-{first_hour['second_administrator']}")
        await row.get_by_role("button", name=re.compile("^Delete user")).click()
        await tab.get_by_role("button", name="Delete pending user").click()
        await tab.goto("/admin/administrators/add")
        await expect(tab.locator("#administrator-limit")).to_contain_text("you can add 1 more")
        await expect(tab.get_by_label("Forename")).to_be_visible()
        assert not tab.problems.all(), tab.problems.all()
    finally:
        await context.close()


async def test_one_menu_item_is_highlighted(page, server, first_hour):
    await sign_in(page, first_hour["administrator"], "admin")
    menu = page.locator(".govuk-service-navigation")
    for path, group in (("/admin/users/add", "Add users"), ("/admin/users/upload", "Add users"),
                        ("/admin/users", "Manage users"), ("/admin/users/pending", "Manage users"),
                        (BENCHMARKS, "Target Setting")):
        await page.goto(path)
        active = menu.locator(".govuk-service-navigation__item--active")
        await expect(active).to_have_count(1)
        await expect(active).to_have_text(group)
        await expect(menu.locator("[aria-current]")).to_have_count(1)


async def test_manage_benchmarks_is_one_compact_row_per_subject(browser, server, first_hour):
    for javascript in (True, False):
        context, tab, errors = await new_page(browser, server, javascript=javascript)
        try:
            await sign_in(tab, first_hour["administrator"], "admin")
            await tab.goto(BENCHMARKS)
            table = tab.locator("#benchmarks-table")
            await expect(table.locator("tbody tr")).to_have_count(20)
            height = await table.evaluate("t => t.getBoundingClientRect().height")
            assert height <= 2 * WIDE["height"], f"the 20 subjects take {height}px"
            await assert_fits(tab)
            maths = tab.locator("#row-maths")
            # Each choice is a fieldset named after the subject; the scale is labelled.
            await expect(maths.get_by_role("group", name=re.compile("^Benchmark for Mathematics"))).to_have_count(1)
            await expect(maths.get_by_role("group", name="Set target as (Mathematics)")).to_have_count(1)
            await expect(tab.locator("#benchmarks-suggested")).to_contain_text("intelligent suggestion")
            await expect(maths).to_contain_text("16th percentile")
            await axe_check(tab)
            await maths.get_by_label("Very High (5)").check()
            await maths.get_by_label("A*-G").check()
            if javascript:
                await expect(tab.locator("#average-maths")).to_have_text(
                    re.compile(r"[A-G]\*?[+-]? \d\.\d points$"))
            await tab.get_by_role("button", name="Save").click()
            await expect(tab.get_by_role("alert")).to_contain_text("Benchmarks saved for KS4 Year 11.")
            await expect(tab.locator("#benchmarks-suggested")).to_have_count(0)
            await expect(tab.locator("#row-maths").get_by_label("Very High (5)")).to_be_checked()
            await expect(tab.locator("#average-maths")).to_have_text(re.compile(r"[A-G]\*?[+-]? \d\.\d points$"))
            assert not tab.problems.all(), tab.problems.all()
            first_hour = seed(server, "first_hour")
        finally:
            await context.close()


async def test_links_in_emails_follow_the_address_served(page, server, first_hour):
    """The test server runs on a random port without ASPIRE_BASE_URL: links must say that port."""
    await sign_in(page, first_hour["administrator"], "admin")
    address = f"lin.k.{first_hour['urn']}@browser.sch.uk"
    await page.goto("/admin/users/add")
    await page.get_by_label("Forename").fill("Lin")
    await page.get_by_label("Surname").fill("Kay")
    await page.get_by_label("Email address").fill(address)
    await page.get_by_role("button", name="Next").click()
    await page.get_by_label("Teacher", exact=True).check()
    await page.get_by_label("No access to pupil data, aggregate data only").check()
    await page.get_by_role("button", name="Create user").click()
    await expect(page).to_have_url(re.compile(r"/admin/users/pending\?added="))
    links = []
    for path in Path(server.env["ASPIRE_OUTBOX_DIR"]).glob("*.eml"):  # noqa: ASYNC240 (a few small files, test only)
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        if message["To"] == address:
            links += re.findall(r"https?://[^\s\"<>]+/sign-up/\S+", message.get_body(("plain",)).get_content())
    assert links and all(link.startswith(server.base_url + "/sign-up/") for link in links), links
    await page.locator("#pending-notice").get_by_role("link", name="Print their welcome letter").click()
    await expect(page.locator("main")).to_contain_text(server.base_url + "/sign-up")
    assert "127.0.0.1:8000" not in await page.content()
