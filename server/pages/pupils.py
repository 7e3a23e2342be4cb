"""Pupils and school years: import pupils (check, then confirm), roll forward, value added.

Administrators use /admin/pupils; Data Managers with full pupil access use /pupils/import
on the main site. Both run the same operations, so the schema decides who may.
"""

from __future__ import annotations

import base64
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.pages.home import signed_in
from server.pages.menus import add_admin_item, add_main_item
from server.pages.rendering import render, run

AREAS: dict[str, dict[str, str]] = {
    "admin": {"home": "/admin/pupils", "imports": "/admin/pupils/import",
              "upload": "/admin/pupils/upload"},
    "main": {"home": "/pupils/import", "imports": "/pupils/import",
             "upload": "/pupils/import/upload"},
}


def _area(request: Request) -> str:
    return "admin" if request.url.path.startswith("/admin") else "main"


def _urls(request: Request) -> dict[str, str]:
    return AREAS[_area(request)]


async def _read_upload(request: Request) -> tuple[str, str]:
    """The uploaded file's name and base64 content ("" when none was chosen)."""
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return "", ""
    # The body is already capped (BodySizeLimitMiddleware); the service refuses a file over
    # its limit with its own message.
    data = await upload.read()
    await upload.close()
    return upload.filename[:200], base64.b64encode(data).decode()


def _ids(errors: list[dict[str, Any]], default: str) -> list[dict[str, Any]]:
    """Errors pointed at a form field: `field` is the input's id on the page."""
    return [{**e, "field": e.get("field") or default} for e in errors]


async def _overview(request: Request, extra: dict[str, Any] | None = None,
                    status_code: int = 200) -> Response:
    data = await run(request, "SchoolPupils")
    context = {"data": data["schoolPupils"], "urls": _urls(request), "errors": [],
               "rolled": request.query_params.get("rolled"),
               "discarded": request.query_params.get("discarded"), **(extra or {})}
    template = "pupils/admin.html" if _area(request) == "admin" else "pupils/import.html"
    return render(request, template, context, status_code=status_code)


@signed_in("admin")
async def admin_pupils(request: Request) -> Response:
    return await _overview(request)


@signed_in("main")
async def main_import(request: Request) -> Response:
    return await _overview(request)


async def upload(request: Request) -> Response:
    file_name, content = await _read_upload(request)
    data = await run(request, "UploadPupilFile",
                     {"input": {"fileName": file_name, "contentBase64": content}})
    payload = data["uploadPupilFile"]
    if payload["errors"]:
        return await _overview(request, {"errors": _ids(payload["errors"], "file")},
                               status_code=400)
    url = f"{_urls(request)['imports']}/{payload['pupilImport']['id']}"
    return RedirectResponse(url, status_code=303)


async def _check_page(request: Request, pupil_import: dict[str, Any],
                      errors: list[dict[str, Any]] | None = None,
                      status_code: int = 200) -> Response:
    return render(request, "pupils/check.html",
                  {"pupil_import": pupil_import, "urls": _urls(request), "errors": errors or [],
                   "form": {"markMissingAsLeft": False}},
                  status_code=status_code, fragment="pupils/_check.html")


def _import_id(request: Request) -> str:
    return str(request.path_params["import_id"])


async def check(request: Request) -> Response:
    data = await run(request, "PupilImport", {"id": _import_id(request)})
    return await _check_page(request, data["pupilImport"])


async def confirm(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=10)
    mark_left = form.get("markMissingAsLeft") == "yes"
    data = await run(request, "ConfirmPupilImport",
                     {"input": {"id": _import_id(request), "markMissingAsLeft": mark_left}})
    payload = data["confirmPupilImport"]
    if payload["errors"]:
        return await _check_page(request, payload["pupilImport"],
                                 _ids(payload["errors"], "confirm"), status_code=400)
    return RedirectResponse(f"{_urls(request)['imports']}/{_import_id(request)}",
                            status_code=303)


async def discard(request: Request) -> Response:
    data = await run(request, "DiscardPupilImport", {"input": {"id": _import_id(request)}})
    payload = data["discardPupilImport"]
    if payload["errors"]:
        found = await run(request, "PupilImport", {"id": _import_id(request)})
        return await _check_page(request, found["pupilImport"],
                                 _ids(payload["errors"], "confirm"), status_code=400)
    return RedirectResponse(f"{_urls(request)['home']}?discarded=1", status_code=303)


@signed_in("admin")
async def roll_forward(request: Request) -> Response:
    if request.method == "POST":
        form = await request.form(max_files=0, max_fields=10)
        expected = str(form.get("expectedAcademicYear", ""))
        if not expected.isdigit() or len(expected) != 4:
            errors = [{"field": "expectedAcademicYear", "code": "INVALID",
                       "message": "The academic year to roll forward from is missing: "
                                  "start again from this page"}]
        else:
            data = await run(request, "RollForwardSchool",
                             {"input": {"expectedAcademicYear": int(expected)}})
            payload = data["rollForwardSchool"]
            if not payload["errors"]:
                result = payload["result"]
                return RedirectResponse(
                    f"/admin/pupils?rolled={result['toAcademicYear']}&moved="
                    f"{result['pupilsMoved']}&left={result['pupilsLeft']}", status_code=303)
            errors = payload["errors"]
        data = await run(request, "SchoolPupils")
        return render(request, "pupils/roll_forward.html",
                      {"data": data["schoolPupils"], "errors": errors}, status_code=400)
    data = await run(request, "SchoolPupils")
    return render(request, "pupils/roll_forward.html", {"data": data["schoolPupils"],
                                                        "errors": []})


@signed_in("admin")
async def value_added(request: Request) -> Response:
    file_name, content = await _read_upload(request)
    data = await run(request, "ImportValueAdded",
                     {"input": {"fileName": file_name, "contentBase64": content}})
    payload = data["importValueAdded"]
    if payload["errors"]:
        summary = [e for e in payload["errors"] if e.get("row") is None]
        rows = [e for e in payload["errors"] if e.get("row") is not None]
        return await _overview(
            request, {"errors": [{**e, "field": "value-added-file"} for e in summary],
                      "va_rows": rows},
            status_code=400)
    return await _overview(request, {"va_result": payload["result"]})


def _guarded(area: str, endpoint):
    return signed_in(area)(endpoint)


def _full_access_data_manager(viewer: Any) -> bool:
    """Whom the main menu shows "Pupils" to; the schema makes the real check."""
    account = getattr(viewer, "account", None)
    return bool(
        account is not None and not account.is_administrator
        and getattr(account.role, "value", None) == "Data Manager"
        and getattr(account.pupil_access, "value", None) == "full"
    )


add_admin_item("Pupils", "Pupils and school years", "/admin/pupils")
add_main_item("Pupils", "/pupils/import", shown_to=_full_access_data_manager)

routes = [
    Route("/admin/pupils", admin_pupils),
    Route("/admin/pupils/upload", _guarded("admin", upload), methods=["POST"]),
    Route("/admin/pupils/import/{import_id:int}", _guarded("admin", check)),
    Route("/admin/pupils/import/{import_id:int}/confirm", _guarded("admin", confirm),
          methods=["POST"]),
    Route("/admin/pupils/import/{import_id:int}/discard", _guarded("admin", discard),
          methods=["POST"]),
    Route("/admin/pupils/roll-forward", roll_forward, methods=["GET", "POST"]),
    Route("/admin/pupils/value-added", value_added, methods=["POST"]),
    Route("/pupils/import", main_import),
    Route("/pupils/import/upload", _guarded("main", upload), methods=["POST"]),
    Route("/pupils/import/{import_id:int}", _guarded("main", check)),
    Route("/pupils/import/{import_id:int}/confirm", _guarded("main", confirm),
          methods=["POST"]),
    Route("/pupils/import/{import_id:int}/discard", _guarded("main", discard),
          methods=["POST"]),
]
