"""Error pages: clear words, never a stack trace."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.auth.passwords import ClientGone
from server.outages import is_database_unavailable
from server.pages.rendering import OperationFailed, render

MESSAGES = {
    400: ("The request could not be understood", "Check what you entered and try again."),
    403: ("You do not have permission to see this page", "Ask your administrator if you need access."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("Page not found", "If you typed the web address, check it is correct."),
    408: ("The request took too long to arrive", "Check your connection and try again."),
    413: ("The file is too large", "Files can be at most 5 MB."),
    431: ("The request could not be understood", "It had too many or too large headers. "
          "Close the browser, open it again and try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
    503: ("Sorry, the service is unavailable for a moment", "Try again in a few seconds. "
          "Nothing you entered has been saved; if you were sending a form, send it again."),
}


def error_page(request: Request, status: int, message: str | None = None) -> Response:
    title, body = MESSAGES.get(status, MESSAGES[500])
    body = message or body
    return render(request, "errors/error.html", {"title": title, "body": body,
                                                  "request_id": request.scope.get("state", {}).get("request_id")},
                  status_code=status)


async def http_error(request: Request, exc: HTTPException) -> Response:
    return error_page(request, exc.status_code)


async def operation_failed(request: Request, exc: OperationFailed) -> Response:
    if exc.code == "UNAUTHENTICATED":
        sign_in = "/admin/sign-in" if request.url.path.startswith("/admin") else "/sign-in"
        return RedirectResponse(sign_in, status_code=303)
    if exc.code == ClientGone.code:
        return Response(status_code=ClientGone.status)
    status = {"FORBIDDEN": 403, "NOT_FOUND": 404, "BAD_USER_INPUT": 400,
              "SERVICE_UNAVAILABLE": 503}.get(exc.code, 500)
    return error_page(request, status)


async def server_error(request: Request, exc: Exception) -> Response:
    return error_page(request, 503 if is_database_unavailable(exc) else 500)


def error_handlers() -> dict:
    return {HTTPException: http_error, OperationFailed: operation_failed, Exception: server_error}
