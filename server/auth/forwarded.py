"""Warns once when requests carry X-Forwarded-For from a proxy uvicorn was not told to trust.

Per-address sign-in limits key on the client address. Behind a proxy, uvicorn replaces it
with the address in X-Forwarded-For only for proxies named in --forwarded-allow-ips (passed
through `aspire serve`). When it does not, the address seen is the proxy's, and every person
behind it shares one limit. uvicorn leaves the header in place either way: an address seen
that is not among the forwarded ones means the proxy was not trusted.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger("aspire.security")


def forwarded_addresses(scope: Scope) -> list[str] | None:
    values = [v.decode("latin-1") for k, v in scope.get("headers") or [] if k == b"x-forwarded-for"]
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


class UntrustedProxyWarning:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.warned = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.warned and scope["type"] == "http":
            forwarded = forwarded_addresses(scope)
            client = (scope.get("client") or (None,))[0]
            if forwarded and client and client not in forwarded:
                self.warned = True
                logger.warning(
                    "Requests arrive with X-Forwarded-For from %s, which is not a trusted proxy: "
                    "per-address sign-in limits count everyone behind it as one address. If it "
                    "is your proxy, start with `aspire serve --forwarded-allow-ips %s`.",
                    client,
                    client,
                )
        await self.app(scope, receive, send)
