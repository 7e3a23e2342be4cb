"""Database outages: a clean, quick 503 while the database is away or busy, recovery by itself.

PostgreSQL: the server under test reaches the machine's PostgreSQL through a TCP proxy the
test cuts (open connections closed, new ones refused) and restores; the machine's server is
never touched. SQLite: another process holds the write lock past the busy timeout.
"""

from __future__ import annotations

import re
import sqlite3
import time

import httpx
import pytest

from server.auth.sessions import COOKIE_NAMES
from tests.faults.serving import BASE_PG, Server, TcpProxy, migrate, scratch_database, server_environment

BOUND_SECONDS = 4.0  # each answer during an outage: timeouts are 1 s (connect) and 2 s (command)
TIMEOUTS = {"ASPIRE_DATABASE_TIMEOUT_SECONDS": "1", "ASPIRE_DATABASE_COMMAND_TIMEOUT_SECONDS": "2"}


def _timed(call) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def _answers(client: httpx.Client) -> dict[str, tuple[httpx.Response, float]]:
    """A page that reads the database (a session cookie is looked up), GraphQL with a token, /healthz."""
    return {
        "page": _timed(lambda: client.get("/admin", headers={"Cookie": f"{COOKIE_NAMES['admin']}=not-a-session"})),
        "graphql": _timed(lambda: client.post(
            "/graphql", json={"query": "{ viewer { username } }"},
            headers={"Authorization": "Bearer aspire_notarealtoken"})),
        "healthz": _timed(lambda: client.get("/healthz")),
    }


def _assert_unavailable(answers) -> None:
    for name, (response, seconds) in answers.items():
        print(f"  {name}: {response.status_code} in {seconds * 1000:.0f} ms")
        assert response.status_code == 503, (name, response.status_code, response.text[:300])
        assert seconds < BOUND_SECONDS, (name, seconds)
    page = answers["page"][0]
    assert page.headers["content-type"].startswith("text/html")
    assert "Sorry, the service is unavailable for a moment" in page.text
    assert "Traceback" not in page.text and 'class="govuk-template"' in page.text
    assert page.headers["retry-after"]
    body = answers["graphql"][0].json()
    assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert answers["healthz"][0].json()["status"] == "unavailable"


def _assert_up(answers) -> None:
    assert answers["page"][0].status_code == 303  # no such session: to the sign-in page
    assert answers["graphql"][0].status_code == 401
    assert answers["healthz"][0].status_code == 200


@pytest.mark.skipif(not BASE_PG, reason="PostgreSQL outage: set ASPIRE_TEST_DATABASE_URL")
def test_postgres_outage_answers_503_quickly_and_recovers(tmp_path):
    with TcpProxy("127.0.0.1", 5432) as proxy, scratch_database(tmp_path, "outage") as url:
        through_proxy = re.sub(r"@[^/]+/", f"@127.0.0.1:{proxy.port}/", url)
        env = server_environment(tmp_path, through_proxy, **TIMEOUTS)
        migrate(env)
        server = Server(env, tmp_path / "server.log").start()
        try:
            with httpx.Client(base_url=server.base_url, timeout=10, follow_redirects=False) as client:
                _assert_up(_answers(client))
                proxy.cut()
                print("\ndatabase cut:")
                for _ in range(2):  # the pool's closed connections, then refused new ones
                    _assert_unavailable(_answers(client))
                proxy.restore()
                deadline = time.monotonic() + 10
                while client.get("/healthz").status_code != 200:
                    assert time.monotonic() < deadline, "the server did not recover by itself"
                    time.sleep(0.1)
                print(f"recovered {10 - (deadline - time.monotonic()):.2f} s after the database returned")
                _assert_up(_answers(client))
        finally:
            server.stop()
        # Answered as outages, never as unhandled errors (asyncpg logs its own reconnect tries).
        assert "unhandled error" not in (tmp_path / "server.log").read_text()


def _csrf(client: httpx.Client, path: str) -> str:
    page = client.get(path)
    return re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)


@pytest.mark.skipif(bool(BASE_PG), reason="the SQLite run covers the locked file")
def test_sqlite_locked_database_answers_503_and_recovers(tmp_path):
    url = f"sqlite://{tmp_path / 'locked.sqlite3'}"
    env = server_environment(tmp_path, url, ASPIRE_DATABASE_TIMEOUT_SECONDS="0.5")
    migrate(env)
    server = Server(env, tmp_path / "server.log").start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=10, follow_redirects=False) as client:
            token = _csrf(client, "/sign-in")
            form = {"csrftoken": token, "loginName": "nobody@example.org.uk", "password": "wrong-password-1"}
            before = client.post("/sign-in", data=form)
            assert before.status_code in (200, 400, 422), before.status_code
            holder = sqlite3.connect(tmp_path / "locked.sqlite3", isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
            try:
                response, seconds = _timed(lambda: client.post("/sign-in", data=form))
                print(f"\nsign-in while the file is locked: {response.status_code} in {seconds * 1000:.0f} ms")
                assert response.status_code == 503, response.text[:300]
                assert seconds < BOUND_SECONDS
                assert "Sorry, the service is unavailable for a moment" in response.text
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            after = client.post("/sign-in", data=form)
            assert after.status_code == before.status_code
    finally:
        server.stop()
    assert "unhandled error" not in (tmp_path / "server.log").read_text()
