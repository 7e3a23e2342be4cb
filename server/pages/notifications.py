"""Change notifications (webhooks) for local authority and academy chain users.

/outside/notifications              list, and register one (the secret is shown once, on the
                                    page that answers the POST: nothing is stored to show later)
/outside/notifications/{id}/delete  delete one (303 back to the list, or the fragment for htmx)
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.pages.home import signed_in
from server.pages.menus import add_main_item
from server.pages.outside import _outside_user
from server.pages.rendering import OperationFailed, execute, is_fragment_request, render, run

PAGE = "outside/notifications.html"
FRAGMENT = "outside/_notifications.html"
KEY_STAGES = ("KS2", "KS4", "KS5")


def _not_for_you(request: Request) -> Response:
    return render(request, "targets/not_available.html", {
        "title": "Change notifications are for local authorities and academy chains",
        "body": "They tell an outside tool when a school's shared targets change.",
        "link": ("Go to the home page", "/"),
    }, status_code=403)


async def _listing(request: Request) -> dict | None:
    try:
        return await run(request, "Webhooks")
    except OperationFailed as error:
        if error.code == "FORBIDDEN":
            return None
        raise


def _choice(value: str) -> tuple[str, str | None]:
    """The form's "school:key stage" choice as (school id, key stage)."""
    school, _, stage = value.partition(":")
    return school.strip(), stage if stage in KEY_STAGES else None


@signed_in("main")
async def notifications_page(request: Request) -> Response:
    form: dict = {}
    created = None
    errors: list = []
    status = 200
    if request.method == "POST":
        posted = await request.form()
        form = {"choice": str(posted.get("choice", ""))[:40], "url": str(posted.get("url", ""))[:600]}
        school_id, key_stage = _choice(form["choice"])
        if not school_id:
            errors = [{"field": "choice", "message": "Choose a school and key stage"}]
        else:
            try:
                data, _ = await execute(request, "RegisterWebhook", {"input": {
                    "schoolId": school_id, "keyStage": key_stage, "url": form["url"]}})
            except OperationFailed as error:
                if error.code == "FORBIDDEN":
                    return _not_for_you(request)
                raise
            payload = data["registerWebhook"]
            # The page's select holds both school and key stage: its errors go there.
            errors = [{**e, "field": "choice" if e["field"] in ("schoolId", "keyStage") else e["field"]}
                      for e in payload["errors"]]
            created = payload if payload["secret"] else None
        # htmx 2 swaps only 2xx answers: the fragment with its errors comes back as 200.
        status = 201 if not errors else 200 if is_fragment_request(request) else 400
        if created:
            form = {}
    return await _page(request, form, errors, created, request.query_params.get("deleted") == "1",
                       status)


async def _page(request: Request, form: dict, errors: list, created: dict | None, deleted: bool,
                status: int = 200, template: str = PAGE) -> Response:
    listing = await _listing(request)
    if listing is None:
        return _not_for_you(request)
    choices = [(f"{s['schoolId']}:{ks}", f"{s['name']} ({s['urn']}), {ks}")
               for s in listing["webhookSchools"] for ks in s["keyStages"]]
    return render(request, template, {
        "data": listing, "choices": choices, "form": form, "errors": errors, "created": created,
        "not_sharing": [s for s in listing["webhookSchools"] if not s["keyStages"]],
        "deleted": deleted,
    }, status_code=status, fragment=FRAGMENT)


@signed_in("main")
async def delete_notification(request: Request) -> Response:
    try:
        await run(request, "DeleteWebhook", {"input": {"id": request.path_params["webhook_id"]}})
    except OperationFailed as error:
        if error.code == "FORBIDDEN":
            return _not_for_you(request)
        raise
    if request.headers.get("hx-request") == "true":
        return await _page(request, {}, [], None, True, template=FRAGMENT)
    return RedirectResponse("/outside/notifications?deleted=1", status_code=303)


add_main_item("Change notifications", "/outside/notifications", shown_to=_outside_user)

routes = [
    Route("/outside/notifications", notifications_page, methods=["GET", "POST"]),
    Route("/outside/notifications/{webhook_id}/delete", delete_notification, methods=["POST"]),
]
