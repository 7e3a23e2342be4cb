"""Hostile sizes against a real server: each refused clearly, another client unaffected."""

from __future__ import annotations

import pytest

from tests.faults.hostile import CASES, EXPECTED, while_running
from tests.faults.serving import Server, migrate, server_environment

BOUND_SECONDS = 3.0  # generous: the other client's slowest request during any case


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    env = server_environment(folder, f"sqlite://{folder / 'hostile.sqlite3'}",
                             ASPIRE_REQUEST_BODY_TIMEOUT_SECONDS="1")
    migrate(env)
    running = Server(env, folder / "server.log").start()
    yield running
    running.stop()


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_request_is_refused_and_others_are_served(server, case):
    (status, body), latency, seconds = while_running(server.base_url, lambda: CASES[case](server.port))
    print(f"\n{case}: {status} in {seconds:.2f} s; other client: {latency}")
    assert status in EXPECTED[case], (status, body[:300])
    text = body.decode("utf-8", "replace")
    if case.endswith("/graphql"):
        assert '"BAD_USER_INPUT"' in text
    elif status != 400 or case != "1,000 headers":  # uvicorn's own 400 is plain text
        assert 'class="govuk-template"' in text and "Traceback" not in text
    assert latency.samples, "the other client was not served at all"
    assert latency.max_ms < BOUND_SECONDS * 1000
