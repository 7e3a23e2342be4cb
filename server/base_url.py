"""The address that links in emails and letters start with (issue 16 item 1).

- ASPIRE_BASE_URL set: always that.
- Development without it: the address the request actually arrived on (the socket's own
  address from the ASGI scope, never the Host header a client sends), else the one `aspire
  serve` was started on (ASPIRE_SERVED_URL, set by the command), else http://127.0.0.1:8000.
  `aspire serve --port 8111` therefore sends links to port 8111.
- Production: a missing ASPIRE_BASE_URL, or requests arriving for another host than it names,
  are reported (logged at start-up or on the first such request, and in /healthz's details),
  never used silently.
"""

from __future__ import annotations

import logging
import os
from contextvars import ContextVar
from urllib.parse import urlsplit

from server.settings import Settings, get_settings

logger = logging.getLogger("aspire.base_url")

_served: ContextVar[str | None] = ContextVar("served_base_url", default=None)
# Hosts seen on requests that differ from ASPIRE_BASE_URL's (production); a few at most, as
# anyone can send any Host header.
_other_hosts: list[str] = []
MAX_HOSTS_KEPT = 5
DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(scheme: str, host: str, port: int | None) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    if port is None or DEFAULT_PORTS.get(scheme) == port:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def public_base_url(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    if settings.base_url_configured or not settings.is_development:
        return settings.base_url
    return _served.get() or os.environ.get("ASPIRE_SERVED_URL", "").rstrip("/") or settings.base_url


def note_request(scope, settings: Settings | None = None) -> None:
    """Called once per HTTP request: remembers where it arrived (development), or reports a
    Host that differs from the configured base URL (production)."""
    settings = settings or get_settings()
    if not settings.base_url_configured and settings.is_development:
        server = scope.get("server")
        if server and server[0]:
            _served.set(_origin(scope.get("scheme", "http"), server[0], server[1]))
        return
    if settings.is_development or not settings.base_url_configured:
        return
    host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), "")
    expected = urlsplit(settings.base_url).netloc.lower()
    seen = host.strip().lower()[:200]
    if seen and seen != expected and seen not in _other_hosts and len(_other_hosts) < MAX_HOSTS_KEPT:
        _other_hosts.append(seen)
        logger.warning(
            "Requests arrive for %s but ASPIRE_BASE_URL is %s: links in emails and letters "
            "point there. Set ASPIRE_BASE_URL to the address people use.",
            seen, settings.base_url,
        )


def report_at_startup(settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    if not settings.is_development and not settings.base_url_configured:
        logger.error(
            "ASPIRE_BASE_URL is not set: links in emails and letters would start with %s. "
            "Set it to the address people use (https://...).",
            settings.base_url,
        )


def health(settings: Settings | None = None) -> dict:
    """The base URL entry of /healthz's details."""
    settings = settings or get_settings()
    if settings.base_url_configured:
        if _other_hosts and not settings.is_development:
            return {"status": "differs", "configured": settings.base_url, "requests_for": list(_other_hosts)}
        return {"status": "ok", "configured": settings.base_url}
    if settings.is_development:
        return {"status": "ok", "follows": "the address requests arrive on (development)"}
    return {"status": "missing", "used": settings.base_url}
