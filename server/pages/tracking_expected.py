"""Target Setting > Assessment points > Expected grades: administrators see, per subject, the
expected grade at each of a year group's points (the school's own, else the linear path's
value for the year group) and set them a point at a time (docs/API-TRACKING.md). Plain
forms: a blank grade goes back to the linear path.

/admin/target-setting/assessment-points/expected              the grid (GET)
/admin/target-setting/assessment-points/{id}/expected         one point's grades (GET, POST)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.pages.home import signed_in
from server.pages.rendering import render, run
from server.pages.tracking import PATH as POINTS_PATH
from server.pages.tracking import YEARS, _selection

GRID_PATH = f"{POINTS_PATH}/expected"


def point_path(point_id: int | str) -> str:
    return f"{POINTS_PATH}/{point_id}/expected"


async def _grid(request: Request, ks: str, year: int) -> tuple[list[dict], list[dict]]:
    data = await run(request, "ExpectedGrades", {"keyStage": ks, "yearGroup": year})
    return data["yearGroupTracking"]["points"], data["expectedGrades"]


def _cells(subjects: list[dict]) -> dict[tuple[str, str], dict]:
    return {(s["subjectCode"], c["point"]["id"]): c for s in subjects for c in s["points"]}


@signed_in("admin")
async def expected_grid(request: Request) -> Response:
    ks, year = _selection(request.query_params)
    points, subjects = await _grid(request, ks, year)
    return render(request, "tracking/expected.html", {
        "key_stage": ks, "year_group": year, "years": YEARS, "points": points,
        "subjects": subjects, "cells": _cells(subjects), "path": GRID_PATH,
        "points_path": POINTS_PATH, "point_path": point_path,
        "saved": request.query_params.get("saved"),
    })


@signed_in("admin")
async def expected_at_point(request: Request) -> Response:
    source = await request.form() if request.method == "POST" else request.query_params
    ks, year = _selection(source)
    point_id = str(request.path_params["point_id"])
    points, subjects = await _grid(request, ks, year)
    point = next((p for p in points if p["id"] == point_id), None)
    if point is None:
        return render(request, "tracking/expected_point.html", {
            "point": None, "key_stage": ks, "year_group": year, "grid": GRID_PATH,
            "errors": []}, status_code=404)
    cells = _cells(subjects)
    typed: dict[str, str] = {s["subjectCode"]: cells[(s["subjectCode"], point_id)]["grade"] or ""
                             for s in subjects}
    errors: list[dict[str, Any]] = []
    if request.method == "POST":
        typed = {code: str(source.get(f"grade-{code}") or "")[:20] for code in typed}
        payload = (await run(request, "SetExpectedGrades", {"input": {
            "pointId": point_id, "yearGroup": year,
            "grades": [{"subjectCode": c, "grade": g} for c, g in typed.items()],
        }}))["setExpectedGrades"]
        errors = [{**e, "field": e.get("field") or "main-content"} for e in payload["errors"]]
        if not errors:
            query = urlencode({"yearGroup": year, "saved": point["name"]})
            return RedirectResponse(f"{GRID_PATH}?{query}", status_code=303)
    return render(request, "tracking/expected_point.html", {
        "point": point, "key_stage": ks, "year_group": year, "subjects": subjects,
        "cells": cells, "typed": typed, "errors": errors, "grid": GRID_PATH,
        "action": point_path(point_id),
    }, status_code=400 if errors else 200)


routes = [
    Route(GRID_PATH, expected_grid),
    Route(f"{POINTS_PATH}/{{point_id:int}}/expected", expected_at_point, methods=["GET", "POST"]),
]
