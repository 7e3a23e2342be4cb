"""Sharing on the main site (issue 15): senior leaders approve or refuse sharing changes.

/sharing                     pending, approved, refused and superseded changes, who and when
/sharing/{id}/decide         POST decision=approve|refuse (single use: DecideSharingChange)

The Sharing menu item (and the administration site's Who read what) is shown only to those
the schema says may see sharing (viewer { maySeeSharing }); who read what is in sharing_reads.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.pages.home import signed_in
from server.pages.menus import add_admin_item, add_main_item, add_menu_flag
from server.pages.rendering import OperationFailed, is_fragment_request, render, run

DECISIONS = {"approve": True, "refuse": False}


def _page(request: Request, data: dict, decided=None, errors=None, status_code: int = 200):
    return render(
        request, "sharing/approvals.html",
        {"data": data["sharingApprovals"], "decided": decided, "errors": errors or []},
        status_code=status_code, fragment="sharing/_approvals.html",
    )


@signed_in("main")
async def approvals_page(request: Request) -> Response:
    data = await run(request, "SharingApprovals")
    decided = None
    status = request.query_params.get("decided", "")
    if status in ("APPROVED", "REFUSED"):
        decided = {"status": status, "description": request.query_params.get("what", "")[:200]}
    return _page(request, data, decided)


@signed_in("main")
async def decide(request: Request) -> Response:
    form = await request.form()
    decision = DECISIONS.get(str(form.get("decision", "")))
    if decision is None:
        data = await run(request, "SharingApprovals")
        errors = [{"field": None, "code": "INVALID", "message": "Choose Approve or Refuse"}]
        return _page(request, data, errors=errors, status_code=400)
    payload = (await run(request, "DecideSharingChange", {
        "input": {"id": request.path_params["change_id"][:20], "approve": decision}
    }))["decideSharingChange"]
    if payload["errors"]:
        data = await run(request, "SharingApprovals")
        return _page(request, data, errors=payload["errors"], status_code=409)
    change = payload["change"]
    if not is_fragment_request(request):
        query = urlencode({"decided": change["status"], "what": change["description"]})
        return RedirectResponse(f"/sharing?{query}", status_code=303)
    data = await run(request, "SharingApprovals")
    return _page(request, data, decided=change)


async def _may_see_sharing(request: Request) -> bool:
    """The Sharing menu items are shown to those the schema says may see sharing."""
    try:
        return bool((await run(request, "SharingMenu"))["viewer"]["maySeeSharing"])
    except OperationFailed:
        return False


add_menu_flag("sharing", _may_see_sharing, area="main")
add_menu_flag("sharing", _may_see_sharing, area="admin")
add_main_item("Sharing", "/sharing", requires="sharing")
add_admin_item("Target Setting", "Who read what", "/admin/sharing/reads", requires="sharing")

routes = [
    Route("/sharing", approvals_page, methods=["GET"]),
    Route("/sharing/{change_id}/decide", decide, methods=["POST"]),
]
