"""API tokens in the user's account area: create (shown once), list, revoke."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.pages.home import signed_in
from server.pages.menus import add_main_item
from server.pages.rendering import execute, render, run


@signed_in("main")
async def tokens_page(request: Request) -> Response:
    if request.method == "POST":
        form = await request.form()
        data, _ = await execute(request, "CreateApiToken", {"input": {"name": str(form.get("name", ""))[:500]}})
        payload = data["createApiToken"]
        listing = await run(request, "ApiTokens")
        status = 400 if payload["errors"] else 201
        return render(request, "account/tokens.html",
                      {"data": listing, "created": payload, "errors": payload["errors"],
                       "form": {"name": form.get("name", "")}},
                      status_code=status, fragment="account/_tokens.html")
    data = await run(request, "ApiTokens")
    return render(request, "account/tokens.html", {"data": data, "errors": [], "form": {}},
                  fragment="account/_tokens.html")


@signed_in("main")
async def revoke_token(request: Request) -> Response:
    await run(request, "RevokeApiToken", {"id": request.path_params["token_id"]})
    if request.headers.get("hx-request") == "true":
        data = await run(request, "ApiTokens")
        return render(request, "account/_tokens.html", {"data": data, "errors": [], "form": {},
                                                        "revoked": True})
    return RedirectResponse("/account/tokens?revoked=1", status_code=303)


add_main_item("API tokens", "/account/tokens")

routes = [
    Route("/account/tokens", tokens_page, methods=["GET", "POST"]),
    Route("/account/tokens/{token_id}/revoke", revoke_token, methods=["POST"]),
]
