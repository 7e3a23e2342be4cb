"""create_app(): routes, middleware and the database lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib

import asgi_csrf as asgi_csrf_module
from asgi_csrf import asgi_csrf
from python_multipart import FormParser
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from tortoise import connections
from tortoise.contrib.starlette import RegisterTortoise

from server import base_url
from server.auth.forwarded import UntrustedProxyWarning
from server.auth.viewer import resolve_viewer
from server.graphql_app import graphql_endpoint, graphql_websocket
from server.middleware import BodySizeLimitMiddleware, RequestLogMiddleware, SecurityHeadersMiddleware
from server.outages import RETRY_AFTER_SECONDS
from server.pages import auth as auth_pages
from server.pages import home as home_pages
from server.pages.errors import error_handlers
from server.pages.rendering import WEB
from server.settings import Settings, get_settings


def _csrf_form_parser(content_type, on_field, on_file, boundary=None, FileClass=None, **kwargs):  # noqa: N803
    """asgi-csrf 0.11 passes FileClass, which python-multipart 0.0.34 no longer accepts (every
    multipart POST with a cookie was a 500). A file part that ends before the csrftoken field
    is refused, as asgi-csrf intends: forms put the token before the file input."""

    def file_before_token(_file) -> None:
        raise asgi_csrf_module.FileBeforeToken

    return FormParser(content_type, on_field, file_before_token, boundary=boundary, **kwargs)


asgi_csrf_module.FormParser = _csrf_form_parser


async def healthz(request: Request) -> Response:
    """200 when the database answers within the configured timeout, else 503 (never hangs)."""
    settings = get_settings()
    try:
        await asyncio.wait_for(
            connections.get("default").execute_query("SELECT 1"), settings.database_timeout_seconds
        )
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503,
                            headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return JSONResponse({"status": "ok", "details": {"base_url": base_url.health()}})


class ViewerMiddleware:
    """Resolves the viewer once per request (session cookie or Bearer token)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(("/static/", "/healthz")):
            base_url.note_request(scope)
            scope.setdefault("state", {})["viewer"] = await resolve_viewer(Request(scope))
        await self.app(scope, receive, send)


def page_routes() -> list:
    from server.pages import PAGE_MODULES

    found: list = []
    for name in PAGE_MODULES:
        found.extend(importlib.import_module(name).routes)
    return found


def routes() -> list:
    return [
        Route("/healthz", healthz),
        Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql_websocket),
        Route("/", home_pages.home),
        Route("/sign-in", auth_pages.sign_in_page("main"), methods=["GET", "POST"]),
        Route("/sign-out", auth_pages.sign_out, methods=["POST"]),
        Route("/admin", home_pages.admin_home),
        Route("/admin/sign-in", auth_pages.sign_in_page("admin"), methods=["GET", "POST"]),
        Route("/admin/sign-out", auth_pages.sign_out, methods=["POST"]),
        *page_routes(),
        Mount("/static", StaticFiles(directory=WEB / "static", check_dir=False), name="static"),
    ]


def create_app(settings: Settings | None = None, *, open_database: bool = True) -> Starlette:
    settings = settings or get_settings()
    base_url.report_at_startup(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        if not open_database:
            yield
            return
        import logging

        from server.observability import configure_logging
        from server.scheduling import upkeep_task, webhook_task

        if not logging.getLogger().handlers:
            # A worker process of `aspire serve --workers N` starts without the parent's
            # logging set-up: without this its upkeep and error logs would be lost.
            configure_logging(settings.log_level)

        async with (RegisterTortoise(app, config=settings.tortoise_config()), upkeep_task(settings),
                   webhook_task(settings)):
            # What start-up made lives as long as the process: the collector stops walking
            # it, so full collections under load take milliseconds, not tens of them.
            gc.collect()
            gc.freeze()
            yield

    def csrf(app):
        return asgi_csrf(
            app,
            signing_secret=str(settings.secret_key),
            cookie_secure=settings.secure_cookies,
            cookie_samesite="Lax",
            always_set_cookie=True,
        )

    app = Starlette(
        routes=routes(),
        lifespan=lifespan,
        exception_handlers=error_handlers(),
        middleware=[
            Middleware(SecurityHeadersMiddleware, https=settings.secure_cookies),
            Middleware(RequestLogMiddleware),
            Middleware(UntrustedProxyWarning),
            Middleware(BodySizeLimitMiddleware, body_timeout=settings.request_body_timeout_seconds),
            Middleware(csrf),
            Middleware(ViewerMiddleware),
        ],
    )
    return app
