"""Browser tests: the real app under uvicorn, driven through Debian's Chromium by Playwright.

One server per pytest process with its own database, migrated with `aspire migrate`: a SQLite
file, or, when ASPIRE_TEST_DATABASE_URL names a PostgreSQL server (make test's second run), a
database of its own there. One browser, and a fresh browser context per test. Tests make their
data with tests.browser.helpers.seed(server, scenario): tests/browser/seed.py in a subprocess,
against the server's database.

The browser tests are skipped only when /usr/bin/chromium is absent (`make test` installs it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.browser.helpers import ROOT, seed

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
# Importing the app alone took 10 s on the shared 2-core machine at load 16.
STARTUP_SECONDS = 90
BASE_PG = os.environ.get("ASPIRE_TEST_DATABASE_URL")


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _drop_and_create(name: str, create: bool) -> None:
    import asyncpg

    admin = await asyncpg.connect(BASE_PG.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
async def server_database_url(tmp_path_factory):
    """The test server's database: not the one the in-process tests use and empty between tests."""
    if not BASE_PG:
        yield f"sqlite://{tmp_path_factory.mktemp('browser-database') / 'browser.sqlite3'}"
        return
    # Modules outside tests/browser import these fixtures, so each has its own instance: the
    # name is one instance's, or a later module's set-up would drop an earlier one's database.
    # (Random, not counted: pytest's conftest and `tests.browser.conftest` are two modules.)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"aspire_browser_{worker}_{uuid.uuid4().hex[:12]}"
    await _drop_and_create(name, create=True)
    yield f"{BASE_PG.rpartition('/')[0]}/{name}"
    await _drop_and_create(name, create=False)


@pytest.fixture(scope="session")
def server(tmp_path_factory, server_database_url) -> Server:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (make test does, as root)")
    if not (ROOT / "web" / "static" / "vendor" / "govuk.css").exists():
        pytest.fail("web/static/vendor is not built: run `make install` (npm ci && npm run build)")
    folder = tmp_path_factory.mktemp("browser-server")
    env = {
        **os.environ,
        "ASPIRE_ENV": "test",
        "ASPIRE_DATABASE_URL": server_database_url,
        "ASPIRE_SECRET_KEY": "browser-test-secret-key-" + "y" * 32,
        "ASPIRE_OUTBOX_DIR": str(folder / "outbox"),
    }
    for name in ("ASPIRE_REDIS_URL", "ASPIRE_SMTP_URL", "ASPIRE_BASE_URL"):
        env.pop(name, None)
    migrated = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "server.cli", "migrate"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )
    if migrated.returncode:
        pytest.fail(f"aspire migrate failed:\n{migrated.stdout}{migrated.stderr}")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(base_url, process, log)
        yield Server(base_url=base_url, env=env, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_healthy(base_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the test server exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the test server did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def school(server) -> dict:
    """A school with a user and an administrator (seed.py's "school" scenario)."""
    return seed(server, "school")


@pytest.fixture(scope="session")
async def browser(server):
    # The async API: the sync one runs its own event loop, which pytest-asyncio's fixtures
    # (the database, table cleaning) cannot share.
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


@dataclass
class PageProblems:
    """What went wrong in a page during a test: CSP violations, script errors, failed assets."""

    csp: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return self.csp + self.errors + self.failed


@pytest.fixture
async def page(browser, server):
    context = await browser.new_context(base_url=server.base_url)
    page = await context.new_page()
    problems = PageProblems()

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            problems.csp.append(f"console {message.type}: {message.text}")

    def on_response(response) -> None:
        if response.status >= 400 and "/static/" in response.url:
            problems.failed.append(f"{response.status} {response.url}")

    def on_request_failed(request) -> None:
        # Aborted is the page moving on (a click, the end of the test) with a request such as
        # the favicon still in flight: not the server failing to serve it.
        if "ERR_ABORTED" not in (request.failure or ""):
            problems.failed.append(f"failed {request.url}: {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.errors.append(f"page error: {error}"))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    page.problems = problems
    yield page
    found = problems.all()
    await context.close()
    assert not found, "\n".join(found)
