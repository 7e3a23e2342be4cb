"""The main site's home and the administration home."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.pages import menus
from server.pages.rendering import render, run


def signed_in(area: str):
    """Page decorator: anonymous visitors go to the area's sign-in page."""
    sign_in = "/admin/sign-in" if area == "admin" else "/sign-in"

    def wrap(endpoint):
        async def guarded(request: Request) -> Response:
            viewer = request.state.viewer
            if viewer.session is not None and viewer.session.mfa_pending:
                return RedirectResponse(f"{sign_in}/code?next={request.url.path}", status_code=303)
            if not viewer.is_authenticated:
                return RedirectResponse(f"{sign_in}?next={request.url.path}", status_code=303)
            await menus.set_menu_flags(request, area)
            return await endpoint(request)

        guarded.__name__ = endpoint.__name__
        return guarded

    return wrap


@signed_in("main")
async def home(request: Request) -> Response:
    after = request.query_params.get("after") or None
    data = await run(request, "HomeSchools", {"first": 50, "after": after})
    return render(request, "home/index.html", {"data": data})


@signed_in("admin")
async def admin_home(request: Request) -> Response:
    data = await run(request, "Viewer")
    return render(request, "admin/index.html", {"data": data})
