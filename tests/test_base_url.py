"""Links in emails and letters (issue 16 item 1): the address served in development, the
configured one in production, and a missing or mismatched one reported, never silent."""

from __future__ import annotations

import contextvars
import dataclasses
import logging

import pytest

from server import base_url
from server.settings import get_settings


def settings(**changes):
    return dataclasses.replace(get_settings(), **changes)


@pytest.fixture(autouse=True)
def no_hosts_seen(monkeypatch):
    monkeypatch.setattr(base_url, "_other_hosts", [])
    monkeypatch.delenv("ASPIRE_SERVED_URL", raising=False)


def in_request(scope, chosen):
    """public_base_url() as seen inside a request with this scope (a fresh context each)."""

    def run():
        base_url.note_request(scope, chosen)
        return base_url.public_base_url(chosen)

    return contextvars.copy_context().run(run)


def scope(server=("127.0.0.1", 8111), host=b"127.0.0.1:8111", scheme="http"):
    return {"type": "http", "scheme": scheme, "server": server, "headers": [(b"host", host)]}


def test_development_follows_the_address_served():
    dev = settings(environment="development", base_url="http://127.0.0.1:8000", base_url_configured=False)
    assert in_request(scope(), dev) == "http://127.0.0.1:8111"
    assert in_request(scope(server=("::1", 9000)), dev) == "http://[::1]:9000"
    assert in_request(scope(server=("localhost", 443), scheme="https"), dev) == "https://localhost"
    # The Host header a client sends is not trusted: the socket's own address is used.
    assert in_request(scope(host=b"evil.example"), dev) == "http://127.0.0.1:8111"
    # Outside a request: the address `aspire serve` was started on, else the default.
    assert base_url.public_base_url(dev) == "http://127.0.0.1:8000"


def test_aspire_serve_sets_the_served_address_for_links_outside_requests(monkeypatch):
    dev = settings(environment="development", base_url="http://127.0.0.1:8000", base_url_configured=False)
    monkeypatch.setenv("ASPIRE_SERVED_URL", "http://127.0.0.1:8111")
    assert base_url.public_base_url(dev) == "http://127.0.0.1:8111"


def test_a_configured_base_url_is_always_used():
    chosen = settings(environment="production", base_url="https://aspire.school.example",
                      base_url_configured=True)
    assert in_request(scope(host=b"aspire.school.example"), chosen) == "https://aspire.school.example"
    assert base_url.health(chosen) == {"status": "ok", "configured": "https://aspire.school.example"}


def test_production_reports_a_missing_base_url(caplog):
    missing = settings(environment="production", base_url="http://127.0.0.1:8000", base_url_configured=False)
    with caplog.at_level(logging.ERROR, logger="aspire.base_url"):
        base_url.report_at_startup(missing)
    assert "ASPIRE_BASE_URL is not set" in caplog.text
    assert base_url.health(missing) == {"status": "missing", "used": "http://127.0.0.1:8000"}
    # Never the request's address in production.
    assert in_request(scope(), missing) == "http://127.0.0.1:8000"


def test_production_reports_requests_for_another_host(caplog):
    chosen = settings(environment="production", base_url="https://aspire.school.example",
                      base_url_configured=True)
    with caplog.at_level(logging.WARNING, logger="aspire.base_url"):
        in_request(scope(host=b"aspire.school.example"), chosen)
        assert not caplog.text
        in_request(scope(host=b"10.0.0.5:8000"), chosen)
        in_request(scope(host=b"10.0.0.5:8000"), chosen)  # reported once
    assert caplog.text.count("Requests arrive for 10.0.0.5:8000") == 1
    assert base_url.health(chosen) == {
        "status": "differs", "configured": "https://aspire.school.example", "requests_for": ["10.0.0.5:8000"],
    }
    for n in range(20):  # anyone can send any Host: only a few are kept
        in_request(scope(host=f"h{n}.example".encode()), chosen)
    assert len(base_url.health(chosen)["requests_for"]) == base_url.MAX_HOSTS_KEPT


async def test_healthz_has_the_base_url_entry(client):
    answer = await client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json()["details"]["base_url"]["status"] == "ok"
