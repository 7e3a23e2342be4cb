"""What every page endpoint shares: run an operation in-process, render full page or fragment."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from server.context import Context, build_context
from server.operations import document
from server.pages import menus
from server.schema import schema

logger = logging.getLogger(__name__)

WEB = Path(__file__).resolve().parents[2] / "web"

templates = Jinja2Templates(
    env=Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(WEB / "templates"),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
)


class OperationFailed(Exception):
    """An operation answered with errors that are not a form's payload errors."""

    def __init__(self, errors: list) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors

    @property
    def code(self) -> str:
        for error in self.errors:
            code = (error.extensions or {}).get("code")
            if code:
                return code
        return "INTERNAL_SERVER_ERROR"


async def execute(
    request: Request, operation: str, variables: dict[str, Any] | None = None
) -> tuple[dict, Context]:
    """Execute a named operation as the signed-in viewer, with a fresh context."""
    context = build_context(request)
    result = await schema.execute(
        document(operation),
        variable_values=variables or {},
        context_value=context,
        operation_name=operation,
    )
    if result.errors:
        raise OperationFailed(result.errors)
    return result.data or {}, context


async def run(request: Request, operation: str, variables: dict[str, Any] | None = None) -> dict:
    data, _ = await execute(request, operation, variables)
    return data


def is_fragment_request(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    fragment: str | None = None,
) -> HTMLResponse:
    """The full page, or only its fragment when htmx asks for it."""
    name = fragment if fragment and is_fragment_request(request) else template
    data = {
        "viewer": getattr(request.state, "viewer", None),
        "area": "admin" if request.url.path.startswith("/admin") else "main",
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, data, status_code=status_code)


def _csp_nonce(request: Request) -> str:
    return request.scope.get("state", {}).get("csp_nonce", "")


def _csrf_token(request: Request) -> str:
    token = request.scope.get("csrftoken")
    return token() if callable(token) else ""


def uk_datetime(value: str | None) -> str:
    """31/08/2016 10:44 (UTC) from an ISO date-time, as the guide shows them."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(str(value)).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return str(value)


# Every filter and global of the templates is set here, once.
templates.env.filters["uk_datetime"] = uk_datetime
templates.env.globals["csp_nonce"] = _csp_nonce
templates.env.globals["admin_menu"] = menus.admin_menu
templates.env.globals["admin_groups"] = menus.admin_groups
templates.env.globals["main_menu"] = menus.MAIN_MENU
templates.env.globals["csrf_token"] = _csrf_token
