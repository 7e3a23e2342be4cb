"""Bulk upload pages: Add multiple users / administrators, Check and create your users, batch files.

Every action runs a named operation of server/operations/batches.graphql. An uploaded
file travels to the UploadBatch mutation base64-encoded (the same input outside tools
use over HTTP). Each page works without JavaScript; with htmx, rows are edited and
deleted in place and the check fragment (#batch-check) is swapped.
"""

from __future__ import annotations

import base64

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.pages.home import signed_in
from server.pages.menus import add_admin_item
from server.pages.rendering import is_fragment_request, render, run
from server.settings import get_settings

MAX_FIELD = 500  # longer values are cut before the schema (which refuses over 50) sees them
KINDS = {
    "users": {
        "kind": "USERS", "title": "Add multiple users", "upload": "/admin/users/upload",
        "files": "/admin/batches/users", "files_title": "User batch files",
        "button": "Upload user details", "create": "Create users", "noun": "user",
    },
    "administrators": {
        "kind": "ADMINISTRATORS", "title": "Add multiple administrators",
        "upload": "/admin/administrators/upload", "files": "/admin/batches/administrators",
        "files_title": "Administrator batch files", "button": "Upload administrator details",
        "create": "Create administrators", "noun": "administrator",
    },
}
KIND_BY_ENUM = {"USERS": "users", "ADMINISTRATORS": "administrators"}
TABS = (
    ("Users", "/admin/users"),
    ("Pending users", "/admin/users/pending"),
    ("User batch files", "/admin/batches/users"),
    ("Administrator batch files", "/admin/batches/administrators"),
    ("Administrators", "/admin/administrators"),
)
LETTERS_PATH = "/admin/users/letters"
EDIT_FIELDS = ("forename", "surname", "email", "role", "pupilAccess")


def _paths(request: Request) -> set[str]:
    return {getattr(route, "path", "") for route in request.app.router.routes}


def _tabs(request: Request) -> list[tuple[str, str]]:
    """Manage users tabs, only for pages this app has."""
    paths = _paths(request)
    return [(label, href) for label, href in TABS if href in paths]


def _download(file: dict) -> Response:
    content = base64.b64decode(file["contentBase64"])
    safe_name = "".join(c for c in file["fileName"] if c.isalnum() or c in "._- ") or "download"
    return Response(
        content,
        media_type=file["contentType"],
        headers={"Content-Disposition": f'attachment; filename="{safe_name}"',
                 "Cache-Control": "no-store"},
    )


# Add multiple users / administrators -----------------------------------------------------


def upload_page(area: str):
    meta = KINDS[area]

    @signed_in("admin")
    async def endpoint(request: Request) -> Response:
        if request.method == "GET":
            return _upload_form(request, meta, [])
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors = [{"field": "file", "message": "Select a spreadsheet file to upload",
                       "code": "REQUIRED"}]
            return _upload_form(request, meta, errors, status_code=400)
        # The body is already capped (BodySizeLimitMiddleware); the service refuses a file
        # over its limit with its own message.
        content = await upload.read()
        await upload.close()
        data = await run(request, "UploadBatch", {"input": {
            "kind": meta["kind"], "fileName": upload.filename[:MAX_FIELD],
            "contentBase64": base64.b64encode(content).decode(),
        }})
        payload = data["uploadBatch"]
        if payload["errors"]:
            return _upload_form(request, meta, payload["errors"], status_code=400)
        return RedirectResponse(f"/admin/batches/{payload['batch']['id']}", status_code=303)

    endpoint.__name__ = f"upload_{area}"
    return endpoint


def _upload_form(request: Request, meta: dict, errors: list, status_code: int = 200) -> Response:
    return render(request, "batches/upload.html",
                  {"meta": meta, "errors": errors, "title": meta["title"],
                   "administrator_limit": get_settings().administrator_limit},
                  status_code=status_code)


def template_download(area: str):
    meta = KINDS[area]

    @signed_in("admin")
    async def endpoint(request: Request) -> Response:
        file_format = request.path_params["format"]
        if file_format not in ("xlsx", "xls"):
            return RedirectResponse(meta["upload"], status_code=303)
        data = await run(request, "BatchTemplate",
                         {"kind": meta["kind"], "format": file_format.upper()})
        return _download(data["batchTemplate"])

    endpoint.__name__ = f"template_{area}"
    return endpoint


# Batch files -----------------------------------------------------------------------------


def files_page(area: str):
    meta = KINDS[area]

    @signed_in("admin")
    async def endpoint(request: Request) -> Response:
        after = request.query_params.get("after") or None
        data = await run(request, "BatchFiles", {"kind": meta["kind"], "first": 50,
                                                 "after": after})
        return render(request, "batches/files.html", {
            "meta": meta, "data": data["batches"], "tabs": _tabs(request),
            "title": "Manage " + meta["files_title"].lower(),
            "done": request.query_params.get("done"),
        })

    endpoint.__name__ = f"files_{area}"
    return endpoint


# Check and create your users ---------------------------------------------------------------


async def _check(request: Request, batch_id: int) -> dict:
    data = await run(request, "BatchCheck", {"id": str(batch_id)})
    return data["batchCheck"]


def _check_context(request: Request, check: dict, **extra) -> dict:
    meta = KINDS[KIND_BY_ENUM[check["batch"]["kind"]]]
    for row in check["rows"]:  # each cell of the grid looks up its own problems
        by_field: dict[str | None, list] = {}
        for problem in row["problems"]:
            by_field.setdefault(problem["field"], []).append(problem)
        row["byField"] = by_field
    # The accounts pages print welcome letters for a set of pending users, when present.
    letters = LETTERS_PATH in _paths(request)
    pending_ids = [c["id"] for c in check["created"] if c["status"] == "pending"] if letters else []
    return {"check": check, "batch": check["batch"], "meta": meta, "pending_ids": pending_ids,
            "letters_path": LETTERS_PATH, "title": "Check and create your users", "errors": [],
            **extra}


@signed_in("admin")
async def check_page(request: Request) -> Response:
    check = await _check(request, request.path_params["batch_id"])
    return render(request, "batches/check.html",
                  _check_context(request, check, done=request.query_params.get("done")),
                  fragment="batches/_check.html")


@signed_in("admin")
async def create_users(request: Request) -> Response:
    batch_id = request.path_params["batch_id"]
    form = await request.form(max_files=0, max_fields=10)
    try:
        version = int(str(form.get("version", "")))
    except ValueError:
        version = -1
    confirm = form.get("confirmHighlighted") == "yes"
    data = await run(request, "CreateBatchUsers", {"input": {
        "batchId": str(batch_id), "version": version, "confirmHighlighted": confirm,
    }})
    payload = data["createBatchUsers"]
    check = await _check(request, batch_id)
    status = 400 if payload["errors"] else 200
    return render(request, "batches/check.html",
                  _check_context(request, check, result=payload, errors=payload["errors"]),
                  status_code=status, fragment="batches/_check.html")


@signed_in("admin")
async def annotated(request: Request) -> Response:
    data = await run(request, "BatchAnnotatedWorkbook",
                     {"id": str(request.path_params["batch_id"])})
    return _download(data["batchAnnotatedWorkbook"])


def _row_of(check: dict, row_id: int) -> dict | None:
    return next((r for r in check["rows"] if r["id"] == str(row_id)), None)


@signed_in("admin")
async def row_page(request: Request) -> Response:
    """One row of the grid (htmx: Cancel in an inline edit); without htmx, the check page."""
    batch_id, row_id = request.path_params["batch_id"], request.path_params["row_id"]
    if not is_fragment_request(request):
        return RedirectResponse(f"/admin/batches/{batch_id}#row-{row_id}", status_code=303)
    check = await _check(request, batch_id)
    row = _row_of(check, row_id)
    if row is None:
        return _row_gone(request, check, batch_id)
    return render(request, "batches/_row.html", _check_context(request, check, row=row))


def _row_gone(request: Request, check: dict, batch_id: int) -> Response:
    """The row was created or deleted meanwhile (another tab or administrator)."""
    if not is_fragment_request(request):
        return RedirectResponse(f"/admin/batches/{batch_id}?done=row-gone", status_code=303)
    response = render(request, "batches/_check.html", _check_context(
        request, check, status="That row has already been created or deleted."))
    response.headers["HX-Retarget"] = "#batch-check"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


@signed_in("admin")
async def edit_row(request: Request) -> Response:
    batch_id, row_id = request.path_params["batch_id"], request.path_params["row_id"]
    check = await _check(request, batch_id)
    row = _row_of(check, row_id)
    if row is None:
        return _row_gone(request, check, batch_id)
    if request.method == "GET":
        values = {"forename": row["forename"], "surname": row["surname"], "email": row["email"],
                  "role": row["roleChoice"] or row["role"],
                  "pupilAccess": row["pupilAccessChoice"] or row["pupilAccess"]}
        return _edit_response(request, check, row, values, [])
    form = await request.form(max_files=0, max_fields=20)
    values = {name: str(form.get(name, ""))[:MAX_FIELD] for name in EDIT_FIELDS}
    data = await run(request, "UpdateBatchRow", {"input": {
        "batchId": str(batch_id), "rowId": str(row_id), **values,
    }})
    payload = data["updateBatchRow"]
    if payload["errors"]:
        return _edit_response(request, check, row, values, payload["errors"], status_code=400)
    if is_fragment_request(request):
        fresh = await _check(request, batch_id)
        return render(request, "batches/_check.html",
                      _check_context(request, fresh, status=f"Row {row['rowNumber']} saved."))
    return RedirectResponse(f"/admin/batches/{batch_id}?done=row-saved#row-{row_id}",
                            status_code=303)


def _edit_response(request: Request, check: dict, row: dict, values: dict, errors: list,
                   status_code: int = 200) -> Response:
    context = _check_context(request, check, row=row, form=values, errors=errors,
                             title=f"Edit row {row['rowNumber']}")
    if is_fragment_request(request):
        # htmx 2 does not swap 4xx answers: the inline form with its errors comes back as 200
        # and replaces the row it was opened from.
        response = render(request, "batches/_row_edit.html", context)
        response.headers["HX-Retarget"] = f"#row-{row['id']}"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "batches/edit_row.html", context, status_code=status_code)


@signed_in("admin")
async def delete_row(request: Request) -> Response:
    batch_id, row_id = request.path_params["batch_id"], request.path_params["row_id"]
    if request.method == "GET":
        check = await _check(request, batch_id)
        row = _row_of(check, row_id)
        if row is None:
            return RedirectResponse(f"/admin/batches/{batch_id}?done=row-gone", status_code=303)
        return render(request, "batches/delete_row.html",
                      _check_context(request, check, row=row, title=f"Delete row {row['rowNumber']}"))
    data = await run(request, "DeleteBatchRow",
                     {"input": {"batchId": str(batch_id), "rowId": str(row_id)}})
    payload = data["deleteBatchRow"]
    check = await _check(request, batch_id)
    if payload["errors"]:
        return render(request, "batches/check.html",
                      _check_context(request, check, errors=payload["errors"]),
                      status_code=200 if is_fragment_request(request) else 400,
                      fragment="batches/_check.html")
    if is_fragment_request(request):
        return render(request, "batches/_check.html",
                      _check_context(request, check, status="The row has been deleted from the batch."))
    return RedirectResponse(f"/admin/batches/{batch_id}?done=row-deleted", status_code=303)


@signed_in("admin")
async def delete_batch(request: Request) -> Response:
    batch_id = request.path_params["batch_id"]
    check = await _check(request, batch_id)
    meta = KINDS[KIND_BY_ENUM[check["batch"]["kind"]]]
    if request.method == "GET":
        return render(request, "batches/delete_batch.html",
                      _check_context(request, check, title="Delete this batch"))
    data = await run(request, "DeleteBatch", {"input": {"batchId": str(batch_id)}})
    payload = data["deleteBatch"]
    if payload["errors"]:
        return render(request, "batches/delete_batch.html",
                      _check_context(request, check, errors=payload["errors"],
                                     title="Delete this batch"), status_code=400)
    return RedirectResponse(f"{meta['files']}?done=deleted", status_code=303)


@signed_in("admin")
async def restore_batch(request: Request) -> Response:
    batch_id = request.path_params["batch_id"]
    data = await run(request, "RestoreBatch", {"input": {"batchId": str(batch_id)}})
    payload = data["restoreBatch"]
    if payload["errors"]:
        check = await _check(request, batch_id)
        return render(request, "batches/check.html",
                      _check_context(request, check, errors=payload["errors"]), status_code=400)
    return RedirectResponse(f"/admin/batches/{batch_id}?done=restored", status_code=303)


add_admin_item("Add users", "Add multiple users", "/admin/users/upload")
add_admin_item("Add users", "Add multiple administrators", "/admin/administrators/upload")
add_admin_item("Manage users", "User batch files", "/admin/batches/users")
add_admin_item("Manage users", "Administrator batch files", "/admin/batches/administrators")

_BATCH = "/admin/batches/{batch_id:int}"
_ROW = _BATCH + "/rows/{row_id:int}"

routes = [
    Route("/admin/users/upload", upload_page("users"), methods=["GET", "POST"]),
    Route("/admin/administrators/upload", upload_page("administrators"),
          methods=["GET", "POST"]),
    Route("/admin/users/upload/template.{format}", template_download("users")),
    Route("/admin/administrators/upload/template.{format}", template_download("administrators")),
    Route("/admin/batches/users", files_page("users")),
    Route("/admin/batches/administrators", files_page("administrators")),
    Route(_BATCH, check_page),
    Route(_BATCH + "/create", create_users, methods=["POST"]),
    Route(_BATCH + "/annotated.xlsx", annotated),
    Route(_BATCH + "/delete", delete_batch, methods=["GET", "POST"]),
    Route(_BATCH + "/restore", restore_batch, methods=["POST"]),
    Route(_ROW, row_page),
    Route(_ROW + "/edit", edit_row, methods=["GET", "POST"]),
    Route(_ROW + "/delete", delete_row, methods=["GET", "POST"]),
]
