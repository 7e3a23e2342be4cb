"""For browser tests: making data, and checking accessibility and the front end under the CSP."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path

from playwright.async_api import expect

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SEED = Path(__file__).with_name("seed.py")


PUPILS_SEED = ROOT / "tests" / "target_settings" / "browser_seed.py"


def run_seed(server, script: Path, *args: str) -> str:
    """Run a seed script against the server's database; what it printed."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(script), *args], cwd=ROOT, env=server.env, capture_output=True,
        text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def seed(server, scenario: str) -> dict:
    """Make a scenario's data in the server's database; returns what seed.py describes."""
    return json.loads(run_seed(server, SEED, scenario))


def school_with_pupils(server) -> dict:
    """seed.py's "school", with Years 7-13 of pupils (tests/target_settings/browser_seed.py)."""
    made = seed(server, "school")
    run_seed(server, PUPILS_SEED, made["urn"])
    return made


async def sign_in(page, account: dict, area: str = "main") -> None:
    """Sign in through the form of the administration site ("admin") or the main site."""
    await page.goto("/admin/sign-in" if area == "admin" else "/sign-in")
    await page.get_by_label("Login name").fill(account["login_name"])
    await page.get_by_label("Password").fill(account["password"])
    await page.get_by_role("button", name="Sign in").click()
    if area == "admin":
        await expect(page).to_have_url(re.compile(r"/admin$"))
    else:
        await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)


async def _timers_run(page) -> bool:
    """False in a context with JavaScript off: DevTools still evaluates, but no timer fires,
    so axe.run (which waits on timers) would never settle."""
    try:
        return await asyncio.wait_for(
            page.evaluate("() => new Promise(done => setTimeout(() => done(true), 0))"), 2)
    except TimeoutError:
        return False


async def axe_check(page) -> None:
    """Run axe-core in the page; fail on any serious or critical violation, listing them.

    The script goes in through `page.evaluate` (DevTools, not a <script> tag), so the page's
    Content-Security-Policy stays on. A page shown with JavaScript off is checked as it is:
    its HTML, without scripts, in a scratch page of the same address that can run axe.
    """
    if getattr(page, "javascript", None) is False or not await _timers_run(page):
        await _axe_check_as_shown(page)
        return
    await _run_axe(page)


async def axe_check_within(page, seconds: float = 30) -> None:
    """axe_check, failing after `seconds` rather than hanging the run."""
    await asyncio.wait_for(axe_check(page), seconds)


async def _axe_check_as_shown(page) -> None:
    html = SCRIPT.sub("", await page.content())
    address = page.url.split("#")[0]  # a request's address has no fragment
    scratch = await page.context.browser.new_context(viewport=page.viewport_size)
    try:
        copy = await scratch.new_page()
        copy.set_default_timeout(10_000)
        await copy.route(lambda url: url.split("#")[0] == address, lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=html))
        await copy.goto(address)
        await _run_axe(copy)
    finally:
        await scratch.close()


async def _run_axe(page) -> None:
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    result = await page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"accessibility violations on {page.url}:\n" + "\n".join(
        f"- [{v['impact']}] {v['id']}: {v['help']} "
        f"({', '.join(str(node['target']) for node in v['nodes'])})"
        for v in serious
    )


async def assert_front_end_loaded(page) -> None:
    """htmx and GOV.UK Frontend loaded and ran under the CSP, and no CSP violation so far."""
    # app.js adds the class, then GOV.UK Frontend's initAll() marks each component it started.
    # A click that navigates returns once the new page has begun to arrive, before its body
    # is parsed: wait for the document, and never read a body that is not there yet.
    await page.wait_for_load_state("domcontentloaded")
    await page.wait_for_function(
        "() => document.body !== null"
        " && document.body.classList.contains('govuk-frontend-supported')"
    )
    not_started = await page.evaluate(
        """() => [...document.querySelectorAll('[data-module]')]
                 .filter(element => !element.hasAttribute(`data-${element.dataset.module}-init`))
                 .map(element => element.dataset.module)"""
    )
    assert not not_started, f"GOV.UK Frontend did not start: {not_started}"
    config = await page.evaluate("() => window.htmx && window.htmx.config")
    assert config, "htmx did not load"
    assert config["allowEval"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["historyCacheSize"] == 0
    assert config["selfRequestsOnly"] is True
    body_margin = await page.evaluate("() => getComputedStyle(document.body).margin")
    assert body_margin == "0px", "govuk.css did not apply"
    assert not page.problems.all(), "\n".join(page.problems.all())
