"""Who read what (issue 15, item 2): the school's outside reads, for its senior leaders
(main site) and administrators (administration site).

/sharing/reads, /admin/sharing/reads            filter by period and organisation, a page at a time
/sharing/reads.csv, /admin/sharing/reads.csv    the same filter, every read, formula-safe CSV
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from server.formula_safety import neutralise
from server.pages.home import signed_in
from server.pages.rendering import OperationFailed, render, run

PAGE_SIZE = 50
CSV_PAGE = 100
CSV_COLUMNS = ("When (UTC)", "Who", "Organisation", "What", "Key stage, year group and "
               "subjects", "Pupils", "How")
DATE_FIELDS = {"readFrom": "the start of the period", "readTo": "the end of the period"}


def _filters(request: Request) -> tuple[dict[str, Any], dict[str, str], list[dict]]:
    """The operation's variables, the form's values as typed and the form's errors."""
    q = request.query_params
    typed = {"readFrom": (q.get("readFrom") or "").strip()[:10],
             "readTo": (q.get("readTo") or "").strip()[:10],
             "organisation": (q.get("organisation") or "").strip()[:20]}
    variables: dict[str, Any] = {}
    errors = []
    for name, words in DATE_FIELDS.items():
        if not typed[name]:
            continue
        try:
            variables[name] = date.fromisoformat(typed[name]).isoformat()
        except ValueError:
            errors.append({"field": name, "code": "INVALID",
                           "message": f"Enter {words} as a date, for example 2026-09-01"})
    if typed["organisation"]:
        if typed["organisation"].isdigit():
            variables["organisationId"] = typed["organisation"]
        else:
            errors.append({"field": "organisation", "code": "INVALID",
                           "message": "Choose an organisation from the list"})
    return variables, typed, errors


def _base(request: Request) -> str:
    return "/admin/sharing/reads" if request.url.path.startswith("/admin") else "/sharing/reads"


def _query(typed: dict[str, str], **more) -> str:
    values = {k: v for k, v in {**typed, **more}.items() if v}
    return ("?" + urlencode(values)) if values else ""


async def _reads_page(request: Request) -> Response:
    variables, typed, errors = _filters(request)
    empty = {"totalCount": 0, "edges": [], "organisations": [],
             "pageInfo": {"hasNextPage": False, "endCursor": None}}
    status = 200
    if errors:
        reads = (await run(request, "OutsideReads", {"first": 0}))["outsideReads"]
        reads = {**empty, "organisations": reads["organisations"]}
        status = 400
    else:
        after = (request.query_params.get("after") or "")[:40] or None
        try:
            reads = (await run(request, "OutsideReads", {
                **variables, "first": PAGE_SIZE, "after": after}))["outsideReads"]
        except OperationFailed as failed:
            if failed.code != "BAD_USER_INPUT":
                raise
            errors = [{"field": "readTo", "code": "INVALID", "message": str(failed)}]
            reads = {**empty, "organisations": (await run(
                request, "OutsideReads", {"first": 0}))["outsideReads"]["organisations"]}
            status = 400
    base = _base(request)
    next_link = None
    if reads["pageInfo"]["hasNextPage"]:
        next_link = base + _query(typed, after=reads["pageInfo"]["endCursor"])
    return render(request, "sharing/reads.html", {
        "reads": reads, "typed": typed, "errors": errors, "base": base,
        "next_link": next_link, "first_link": base + _query(typed) if request.query_params.get(
            "after") else None,
        "csv_link": base + ".csv" + _query(typed),
    }, status_code=status, fragment="sharing/_reads.html")


async def _reads_csv(request: Request) -> Response:
    variables, _, errors = _filters(request)
    if errors:
        return await _reads_page(request)
    first = (await run(request, "OutsideReads", {**variables, "first": CSV_PAGE}))["outsideReads"]

    async def chunks() -> AsyncIterator[str]:
        page = first
        header = True
        while True:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            if header:
                writer.writerow(CSV_COLUMNS)
                header = False
            writer.writerows([neutralise(v) for v in (
                node["readAt"][:19].replace("T", " "), node["reader"],
                node["readerOrganisation"], node["what"], node["about"],
                "" if node["pupils"] is None else node["pupils"], node["how"],
            )] for node in (edge["node"] for edge in page["edges"]))
            yield buffer.getvalue()
            if not page["pageInfo"]["hasNextPage"]:
                return
            after = page["pageInfo"]["endCursor"]
            page = (await run(request, "OutsideReads", {
                **variables, "first": CSV_PAGE, "after": after}))["outsideReads"]

    name = f"who-read-what-{date.today().isoformat()}.csv"
    return StreamingResponse(chunks(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@signed_in("main")
async def reads_page(request: Request) -> Response:
    return await _reads_page(request)


@signed_in("main")
async def reads_csv(request: Request) -> Response:
    return await _reads_csv(request)


@signed_in("admin")
async def admin_reads_page(request: Request) -> Response:
    return await _reads_page(request)


@signed_in("admin")
async def admin_reads_csv(request: Request) -> Response:
    return await _reads_csv(request)


routes = [
    Route("/sharing/reads", reads_page, methods=["GET"]),
    Route("/sharing/reads.csv", reads_csv, methods=["GET"]),
    Route("/admin/sharing/reads", admin_reads_page, methods=["GET"]),
    Route("/admin/sharing/reads.csv", admin_reads_csv, methods=["GET"]),
]
