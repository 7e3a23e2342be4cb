"""Tracking on the main site: a year group's pupils at the latest assessment point, a
working-at grade entered per pupil and subject, and on track / above / below with the
subject counts (docs/API-TRACKING.md). Plain forms: everything works without JavaScript.

/tracking                 the year group and subject chosen (GET)
/tracking/working-at      enter one pupil's working-at grade (POST, then back to the page)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.pages.home import signed_in
from server.pages.menus import add_main_item
from server.pages.rendering import render, run
from server.pages.targets import (
    YEAR_GROUPS,
    _explain,
    _full_school_user,
    _offered,
    _viewer,
    _year_error,
    _year_group,
    _year_groups,
)

PATH = "/tracking"
STATUS_WORDS = {"ON_TRACK": "On track", "ABOVE": "Above", "BELOW": "Below"}


def _filters(source, offered: tuple[int, ...]) -> dict[str, Any]:
    year_group = _year_group(source.get("yearGroup"), offered)
    return {"yearGroup": year_group, "keyStage": YEAR_GROUPS[year_group],
            "subject": str(source.get("subject") or "").strip()[:40],
            "after": str(source.get("after") or "").strip()[:40] or None}


def _address(filters: dict, **extra: Any) -> str:
    values = {"yearGroup": filters["yearGroup"], "subject": filters["subject"],
              "after": filters.get("after"), **extra}
    return f"{PATH}?{urlencode({k: v for k, v in values.items() if v})}"


async def _show(request: Request, me: dict, filters: dict, errors: list[dict],
                typed: dict | None = None, status_code: int = 200) -> Response:
    offered = _offered(me)
    year_error = _year_error(filters["yearGroup"], offered)
    context: dict[str, Any] = {"me": me, "filters": filters, "year_groups": _year_groups(offered),
                               "errors": errors, "typed": typed or {}, "data": None,
                               "status_words": STATUS_WORDS,
                               "saved": request.query_params.get("saved")}
    if year_error:
        context["errors"] = [year_error]
        return render(request, "tracking/grades.html", context, status_code=400)
    settings = (await run(request, "TargetYearGroupSubjects", {
        "schoolUrn": me["organisation"]["urn"], "keyStage": filters["keyStage"],
        "yearGroup": filters["yearGroup"]}))["targetYearGroup"]
    subjects = [s["subject"] for s in settings["subjects"] if s["included"]]
    codes = [s["code"] for s in subjects]
    if filters["subject"] not in codes:
        if filters["subject"]:
            context["errors"] = [{"field": "subject", "message": "That subject is not one of "
                                  f"Year {filters['yearGroup']}'s subjects: choose one"}]
            status_code = 400
        filters.update(subject=codes[0] if codes else "", after=None)
    if not codes:
        context.update(subjects=[], data=None, no_subjects=True)
        return render(request, "tracking/grades.html", context, status_code=status_code)
    data = await run(request, "TrackingPage", {
        "schoolUrn": me["organisation"]["urn"], "keyStage": filters["keyStage"],
        "yearGroup": filters["yearGroup"], "subjectCode": filters["subject"],
        "after": filters["after"]})
    tracking = data["yearGroupTracking"]
    tracks = {(p["upn"], p["subjectCode"]): p for p in tracking["pupils"]}
    context.update({
        "data": data, "subjects": subjects, "point": tracking["point"],
        "names": {s["code"]: s["name"] for s in subjects},
        "counts": [c for c in tracking["subjects"] if c["subjectCode"] in codes],
        "rows": [{**edge["node"], "track": tracks.get((edge["node"]["pupil"]["upn"],
                                                       filters["subject"]))}
                 for edge in data["pupilTargets"]["edges"]],
    })
    return render(request, "tracking/grades.html", context, status_code=status_code)


@signed_in("main")
async def tracking_page(request: Request) -> Response:
    me = await _viewer(request)
    if me["organisation"]["kind"] != "SCHOOL" or me["pupilAccess"] != "FULL":
        return _explain(request, me)
    return await _show(request, me, _filters(request.query_params, _offered(me)), [])


@signed_in("main")
async def enter_working_at(request: Request) -> Response:
    me = await _viewer(request)
    if me["organisation"]["kind"] != "SCHOOL" or me["pupilAccess"] != "FULL":
        return _explain(request, me)
    form = await request.form()
    filters = _filters(form, _offered(me))
    upn = str(form.get("upn") or "").strip()[:20]
    grade = str(form.get("grade") or "")[:20]
    payload = (await run(request, "SetWorkingAtGrade", {"input": {
        "upn": upn, "subjectCode": filters["subject"],
        "pointId": str(form.get("pointId") or "")[:20], "grade": grade,
    }}))["setWorkingAtGrade"]
    if payload["errors"]:
        # The row's one field: an unknown pupil or point is about that row too.
        errors = [{**e, "field": f"grade-{upn}"} for e in payload["errors"]]
        return await _show(request, me, filters, errors, typed={upn: grade}, status_code=400)
    return RedirectResponse(_address(filters, saved=upn) + f"#row-{upn}", status_code=303)


routes = [Route(PATH, tracking_page),
          Route(f"{PATH}/working-at", enter_working_at, methods=["POST"])]

add_main_item("Tracking", PATH, shown_to=_full_school_user)
