"""Sign-in and sign-out pages for the main site and the administration site."""

from __future__ import annotations

from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.auth.sessions import COOKIE_NAMES
from server.pages.rendering import execute, render
from server.settings import get_settings

AREAS = {
    "main": {"home": "/", "sign_in": "/sign-in", "title": "Sign in"},
    "admin": {"home": "/admin", "sign_in": "/admin/sign-in", "title": "Sign in to administration"},
}


def _safe_next(value: str | None, area: str) -> str:
    home = AREAS[area]["home"]
    if (not value or not value.startswith("/") or value.startswith("//") or "\\" in value
            or urlparse(value).netloc):
        return home
    return value


def apply_cookies(response: Response, cookies: dict[str, str | None]) -> Response:
    settings = get_settings()
    for name, value in cookies.items():
        if value is None:
            response.delete_cookie(name, path="/", httponly=True, samesite="lax",
                                   secure=settings.secure_cookies)
        else:
            response.set_cookie(name, value, path="/", httponly=True, samesite="lax",
                                secure=settings.secure_cookies)
    return response


def sign_in_page(area: str):
    async def endpoint(request: Request) -> Response:
        next_url = _safe_next(request.query_params.get("next"), area)
        if request.method == "GET":
            if request.state.viewer.is_authenticated:
                return RedirectResponse(next_url, status_code=303)
            return render(request, "auth/sign_in.html", {"area": area, "next": next_url,
                                                          "page": AREAS[area], "form": {}, "errors": []})
        form = await request.form()
        login_name = str(form.get("loginName", ""))[:300]
        password = str(form.get("password", ""))[:5000]
        data, context = await execute(
            request, "SignIn",
            {"input": {"loginName": login_name, "password": password, "area": area.upper()}},
        )
        errors = data["signIn"]["errors"]
        if errors:
            status = 429 if any(e["code"] == "RATE_LIMITED" for e in errors) else 400
            return render(request, "auth/sign_in.html",
                          {"area": area, "next": next_url, "page": AREAS[area],
                           "form": {"loginName": login_name}, "errors": errors},
                          status_code=status)
        return apply_cookies(RedirectResponse(next_url, status_code=303), context.set_cookies)

    return endpoint


async def sign_out(request: Request) -> Response:
    _, context = await execute(request, "SignOut")
    area = "admin" if request.url.path.startswith("/admin") else "main"
    response = RedirectResponse(AREAS[area]["sign_in"] + "?signed_out=1", status_code=303)
    return apply_cookies(response, {COOKIE_NAMES[area]: None, **context.set_cookies})
