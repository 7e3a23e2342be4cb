"""Pure ASGI middleware: request ids and logging, errors without stack traces, headers."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
import uuid

from python_multipart.exceptions import MultipartParseError
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.auth import passwords
from server.observability import access_log, request_id_var
from server.outages import CODE, MESSAGE, RETRY_AFTER_SECONDS, is_database_unavailable

logger = logging.getLogger("aspire.errors")

MAX_BODY_BYTES = 6 * 1024 * 1024  # uploads are capped at 5 MB; forms are far smaller
MAX_GRAPHQL_BODY_BYTES = 64 * 1024
MAX_FORM_BYTES = 1024 * 1024  # url-encoded forms: a full target grid is ~100 KB
MAX_FORM_FIELDS = 20_000
MAX_FIELD_CHARS = 2_000  # the longest stored text is 255 characters
MAX_HEADERS = 100
MAX_HEADER_BYTES = 16 * 1024
MIN_BODY_RATE = 16 * 1024  # bytes a second: each byte received extends the body's deadline


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


async def send_page(scope: Scope, send: Send, status: int, extra_headers: list | None = None,
                    message: str | None = None) -> None:
    """An error page in the site's style (layout, no menu: the viewer may be unknown)."""
    from starlette.requests import Request

    from server.pages.errors import error_page

    try:
        response = error_page(Request(scope), status, message)
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
    """Refuses hostile requests before anything reads them, each with a clear answer (the
    site's page, or JSON for /graphql) and without holding up anyone else:

    - a body over its limit (413): declared, or counted as it arrives;
    - more than MAX_HEADERS headers or MAX_HEADER_BYTES of them (431);
    - a body that has not fully arrived within `body_timeout` seconds, plus the time its bytes
      take at MIN_BODY_RATE (408: a slowloris trickle);
    - a form (url-encoded) over MAX_FORM_BYTES, or with a field over MAX_FIELD_CHARS (400).
    """

    def __init__(self, app: ASGIApp, body_timeout: float = 30.0) -> None:
        self.app = app
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_headers = scope["headers"]
        if len(raw_headers) > MAX_HEADERS or sum(len(k) + len(v) for k, v in raw_headers) > MAX_HEADER_BYTES:
            await refuse(scope, send, 431, "The request has too many or too large headers.")
            return
        headers = dict(raw_headers)
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        is_form = content_type == b"application/x-www-form-urlencoded"
        if scope["path"] == "/graphql" and content_type != b"multipart/form-data":
            limit = MAX_GRAPHQL_BODY_BYTES
        elif is_form:
            limit = MAX_FORM_BYTES
        else:
            limit = MAX_BODY_BYTES
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(scope, send)
            return
        loop = asyncio.get_running_loop()
        started = loop.time()
        state = {"received": 0, "done": False}

        async def limited_receive() -> Message:
            if state["done"]:  # the body is in: later receives wait for a disconnect, unbounded
                return await receive()
            # body_timeout, plus the time the bytes so far take at MIN_BODY_RATE: a large upload
            # over a slow school link gets through, a trickle of a few bytes a second does not.
            deadline = started + self.body_timeout + state["received"] / MIN_BODY_RATE
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise _BodyTooSlow() from None
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    raise _BodyTooLarge()
                if not message.get("more_body", False):
                    state["done"] = True
            return message

        async def gone() -> bool:
            """Without waiting: has the client closed the connection? Only once the body is
            in, so that no part of it is taken from the application."""
            if not state["done"]:
                return False
            message = asyncio.ensure_future(receive())
            await asyncio.sleep(0)  # a closed connection answers at once
            if not message.done():
                message.cancel()
                return False
            return message.result()["type"] == "http.disconnect"

        watching = passwords.client_gone.set(gone)
        app_receive = limited_receive
        try:
            if is_form and scope["method"] in {"POST", "PUT", "PATCH"}:
                body = await _read_all(limited_receive)
                problem = _form_problem(body)
                if problem:
                    await refuse(scope, send, 400, problem)
                    return
                app_receive = _replay(body, receive)
            await self.app(scope, app_receive, send)
        except _BodyTooLarge:
            await _too_large(scope, send)
        except _BodyTooSlow:
            await refuse(scope, send, 408, "The request body did not arrive in time.")
        except _ClientGone:
            return
        except MultipartParseError:  # raised while the CSRF check reads a malformed form
            await refuse(scope, send, 400, "The form could not be read. Send it again from the page.")
        finally:
            passwords.client_gone.reset(watching)


async def _read_all(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise _ClientGone()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _form_problem(body: bytes) -> str | None:
    """What is wrong with a url-encoded form, in words for the person; None when nothing."""
    from urllib.parse import parse_qsl

    try:
        fields = parse_qsl(body.decode("latin-1"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        return f"The form has too many fields: at most {MAX_FORM_FIELDS:,} can be sent at once."
    if any(len(value) > MAX_FIELD_CHARS for _, value in fields):
        return (f"A field is too long: each can be at most {MAX_FIELD_CHARS:,} characters. "
                "Shorten it and send the form again.")
    return None


class _BodyTooLarge(Exception):
    pass


class _BodyTooSlow(Exception):
    pass


class _ClientGone(Exception):
    pass


async def refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["path"] == "/graphql":
        body = json.dumps({"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}).encode()
        await _send_body(send, status, b"application/json", body, [(b"connection", b"close")])
    else:
        await send_page(scope, send, status, [(b"connection", b"close")], message)


async def _too_large(scope: Scope, send: Send) -> None:
    if scope["path"] == "/graphql":
        await refuse(scope, send, 413, "The request is too large.")
    else:
        await refuse(scope, send, 413, "The file or form is too large. Files can be at most 5 MB.")


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
