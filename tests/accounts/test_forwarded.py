"""Issue 18: behind a proxy not trusted, say so once (a warning), not per request."""

from __future__ import annotations

import logging

import httpx

from server.app import create_app


async def get(app, client_host, forwarded=None):
    transport = httpx.ASGITransport(app=app, client=(client_host, 50000))
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        return await browser.get("/sign-in", headers=headers)


def warnings(caplog):
    return [r for r in caplog.records if r.name == "aspire.security" and r.levelno == logging.WARNING]


async def test_forwarded_for_from_an_untrusted_proxy_is_warned_about_once(caplog):
    app = create_app(open_database=False)
    caplog.set_level(logging.WARNING, logger="aspire.security")
    for _ in range(3):
        assert (await get(app, "10.1.2.3", "198.51.100.7")).status_code == 200
    [warning] = warnings(caplog)
    assert "10.1.2.3" in warning.getMessage() and "--forwarded-allow-ips 10.1.2.3" in warning.getMessage()


async def test_no_warning_when_the_proxy_is_trusted_or_absent(caplog):
    app = create_app(open_database=False)
    caplog.set_level(logging.WARNING, logger="aspire.security")
    # Trusted: uvicorn has already put the forwarded address in place of the proxy's.
    assert (await get(app, "198.51.100.7", "198.51.100.7")).status_code == 200
    assert (await get(app, "198.51.100.8")).status_code == 200
    assert warnings(caplog) == []
