"""Targets on the main site: pupil target setting, the subject summary and the export.

/targets            users with full access to their school's pupil data: each pupil's
                    estimate, target (editable within the rules), chances and likelihoods
/targets/set        POST: set one target (htmx swaps the row; without JS a normal post)
/targets/summary    every school user: targets vs benchmarks per subject, no pupil names
/targets/export.csv, /targets/export.xlsx   the year group's targets for other systems
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from server.formula_safety import neutralise
from server.pages.home import signed_in
from server.pages.menus import add_main_item
from server.pages.rendering import execute, is_fragment_request, render, run
from server.xlsx_stream import CONTENT_TYPE as XLSX_TYPE
from server.xlsx_stream import TextSheetStream

YEAR_GROUPS: dict[int, str] = {
    **{y: "KS2" for y in (3, 4, 5, 6)},
    **{y: "KS4" for y in (7, 8, 9, 10, 11)},
    **{y: "KS5" for y in (12, 13)},
}
DEFAULT_YEAR_GROUP = 10
BENCHMARKS = {"AVERAGE": "Average (50)", "HIGH": "High (20)", "VERY_HIGH": "Very high (5)",
              "CUSTOM": "Custom level"}
# The key grades of the subject summary: (label, grade) pairs per key stage.
KEY_GRADES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "KS2": (("Expected standard (100+ / EXS)", "EXS"), ("High standard (110+ / GDS)", "GDS")),
    "KS4": (("Grade 4 or above", "4"), ("Grade 5 or above", "5")),
    "KS5": (("A*–A", "A"), ("A*–B", "B")),
}
PAGE_SIZE = 50


def _account(viewer: Any):
    return getattr(viewer, "account", None) if viewer is not None else None


def _school_user(viewer: Any) -> bool:
    """Menu display only (the schema makes the real checks)."""
    account = _account(viewer)
    return bool(account is not None and not account.is_administrator
                and getattr(account.organisation.kind, "value", None) == "school")


def _full_school_user(viewer: Any) -> bool:
    account = _account(viewer)
    return _school_user(viewer) and getattr(account.pupil_access, "value", None) == "full"


def _year_group(value: str | None, offered: tuple[int, ...] = tuple(YEAR_GROUPS)) -> int:
    """The year asked for, or the default one when none (or nonsense) is asked for; a year
    the school does not teach is refused by `_year_error`, never replaced silently."""
    default = DEFAULT_YEAR_GROUP if DEFAULT_YEAR_GROUP in offered else offered[-1]
    try:
        year = int(value or default)
    except ValueError:
        return default
    return year if year in YEAR_GROUPS else default


def _offered(me: dict) -> tuple[int, ...]:
    """The school's year groups (its phase's), in the order pages list them."""
    return tuple(y for y in YEAR_GROUPS if y in (me["organisation"].get("yearGroups")
                                                   or YEAR_GROUPS))


def _year_groups(offered: tuple[int, ...]) -> dict[int, str]:
    return {y: YEAR_GROUPS[y] for y in offered}


def _year_error(year_group: int, offered: tuple[int, ...]) -> dict | None:
    if year_group in offered:
        return None
    first, last = offered[0], offered[-1]
    return {"field": "yearGroup", "code": "NOT_TAUGHT",
            "message": f"Year {year_group} is not taught at your school: choose a year group "
                       f"from Year {first} to Year {last}"}


def _benchmark(value: str | None) -> str | None:
    return value if value in BENCHMARKS else None


async def _viewer(request: Request) -> dict:
    return (await run(request, "TargetViewer"))["viewer"]


async def _target_setter(request: Request) -> tuple[dict, Response | None]:
    """The viewer, and the page saying why not when pupils' targets are not theirs to see."""
    me = await _viewer(request)
    if me["organisation"]["kind"] != "SCHOOL" or me["pupilAccess"] != "FULL":
        return me, _explain(request, me)
    return me, None


def _year_filters(request: Request, me: dict) -> tuple[tuple[int, ...], dict, dict | None]:
    """The year groups offered, the filters asked for and the year group's error, if any."""
    offered = _offered(me)
    filters = _filters(request, offered)
    return offered, filters, _year_error(filters["yearGroup"], offered)


def _not_for_you(request: Request, title: str, body: str, link: tuple[str, str] | None = None
                 ) -> Response:
    return render(request, "targets/not_available.html",
                  {"title": title, "body": body, "link": link}, status_code=403)


def _filters(request: Request, offered: tuple[int, ...]) -> dict[str, Any]:
    q = request.query_params
    year_group = _year_group(q.get("yearGroup"), offered)
    return {
        "yearGroup": year_group,
        "keyStage": YEAR_GROUPS[year_group],
        "subject": (q.get("subject") or "").strip()[:40],
        "upn": (q.get("upn") or "").strip().upper()[:20],
        "benchmark": _benchmark(q.get("benchmark")),
        "after": q.get("after") or None,
    }


def _query_string(filters: dict[str, Any], **changes: Any) -> str:
    values = {**filters, **changes}
    keep = {k: values[k] for k in ("yearGroup", "subject", "upn", "benchmark", "after")
            if values.get(k)}
    return urlencode(keep)


async def _setting_data(request: Request, urn: str, filters: dict[str, Any]) -> dict:
    """The year group's settings, then its pupils' rows for one subject or one pupil."""
    variables = {"schoolUrn": urn, "keyStage": filters["keyStage"],
                 "yearGroup": filters["yearGroup"], "benchmark": filters["benchmark"],
                 "first": PAGE_SIZE, "after": filters["after"]}
    if filters["upn"] and not filters["subject"]:
        variables |= {"upn": filters["upn"], "subjectCode": None}
    else:
        variables |= {"subjectCode": filters["subject"] or None, "upn": None}
    return await run(request, "TargetSettingPage", variables)


@signed_in("main")
async def targets_page(request: Request) -> Response:
    me, refused = await _target_setter(request)
    if refused:
        return refused
    offered, filters, year_error = _year_filters(request, me)
    errors: dict = {}
    if year_error:
        errors["yearGroup"] = [year_error]
        return _render_setting(request, me, filters, [], None, errors=errors, offered=offered,
                               status_code=400)
    included = await _included_subjects(request, me, filters)
    codes = [s["subject"]["code"] for s in included]
    asked_all = "subject" in request.query_params and not filters["subject"]
    if asked_all and not filters["upn"]:
        errors["filters"] = [{"field": "upn", "code": "REQUIRED",
                              "message": "Enter a pupil's UPN to see all their subjects"}]
    if filters["subject"] and filters["subject"] not in codes:
        errors["subject"] = [_subject_error(filters)]
    elif not filters["subject"] and not filters["upn"]:
        filters["subject"] = codes[0] if codes else ""
    show = codes and "subject" not in errors
    data = await _setting_data(request, me["organisation"]["urn"], filters) if show else None
    return _render_setting(request, me, filters, included, data, errors=errors, offered=offered,
                           status_code=400 if errors else 200)


async def _included_subjects(request: Request, me: dict, filters: dict) -> list:
    settings = (await run(request, "TargetYearGroupSubjects", {
        "schoolUrn": me["organisation"]["urn"], "keyStage": filters["keyStage"],
        "yearGroup": filters["yearGroup"]}))["targetYearGroup"]
    return [s for s in settings["subjects"] if s["included"]]


def _subject_error(filters: dict) -> dict:
    return {"field": "subject", "code": "NOT_IN_YEAR_GROUP",
            "message": f"That subject is not one of Year {filters['yearGroup']}'s subjects: "
                       "choose a subject from the list"}


@signed_in("main")
async def subject_choices(request: Request) -> Response:
    """The subject list of a year group: htmx asks for it when the year group changes."""
    me, refused = await _target_setter(request)
    if refused:
        return refused
    _, filters, year_error = _year_filters(request, me)
    if year_error:
        return Response(status_code=400)
    included = await _included_subjects(request, me, filters)
    return render(request, "targets/_subject_select.html",
                  {"subjects": included, "filters": filters, "subject_errors": []})


def _explain(request: Request, me: dict) -> Response:
    if me["organisation"]["kind"] in ("LOCAL_AUTHORITY", "ACADEMY_CHAIN"):
        return _not_for_you(
            request, "Pupil targets are set by schools",
            "Your organisation reads the targets its schools share with it.",
            ("Go to your schools' targets", "/outside"))
    return _not_for_you(
        request, "You need full access to pupil data to set targets",
        "Your account has access to aggregate data only, so pupils' targets are not shown "
        "to you. The subject summary shows targets against benchmarks for each subject. "
        "Ask your administrator if you need full access.",
        ("Go to the subject summary", "/targets/summary"))


def _render_setting(request: Request, me: dict, filters: dict, subjects: list, data: dict | None,
                    errors: dict, offered: tuple[int, ...], status_code: int = 200,
                    score_form_values: dict | None = None) -> Response:
    flat = [e for row_errors in errors.values() for e in row_errors]
    return render(request, "targets/setting.html", {
        "me": me, "filters": filters, "subjects": subjects, "data": data, "row_errors": errors,
        "errors": flat, "year_groups": _year_groups(offered), "benchmarks": BENCHMARKS,
        "query_string": _query_string, "saved": request.query_params.get("saved"),
        "may_enter": bool(me.get("mayImportPupils")),
        "score_saved": request.query_params.get("scoreSaved", "")[:13],
        "score_prepopulated": request.query_params.get("prepopulated", "")[:6],
        "score_form_values": score_form_values or {},
    }, status_code=status_code)


@signed_in("main")
async def set_standardised_score(request: Request) -> Response:
    """One pupil's standardised score (a fallback baseline) from the targets page's list."""
    form = await request.form()
    upn = str(form.get("upn", "")).strip().upper()[:13]
    score = str(form.get("score", "")).strip()[:20]
    filters = {
        "yearGroup": _year_group(str(form.get("yearGroup", ""))),
        "subject": str(form.get("subject", "")).strip()[:40],
        "upn": "", "benchmark": None, "after": None,
    }
    filters["keyStage"] = YEAR_GROUPS[filters["yearGroup"]]
    data, _ = await execute(request, "SetStandardisedScore",
                            {"input": {"upn": upn, "score": score}})
    payload = data["setStandardisedScore"]
    if not payload["errors"]:
        query = _query_string(filters) + "&" + urlencode(
            {"scoreSaved": upn, "prepopulated": payload["prepopulated"] or ""})
        return RedirectResponse(f"/targets?{query}#baselines", status_code=303)
    field = f"score-{upn}"
    errors = {field: [{**e, "field": field} for e in payload["errors"]]}
    me = await _viewer(request)
    included = await _included_subjects(request, me, filters)
    if not filters["subject"] or filters["subject"] not in [s["subject"]["code"] for s in included]:
        filters["subject"] = included[0]["subject"]["code"] if included else ""
    page = await _setting_data(request, me["organisation"]["urn"], filters) if included else None
    return _render_setting(request, me, filters, included, page, errors, offered=_offered(me),
                           status_code=400, score_form_values={upn: score})


def _row_key(upn: str, code: str) -> str:
    return f"{upn}-{code}"


@signed_in("main")
async def set_target(request: Request) -> Response:
    form = await request.form()
    upn = str(form.get("upn", "")).strip()[:20]
    code = str(form.get("subjectCode", "")).strip()[:40]
    grade = str(form.get("grade", ""))[:20]
    reason = str(form.get("reason", ""))[:2000]
    filters = {
        "yearGroup": _year_group(str(form.get("yearGroup", ""))),
        "subject": str(form.get("subject", "")).strip()[:40],
        "upn": str(form.get("upnFilter", "")).strip().upper()[:20],
        "benchmark": _benchmark(str(form.get("benchmark", ""))),
        "after": str(form.get("after", "")) or None,
    }
    filters["keyStage"] = YEAR_GROUPS[filters["yearGroup"]]
    data, _ = await execute(request, "SetTarget", {"input": {
        "upn": upn, "subjectCode": code, "grade": grade, "reason": reason or None}})
    payload = data["setTarget"]
    key = _row_key(upn, code)
    errors = [
        {**e, "field": f"{e['field'] or 'grade'}-{key}", "message": e["message"]}
        for e in payload["errors"]
    ]
    if is_fragment_request(request):
        me = await _viewer(request)
        row = await run(request, "PupilTargetRow", {
            "schoolUrn": me["organisation"]["urn"], "keyStage": filters["keyStage"],
            "yearGroup": filters["yearGroup"], "subjectCode": code, "upn": upn,
            "benchmark": filters["benchmark"]})
        edges = row["pupilTargets"]["edges"]
        if not edges:
            return Response(status_code=404)
        return render(request, "targets/_row.html", {
            "node": edges[0]["node"], "settings": row["targetYearGroup"], "filters": filters,
            "row_errors": {key: errors} if errors else {}, "form": {"grade": grade,
                                                                     "reason": reason},
            "saved_row": None if errors else key, "oob_status": True,
            "one_pupil": bool(filters["upn"] and not filters["subject"]),
        })
    if not errors:
        target = f"/targets?{_query_string(filters)}&saved={key}#row-{key}"
        return RedirectResponse(target, status_code=303)
    me = await _viewer(request)
    included = await _included_subjects(request, me, filters)
    page = await _setting_data(request, me["organisation"]["urn"], filters)
    return _render_setting(request, me, filters, included, page, {key: errors},
                           offered=_offered(me), status_code=400)


@signed_in("main")
async def summary_page(request: Request) -> Response:
    me = await _viewer(request)
    if me["organisation"]["kind"] != "SCHOOL":
        return _not_for_you(
            request, "The subject summary is for school staff",
            "Your organisation reads the targets its schools share with it.",
            ("Go to your schools' targets", "/outside"))
    offered = _offered(me)
    year_group = _year_group(request.query_params.get("yearGroup"), offered)
    year_error = _year_error(year_group, offered)
    if year_error:
        return render(request, "targets/summary.html", {
            "me": me, "rows": [], "yearGroup": year_group, "year_groups": _year_groups(offered),
            "errors": [year_error], "year_errors": [year_error]}, status_code=400)
    key_stage = YEAR_GROUPS[year_group]
    (label_a, grade_a), (label_b, grade_b) = KEY_GRADES[key_stage]
    data = await run(request, "TargetSummary", {
        "schoolUrns": [me["organisation"]["urn"]], "keyStage": key_stage,
        "yearGroup": year_group, "gradeA": grade_a, "gradeB": grade_b})
    # On track / above / below at the latest point: pupil-level tracking, so only for users
    # with full pupil access (its own operation: TargetSummary's statement count is pinned).
    tracking = (await run(request, "SummaryTracking", {
        "keyStage": key_stage, "yearGroup": year_group}))["yearGroupTracking"] \
        if me["pupilAccess"] == "FULL" else None
    return render(request, "targets/summary.html", {
        "me": me, "rows": data["targetAggregates"], "yearGroup": year_group,
        "keyStage": key_stage, "year_groups": _year_groups(offered), "labels": (label_a, label_b),
        "benchmarks": BENCHMARKS, "tracking": tracking,
    }, fragment="targets/_summary_table.html")


ExportPage = tuple[list[str], list[list[str]]]  # the columns, and a page of rows


async def _export_pages(request: Request, urn: str, key_stage: str, year_group: int
                        ) -> AsyncIterator[ExportPage]:
    """The export's rows a page (100 pupils) at a time; only one page is held at once."""
    after = None
    while True:
        data = await run(request, "TargetExport", {
            "schoolUrn": urn, "keyStage": key_stage, "yearGroup": year_group, "first": 100,
            "after": after})
        export = data.pop("targetExport")
        columns, edges = export["columns"], export.pop("edges")
        more, after = export["pageInfo"]["hasNextPage"], export["pageInfo"]["endCursor"]
        del data, export
        rows = [row for edge in edges for row in edge["node"]["rows"]]
        del edges
        yield columns, rows
        del rows  # before the next page is read
        if not more:
            return


async def _export(request: Request, extension: str, media_type: str,
                  encode: Callable[[AsyncIterator[ExportPage]], AsyncIterator]) -> Response:
    """The year group's targets as a file streamed page by page; `encode` turns the pages
    of rows into the file's chunks."""
    me, refused = await _target_setter(request)
    if refused:
        return refused
    year_group = _year_group(request.query_params.get("yearGroup"))
    key_stage = YEAR_GROUPS[year_group]
    urn = me["organisation"]["urn"]
    pages = _export_pages(request, urn, key_stage, year_group)
    first: ExportPage | None = await pages.__anext__()  # permission errors before streaming

    async def every_page() -> AsyncIterator[ExportPage]:
        nonlocal first
        page, first = first, None  # not kept while the later pages are read
        yield page
        del page
        async for page in pages:
            yield page
            del page

    name = f"targets-{urn}-{key_stage}-year{year_group}.{extension}"
    return StreamingResponse(encode(every_page()), media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


async def _csv(pages: AsyncIterator[ExportPage]) -> AsyncIterator[str]:
    header = True
    async for columns, rows in pages:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if header:
            writer.writerow(columns)
            header = False
        writer.writerows([neutralise(v) for v in row] for row in rows)
        del rows
        yield buffer.getvalue()


async def _xlsx(pages: AsyncIterator[ExportPage]) -> AsyncIterator[bytes]:
    sheet = TextSheetStream("Targets")
    started = False
    async for columns, rows in pages:
        chunk = sheet.rows(rows) if started else sheet.start(columns) + sheet.rows(rows)
        started = True
        del rows
        yield chunk
    yield sheet.finish()


@signed_in("main")
async def export_csv(request: Request) -> Response:
    return await _export(request, "csv", "text/csv; charset=utf-8", _csv)


@signed_in("main")
async def export_xlsx(request: Request) -> Response:
    """The same pages of rows as the CSV export, streamed into the workbook as they come."""
    return await _export(request, "xlsx", XLSX_TYPE, _xlsx)


add_main_item("Targets", "/targets", shown_to=_full_school_user)
add_main_item("Subject summary", "/targets/summary", shown_to=_school_user)

routes = [
    Route("/targets", targets_page),
    Route("/targets/set", set_target, methods=["POST"]),
    Route("/targets/standardised-score", set_standardised_score, methods=["POST"]),
    Route("/targets/subjects", subject_choices),
    Route("/targets/summary", summary_page),
    Route("/targets/export.csv", export_csv),
    Route("/targets/export.xlsx", export_xlsx),
]
