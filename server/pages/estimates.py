"""Target Setting > National estimates: the school's applied version per key stage, the
versions loaded, an impact preview of another, and Apply / Roll back
(docs/API-ESTIMATE-VERSIONS.md)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.pages.home import signed_in
from server.pages.menus import add_admin_item
from server.pages.rendering import OperationFailed, render, run

PATH = "/admin/target-setting/estimates"
KEY_STAGES = ("KS2", "KS4", "KS5")


def _key_stage(source) -> str:
    wanted = str(source.get("keyStage") or "KS4").upper()
    return wanted if wanted in KEY_STAGES else "KS4"


async def _change(request: Request, form) -> tuple[list[dict], dict]:
    """Apply or roll back as the form asks; the payload's errors and the done notice."""
    ks = _key_stage(form)
    if form.get("action") == "rollback":
        payload = (await run(request, "RollBackEstimatesVersion",
                             {"input": {"keyStage": ks}}))["rollBackEstimatesVersion"]
        done = "rolled-back"
    else:
        version = str(form.get("version") or "")[:40]
        payload = (await run(request, "ApplyEstimatesVersion",
                             {"input": {"keyStage": ks, "version": version}}))["applyEstimatesVersion"]
        done = "applied"
    errors = [{**e, "field": "version"} for e in payload["errors"]]
    return errors, {"done": done, "prepopulated": payload["prepopulated"]}


@signed_in("admin")
async def estimates(request: Request) -> Response:
    source = await request.form() if request.method == "POST" else request.query_params
    ks = _key_stage(source)
    errors: list[dict] = []
    if request.method == "POST":
        errors, done = await _change(request, source)
        if not errors:
            return RedirectResponse(f"{PATH}?{urlencode({'keyStage': ks, **done})}",
                                    status_code=303)
    data = await run(request, "EstimatesVersionsPage", {"keyStage": ks})
    applied = {row["keyStage"]: row for row in data["estimatesVersions"]}
    preview_version = str(source.get("preview") or source.get("version") or "")[:40]
    impact = None
    if preview_version and preview_version != applied[ks]["applied"]["version"]:
        try:
            impact = (await run(request, "EstimatesImpact",
                                {"keyStage": ks, "version": preview_version}))["estimatesImpact"]
        except OperationFailed as failure:
            if failure.code != "BAD_USER_INPUT":
                raise
            errors = errors or [{"field": "version", "message": failure.errors[0].message}]
    context = {
        "path": PATH, "key_stage": ks, "key_stages": KEY_STAGES, "applied": applied,
        "loaded": data["loadedEstimatesVersions"], "impact": impact, "errors": errors,
        "confirm_rollback": source.get("confirm") == "rollback" and not errors,
        "done": request.query_params.get("done") if request.method == "GET" else None,
        "prepopulated": request.query_params.get("prepopulated"),
    }
    return render(request, "target_settings/estimates.html", context,
                  status_code=400 if errors else 200)


routes = [Route(PATH, estimates, methods=["GET", "POST"])]

add_admin_item("Target Setting", "National estimates", PATH)
