"""Pure ASGI middleware: request ids and logging, errors without stack traces, headers."""

from __future__ import annotations

import json
import logging
import secrets
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.observability import access_log, request_id_var
from server.outages import CODE, MESSAGE, RETRY_AFTER_SECONDS, is_database_unavailable

logger = logging.getLogger("aspire.errors")

MAX_BODY_BYTES = 6 * 1024 * 1024  # uploads are capped at 5 MB; forms are far smaller
MAX_GRAPHQL_BODY_BYTES = 64 * 1024


class RequestLogMiddleware:
    """One log line per request with its id; any unhandled error becomes a plain 500 page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = {"code": 500, "sent": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["sent"] = True
                MutableHeaders(scope=message)["X-Request-Id"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as error:
            if is_database_unavailable(error):
                logger.warning("database unavailable on %s %s: %r", scope["method"], scope["path"], error)
                if not status["sent"]:
                    await unavailable(scope, send_wrapper, request_id)
                return
            logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if not status["sent"]:
                await _plain_error(send_wrapper, 500, request_id)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            access_log.info(
                '%s %s %s %.1fms', scope["method"], scope["path"], status["code"], elapsed
            )
            request_id_var.reset(token)


async def unavailable(scope: Scope, send: Send, request_id: str) -> None:
    """503 when the database is away or busy: JSON with a code for /graphql, else the site's page."""
    retry = [(b"retry-after", str(RETRY_AFTER_SECONDS).encode()), (b"cache-control", b"no-store")]
    if scope["path"] == "/graphql":
        body = json.dumps({"errors": [{"message": MESSAGE, "extensions": {"code": CODE}}]}).encode()
        await _send_body(send, 503, b"application/json", body, retry)
        return
    await send_page(scope, send, 503, retry)


async def send_page(scope: Scope, send: Send, status: int, extra_headers: list | None = None) -> None:
    """An error page in the site's style (layout, no menu: the viewer may be unknown)."""
    from starlette.requests import Request

    from server.pages.errors import error_page

    try:
        response = error_page(Request(scope), status)
        body = bytes(response.body)
    except Exception:  # the page itself must never fail: fall back to plain words
        logger.exception("error page %s could not be rendered", status)
        body = b"<!DOCTYPE html><html lang=en><title>Error</title><h1>Sorry, try again later.</h1></html>"
    await _send_body(send, status, b"text/html; charset=utf-8", body, extra_headers or [])


async def _send_body(send: Send, status: int, content_type: bytes, body: bytes, extra_headers: list) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                        *extra_headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _plain_error(send: Send, status: int, request_id: str) -> None:
    body = (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        "<title>Sorry, there is a problem with the service</title></head><body>"
        "<h1>Sorry, there is a problem with the service</h1>"
        f"<p>Try again later. If you contact support, quote reference {request_id}.</p>"
        "</body></html>"
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimitMiddleware:
    """Refuses over-large bodies before anything reads them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = MAX_GRAPHQL_BODY_BYTES if scope["path"] == "/graphql" else MAX_BODY_BYTES
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(scope, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await _too_large(scope, send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(scope: Scope, send: Send) -> None:
    if scope["path"] == "/graphql":
        body = (
            b'{"errors":[{"message":"The request is too large.",'
            b'"extensions":{"code":"BAD_USER_INPUT"}}]}'
        )
        content_type = b"application/json"
    else:
        body = b"The file or form is too large. Files can be at most 5 MB."
        content_type = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    """CSP with a per-request nonce and the other headers, on every response."""

    def __init__(self, app: ASGIApp, https: bool = False) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = (
                    f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
                    f"style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; "
                    "font-src 'self' data:; connect-src 'self'; form-action 'self'; "
                    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
                )
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                if "cache-control" not in headers and not scope["path"].startswith("/static/"):
                    headers["Cache-Control"] = "no-store"
                if self.https:
                    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
            await send(message)

        await self.app(scope, receive, send_wrapper)
