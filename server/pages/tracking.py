"""Target Setting > Assessment points: a school's administrators list and add the points
at which teachers enter working-at grades (docs/API-TRACKING.md)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.pages.home import signed_in
from server.pages.menus import add_admin_item
from server.pages.rendering import is_fragment_request, render, run

PATH = "/admin/target-setting/assessment-points"
YEARS = {"KS2": (3, 4, 5, 6), "KS4": (7, 8, 9, 10, 11), "KS5": (12, 13)}


def _selection(source) -> tuple[str, int]:
    """The year group asked for (its key stage follows from it), else KS4 Year 11."""
    try:
        year = int(str(source.get("yearGroup") or ""))
    except ValueError:
        year = 11
    for ks, years in YEARS.items():
        if year in years:
            return ks, year
    return "KS4", 11


@signed_in("admin")
async def assessment_points(request: Request) -> Response:
    source = await request.form() if request.method == "POST" else request.query_params
    ks, year = _selection(source)
    errors: list[dict] = []
    form = {"name": "", "date": "", "scope": "year"}
    added = request.query_params.get("added") if request.method == "GET" else None
    if request.method == "POST":
        form = {"name": str(source.get("name") or "")[:200],
                "date": str(source.get("date") or "")[:20],
                "scope": "all" if source.get("scope") == "all" else "year"}
        day = form["date"].strip()
        try:
            parsed = dt.date.fromisoformat(day) if day else None
        except ValueError:
            parsed = None
            errors = [{"field": "date", "message": "Enter the date as year-month-day, "
                       "for example 2026-11-27"}]
        if not errors:
            payload = (await run(request, "AddAssessmentPoint", {"input": {
                "keyStage": ks, "yearGroup": None if form["scope"] == "all" else year,
                "name": form["name"], "date": parsed.isoformat() if parsed else None,
            }}))["addAssessmentPoint"]
            errors = [{**e, "field": e.get("field") or "name"} for e in payload["errors"]]
            if not errors and not is_fragment_request(request):
                query = urlencode({"keyStage": ks, "yearGroup": year,
                                   "added": payload["point"]["name"]})
                return RedirectResponse(f"{PATH}?{query}", status_code=303)
            if not errors:
                added, form = payload["point"]["name"], {"name": "", "date": "", "scope": "year"}
    data = await run(request, "AssessmentPoints", {"keyStage": ks, "yearGroup": year})
    context = {
        "points": data["yearGroupTracking"]["points"], "key_stage": ks, "year_group": year,
        "years": YEARS, "errors": errors, "form": form, "added": added, "path": PATH,
    }
    status = 400 if errors and not is_fragment_request(request) else 200
    return render(request, "tracking/points.html", context, status_code=status,
                  fragment="tracking/_points.html")


routes = [Route(PATH, assessment_points, methods=["GET", "POST"])]

add_admin_item("Target Setting", "Assessment points", PATH)
