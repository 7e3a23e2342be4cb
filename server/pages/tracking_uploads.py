"""Tracking > Enter grades by spreadsheet: download a template for a year group and point,
upload it, check what is accepted and refused (nothing saved yet), then confirm
(docs/API-TRACKING.md). Plain forms: everything works without JavaScript.

/tracking/upload                       choose the point, template link, upload form (GET, POST)
/tracking/upload/template.xlsx         the template (GET)
/tracking/upload/{id}                  the check page, then the result (GET)
/tracking/upload/{id}/confirm          save the accepted grades (POST)
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.pages.home import signed_in
from server.pages.rendering import render, run
from server.pages.targets import (
    YEAR_GROUPS,
    _explain,
    _offered,
    _viewer,
    _year_error,
    _year_group,
    _year_groups,
)

PATH = "/tracking/upload"


async def _full_user(request: Request) -> tuple[dict, Response | None]:
    me = await _viewer(request)
    if me["organisation"]["kind"] != "SCHOOL" or me["pupilAccess"] != "FULL":
        return me, _explain(request, me)
    return me, None


async def _form_page(request: Request, me: dict, source, errors: list[dict],
                     status_code: int = 200) -> Response:
    offered = _offered(me)
    year = _year_group(source.get("yearGroup"), offered)
    context: dict[str, Any] = {"me": me, "year_group": year,
                               "year_groups": _year_groups(offered), "errors": errors,
                               "points": [], "point_id": None, "path": PATH}
    year_error = _year_error(year, offered)
    if year_error:
        context["errors"] = [year_error]
        return render(request, "tracking/upload.html", context, status_code=400)
    tracking = (await run(request, "TrackingUploadPage", {
        "keyStage": YEAR_GROUPS[year], "yearGroup": year}))["yearGroupTracking"]
    points = tracking["points"]
    chosen = str(source.get("pointId") or "")
    if chosen not in {p["id"] for p in points}:
        chosen = (tracking["point"] or (points[-1] if points else {})).get("id")
    context.update(points=points, point_id=chosen)
    return render(request, "tracking/upload.html", context, status_code=status_code)


@signed_in("main")
async def upload_page(request: Request) -> Response:
    me, refused = await _full_user(request)
    if refused:
        return refused
    if request.method == "GET":
        return await _form_page(request, me, request.query_params, [])
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    name, content = "", ""
    if isinstance(upload, UploadFile) and upload.filename:
        # The body is already capped (BodySizeLimitMiddleware); the service refuses a file
        # over its limit with its own message.
        name, content = upload.filename[:200], base64.b64encode(await upload.read()).decode()
        await upload.close()
    try:
        year = int(str(form.get("yearGroup") or ""))
    except ValueError:
        year = 0
    payload = (await run(request, "CheckWorkingAtUpload", {"input": {
        "pointId": str(form.get("pointId") or "")[:20], "yearGroup": year,
        "fileName": name, "contentBase64": content}}))["checkWorkingAtUpload"]
    if payload["errors"]:
        errors = [{**e, "field": "file" if e.get("field") in (None, "file") else e["field"]}
                  for e in payload["errors"]]
        return await _form_page(request, me, form, errors, status_code=400)
    return RedirectResponse(f"{PATH}/{payload['upload']['id']}", status_code=303)


@signed_in("main")
async def template_download(request: Request) -> Response:
    me, refused = await _full_user(request)
    if refused:
        return refused
    year = _year_group(request.query_params.get("yearGroup"), _offered(me))
    made = (await run(request, "WorkingAtTemplate", {
        "pointId": str(request.query_params.get("pointId") or "")[:20],
        "yearGroup": year}))["workingAtTemplate"]
    return Response(base64.b64decode(made["contentBase64"]), media_type=made["contentType"],
                    headers={"content-disposition":
                             f'attachment; filename="{made["fileName"]}"'})


def _check(request: Request, upload: dict, errors: list[dict], status_code: int = 200
           ) -> Response:
    subjects = {s["code"]: s["name"] for s in upload["subjects"]}
    refused = [(row, cell) for row in upload["pupils"] for cell in
               (row["cells"] or [None]) if row["problem"] or (cell and not cell["accepted"])]
    accepted = [row for row in upload["pupils"] if not row["problem"]
                and any(c["accepted"] for c in row["cells"])]
    back = "/tracking?" + urlencode({"yearGroup": upload["yearGroup"]})
    return render(request, "tracking/upload_check.html", {
        "upload": upload, "subjects": subjects, "refused": refused, "accepted": accepted,
        "errors": errors, "back": back, "path": PATH,
    }, status_code=status_code)


@signed_in("main")
async def check_page(request: Request) -> Response:
    me, refused = await _full_user(request)
    if refused:
        return refused
    upload = (await run(request, "WorkingAtUpload",
                        {"id": str(request.path_params["upload_id"])}))["workingAtUpload"]
    return _check(request, upload, [])


@signed_in("main")
async def confirm(request: Request) -> Response:
    me, refused = await _full_user(request)
    if refused:
        return refused
    upload_id = str(request.path_params["upload_id"])
    payload = (await run(request, "ConfirmWorkingAtUpload",
                         {"input": {"id": upload_id}}))["confirmWorkingAtUpload"]
    if payload["errors"]:
        errors = [{**e, "field": "confirm"} for e in payload["errors"]]
        return _check(request, payload["upload"], errors, status_code=400)
    return RedirectResponse(f"{PATH}/{upload_id}", status_code=303)


routes = [
    Route(PATH, upload_page, methods=["GET", "POST"]),
    Route(f"{PATH}/template.xlsx", template_download),
    Route(f"{PATH}/{{upload_id:int}}", check_page),
    Route(f"{PATH}/{{upload_id:int}}/confirm", confirm, methods=["POST"]),
]
