"""Target Setting in the administration: Targets | Benchmarks | Subjects | Delete targets.

Every page runs the named operations of server/operations/target_settings.graphql; the
schema decides who may (a school's own administrators) and the services hold the rules.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.pages import custom_level_form as custom
from server.pages.home import signed_in
from server.pages.menus import add_admin_item, add_menu_flag
from server.pages.rendering import OperationFailed, is_fragment_request, render, run

BASE = "/admin/target-setting"
PAGES = {
    "targets": f"{BASE}/targets",
    "benchmarks": f"{BASE}/benchmarks",
    "subjects": f"{BASE}/subjects",
    "delete": f"{BASE}/delete",
}
# Where a page opens before a key stage and year group are chosen: the guide's example.
DEFAULT_SELECTION = ("KS4", 11)
LEVELS = ("AVERAGE", "HIGH", "VERY_HIGH")
CHOICES = (*LEVELS, "CUSTOM")  # CUSTOM: the school's own level (custom_level_form.py)
FORMATS = ("NINE_TO_ONE", "A_STAR_TO_G")
PREPOPULATE = ("NO", "BENCHMARK", "BENCHMARK_PLUS_ONE")
EDITING = ("NO", "YES", "UPWARDS")


def _selection(source) -> tuple[str, int]:
    ks = str(source.get("keyStage") or DEFAULT_SELECTION[0]).upper()[:3]
    try:
        year = int(str(source.get("yearGroup") or ""))
    except ValueError:
        year = DEFAULT_SELECTION[1] if ks == DEFAULT_SELECTION[0] else 0
    return ks, year


def _query(ks: str, year: int, **extra: Any) -> str:
    return urlencode({"keyStage": ks, "yearGroup": year, **extra})


async def _valid_selection(request: Request, page: str, ks: str, year: int) -> Response | None:
    """A redirect to a valid key stage and year group when the address names none."""
    data = await run(request, "TargetSettingsSelection")
    stages = data["targetSettingsOverview"]["keyStages"]
    by_ks = {s["keyStage"]: s["yearGroups"] for s in stages}
    if ks in by_ks and year in by_ks[ks]:
        return None
    ks = ks if ks in by_ks else DEFAULT_SELECTION[0]
    years = by_ks[ks]
    fixed = year if year in years else (years[-1] if ks == DEFAULT_SELECTION[0] else years[0])
    return RedirectResponse(f"{PAGES[page]}?{_query(ks, fixed)}", status_code=303)


async def _page_data(
    request: Request, page: str, operation: str, ks: str, year: int, **variables: Any
) -> dict | Response:
    redirect = await _valid_selection(request, page, ks, year)
    if redirect is not None:
        return redirect
    return await run(request, operation, {"keyStage": ks, "yearGroup": year, **variables})


def _context(page: str, data: dict, ks: str, year: int, **extra: Any) -> dict[str, Any]:
    overview = data["targetSettingsOverview"]
    return {
        "page": page,
        "pages": PAGES,
        "data": data,
        "overview": overview,
        "key_stage": ks,
        "year_group": year,
        "years": next(s["yearGroups"] for s in overview["keyStages"] if s["keyStage"] == ks),
        "selection_query": _query(ks, year),
        "errors": [],
        **extra,
    }


def _status(request: Request, errors: list) -> int:
    # htmx 2 swaps only 2xx answers: a fragment with errors comes back as 200.
    return 400 if errors and not is_fragment_request(request) else 200


def _errors(errors: list[dict], default: str) -> list[dict]:
    return [{**e, "field": e.get("field") or default} for e in errors]


# -- Manage targets ------------------------------------------------------------------------


def _settings_form(settings: dict) -> dict[str, Any]:
    return {
        "allYears": "no",
        "useTargetSetting": "yes" if settings["useTargetSetting"] else "no",
        "prepopulate": settings["prepopulate"],
        "editing": settings["editing"],
        "shareTargets": "yes" if settings["shareTargets"] else "no",
        "pupilLevelWithLa": settings["pupilLevelWithLa"],
        "aggregateWithLa": settings["aggregateWithLa"],
        "aggregateWithChain": settings["aggregateWithChain"],
    }


def _read_settings_form(form) -> tuple[dict[str, Any], list[dict]]:
    values = {
        "allYears": form.get("allYears", "no"),
        "useTargetSetting": form.get("useTargetSetting"),
        "prepopulate": form.get("prepopulate"),
        "editing": form.get("editing"),
        "shareTargets": form.get("shareTargets"),
        "pupilLevelWithLa": form.get("pupilLevelWithLa") == "yes",
        "aggregateWithLa": form.get("aggregateWithLa") == "yes",
        "aggregateWithChain": form.get("aggregateWithChain") == "yes",
    }
    errors = []
    if values["useTargetSetting"] not in ("yes", "no"):
        errors.append(
            {
                "field": "useTargetSetting",
                "code": "REQUIRED",
                "message": "Select whether to use the target-setting facility",
            }
        )
    if values["prepopulate"] not in PREPOPULATE:
        errors.append({"field": "prepopulate", "code": "REQUIRED", "message": "Select whether to pre-populate targets"})
    if values["editing"] not in EDITING:
        errors.append({"field": "editing", "code": "REQUIRED", "message": "Select whether users may edit targets"})
    if values["shareTargets"] not in ("yes", "no"):
        errors.append({"field": "shareTargets", "code": "REQUIRED", "message": "Select whether to share targets"})
    return values, errors


@signed_in("admin")
async def targets_page(request: Request) -> Response:
    source = await request.form() if request.method == "POST" else request.query_params
    ks, year = _selection(source)
    data = await _page_data(request, "targets", "ManageTargets", ks, year)
    if isinstance(data, Response):
        return data
    saved = data["yearGroupTargetSettings"]
    form, errors, done = _settings_form(saved), [], None
    if request.method == "POST":
        form, errors = _read_settings_form(source)
        if not errors:
            payload = (
                await run(
                    request,
                    "SaveTargetSettings",
                    {
                        "input": {
                            "keyStage": ks,
                            "yearGroup": year,
                            "allYears": form["allYears"] == "yes",
                            "useTargetSetting": form["useTargetSetting"] == "yes",
                            "prepopulate": form["prepopulate"],
                            "editing": form["editing"],
                            "shareTargets": form["shareTargets"] == "yes",
                            "pupilLevelWithLa": form["pupilLevelWithLa"],
                            "aggregateWithLa": form["aggregateWithLa"],
                            "aggregateWithChain": form["aggregateWithChain"],
                        }
                    },
                )
            )["saveTargetSettings"]
            errors = _errors(payload["errors"], "useTargetSetting")
            if not errors:
                done = {"years": [s["yearGroup"] for s in payload["settings"]], "prepopulated": payload["prepopulated"]}
                if not is_fragment_request(request):
                    query = _query(ks, year, saved=",".join(map(str, done["years"])), prepopulated=done["prepopulated"])
                    return RedirectResponse(f"{PAGES['targets']}?{query}", status_code=303)
                data = await run(request, "ManageTargets", {"keyStage": ks, "yearGroup": year})
                form = _settings_form(data["yearGroupTargetSettings"])
    elif request.query_params.get("saved"):
        done = {
            "years": [y for y in request.query_params["saved"].split(",") if y.isdigit()],
            "prepopulated": int(request.query_params.get("prepopulated", "0") or 0)
            if request.query_params.get("prepopulated", "0").isdigit()
            else 0,
        }
    options = next(s["prepopulateOptions"] for s in data["targetSettingsOverview"]["keyStages"] if s["keyStage"] == ks)
    context = _context(
        "targets",
        data,
        ks,
        year,
        form=form,
        errors=errors,
        done=done,
        prepopulate_options=options,
        settings=data["yearGroupTargetSettings"],
    )
    return render(
        request,
        "target_settings/targets.html",
        context,
        status_code=_status(request, errors),
        fragment="target_settings/_targets_form.html",
    )


# -- Manage benchmarks ---------------------------------------------------------------------


def _benchmark_form(subjects: list[dict]) -> dict[str, str]:
    form = {}
    for s in subjects:
        form.update(custom.saved_form(s))
        form[f"benchmark-{s['code']}"] = s["benchmark"]
        if s["gradeFormat"]:
            form[f"format-{s['code']}"] = s["gradeFormat"]
    return form


def _average(subject: dict, level: str, grade_format: str | None,
             form: dict | None = None) -> dict | None:
    """The cohort average entry ({average, points, scale}) at the benchmark and format shown
    (CUSTOM: only while the form's level is the saved one; otherwise it shows once saved)."""
    if level == "CUSTOM" and not custom.unchanged(form or {}, subject):
        return {"pending": True}
    scale = {"NINE_TO_ONE": "9-1", "A_STAR_TO_G": "A*-G"}.get(grade_format or "", subject["scale"])
    for entry in subject["averages"]:
        if entry["benchmark"] == level and entry["scale"] == scale:
            return entry if entry["average"] is not None else None
    return None


@signed_in("admin")
async def benchmarks_page(request: Request) -> Response:
    source = await request.form() if request.method == "POST" else request.query_params
    ks, year = _selection(source)
    data = await _page_data(request, "benchmarks", "ManageBenchmarks", ks, year, subjects=None)
    if isinstance(data, Response):
        return data
    subjects = data["yearGroupBenchmarks"]["subjects"]
    form, errors, done = _benchmark_form(subjects), [], None
    if request.method == "POST":
        form = {k: str(v) for k, v in source.items() if k.startswith(("benchmark-", "format-"))}
        for s in subjects:
            form.update(custom.posted(source, s["code"]))
        choices = []
        for s in subjects:
            level = form.get(f"benchmark-{s['code']}")
            if level not in CHOICES:
                errors.append(
                    {
                        "field": f"benchmark-{s['code']}",
                        "code": "REQUIRED",
                        "message": f"Select a benchmark for {s['name']}",
                    }
                )
                continue
            fmt = form.get(f"format-{s['code']}") if s["gradeFormats"] else None
            if s["gradeFormats"] and fmt not in FORMATS:
                errors.append(
                    {
                        "field": f"format-{s['code']}",
                        "code": "REQUIRED",
                        "message": f"Select 9-1 or A*-G for {s['name']}",
                    }
                )
                continue
            choice = {"subject": s["code"], "benchmark": level, "gradeFormat": fmt}
            if level == "CUSTOM":
                level_input = custom.level_input(form, s["code"])
                if level_input["kind"] is None:
                    errors.append(custom.missing_kind(s["code"], s["name"]))
                    continue
                choice["custom"] = level_input
            choices.append(choice)
        if not errors:
            payload = (
                await run(
                    request, "SaveBenchmarks", {"input": {"keyStage": ks, "yearGroup": year, "subjects": choices}}
                )
            )["saveBenchmarks"]
            errors = _errors(payload["errors"], "benchmarks")
            if not errors:
                if not is_fragment_request(request):
                    query = _query(ks, year, saved=1, prepopulated=payload["prepopulated"])
                    return RedirectResponse(f"{PAGES['benchmarks']}?{query}", status_code=303)
                done = {"prepopulated": payload["prepopulated"]}
                data = await run(request, "ManageBenchmarks", {"keyStage": ks, "yearGroup": year, "subjects": None})
                subjects = data["yearGroupBenchmarks"]["subjects"]
                form = _benchmark_form(subjects)
    elif request.query_params.get("saved"):
        number = request.query_params.get("prepopulated", "0")
        done = {"prepopulated": int(number) if number.isdigit() else 0}
    rows = [
        {
            **s,
            "shown_average": _average(
                s, form.get(f"benchmark-{s['code']}", s["benchmark"]), form.get(f"format-{s['code']}"),
                form,
            ),
        }
        for s in subjects
    ]
    context = _context(
        "benchmarks",
        data,
        ks,
        year,
        form=form,
        errors=errors,
        done=done,
        rows=rows,
        benchmarks=data["yearGroupBenchmarks"],
        custom_kinds=custom.KINDS,
        custom_benchmarks=custom.BENCHMARKS,
    )
    return render(
        request,
        "target_settings/benchmarks.html",
        context,
        status_code=_status(request, errors),
        fragment="target_settings/_benchmarks_form.html",
    )


@signed_in("admin")
async def benchmark_average(request: Request) -> Response:
    """The cohort's average estimate for one subject at the benchmark and format chosen."""
    params = request.query_params
    ks, year = _selection(params)
    code = params.get("subject", "")
    if not is_fragment_request(request):
        return RedirectResponse(f"{PAGES['benchmarks']}?{_query(ks, year)}", status_code=303)
    data = await run(request, "BenchmarkAverage", {"keyStage": ks, "yearGroup": year, "subjects": [code]})
    (subject,) = data["yearGroupBenchmarks"]["subjects"]
    level = params.get(f"benchmark-{code}")
    level = level if level in CHOICES else "AVERAGE"
    fmt = params.get(f"format-{code}")
    form = custom.posted(params, code)
    row = {**subject, "shown_average": _average(subject, level, fmt if fmt in FORMATS else None,
                                                form)}
    if fmt in FORMATS:
        row["scale"] = {"NINE_TO_ONE": "9-1", "A_STAR_TO_G": "A*-G"}[fmt]
    return render(request, "target_settings/_average.html", {"s": row, "level": level})


# -- Manage subjects -----------------------------------------------------------------------


@signed_in("admin")
async def subjects_page(request: Request) -> Response:
    source = await request.form() if request.method == "POST" else request.query_params
    ks, year = _selection(source)
    data = await _page_data(request, "subjects", "ManageSubjects", ks, year)
    if isinstance(data, Response):
        return data
    subjects = data["managedSubjects"]
    ticked = {s["code"] for s in subjects if s["included"]}
    errors, done, notice = [], None, None
    if request.method == "POST":
        action = source.get("action", "save")
        posted = {str(v) for v in source.getlist("subjects")}
        if action == "defaults":
            ticked, notice = {s["code"] for s in subjects if s["defaultIncluded"]}, "defaults"
        elif action == "all":
            ticked, notice = {s["code"] for s in subjects}, "all"
        elif action == "none":
            ticked, notice = set(), "none"
        else:
            payload = await run(
                request,
                "SaveTargetSubjects",
                {"input": {"keyStage": ks, "yearGroup": year, "included": sorted(posted)}},
            )
            payload = payload["saveTargetSubjects"]
            errors = _errors(payload["errors"], "subjects")
            ticked = posted
            if not errors:
                if not is_fragment_request(request):
                    query = _query(ks, year, saved=1, prepopulated=payload["prepopulated"])
                    return RedirectResponse(f"{PAGES['subjects']}?{query}", status_code=303)
                done = {"prepopulated": payload["prepopulated"]}
                data = await run(request, "ManageSubjects", {"keyStage": ks, "yearGroup": year})
                subjects = data["managedSubjects"]
    elif request.query_params.get("saved"):
        number = request.query_params.get("prepopulated", "0")
        done = {"prepopulated": int(number) if number.isdigit() else 0}
    context = _context(
        "subjects", data, ks, year, subjects=subjects, ticked=ticked, errors=errors, done=done, notice=notice
    )
    return render(
        request,
        "target_settings/subjects.html",
        context,
        status_code=_status(request, errors),
        fragment="target_settings/_subjects_form.html",
    )


# -- Delete targets ------------------------------------------------------------------------


@signed_in("admin")
async def delete_page(request: Request) -> Response:
    source = await request.form() if request.method == "POST" else request.query_params
    ks, year = _selection(source)
    data = await _page_data(request, "delete", "DeleteTargetsPage", ks, year)
    if isinstance(data, Response):
        return data
    counts = data["yearGroupTargetCounts"]
    form = {"scope": source.get("scope", ""), "subject": source.get("subject", "")}
    errors: list[dict] = []
    confirm = None
    if request.method == "POST":
        by_code = {s["code"]: s for s in counts["subjects"]}
        if form["scope"] not in ("all", "subject"):
            errors.append({"field": "scope", "code": "REQUIRED", "message": "Select all subjects or one subject"})
        elif form["scope"] == "subject" and form["subject"] not in by_code:
            errors.append(
                {"field": "subject", "code": "REQUIRED", "message": "Select the subject to delete targets for"}
            )
        if not errors:
            chosen = by_code.get(form["subject"]) if form["scope"] == "subject" else None
            if source.get("action") != "confirm":
                confirm = {
                    "subject": chosen,
                    "targets": chosen["targets"] if chosen else counts["targets"],
                    "prepopulated": chosen["prepopulated"] if chosen else counts["prepopulated"],
                }
            else:
                payload = (
                    await run(
                        request,
                        "DeleteTargets",
                        {"input": {"keyStage": ks, "yearGroup": year, "subject": chosen["code"] if chosen else None}},
                    )
                )["deleteTargets"]
                errors = _errors(payload["errors"], "scope")
                if not errors:
                    deletion = payload["deletion"]
                    query = _query(ks, year, deleted=deletion["targetsDeleted"])
                    return RedirectResponse(f"{PAGES['delete']}?{query}", status_code=303)
    notice = None
    for key in ("deleted", "restored"):
        value = request.query_params.get(key, "")
        if value.isdigit():
            notice = {"kind": key, "count": int(value)}
    context = _context(
        "delete",
        data,
        ks,
        year,
        counts=counts,
        form=form,
        errors=errors,
        confirm=confirm,
        deletions=data["targetDeletions"],
        notice=notice,
    )
    template = "target_settings/delete_confirm.html" if confirm else "target_settings/delete.html"
    return render(request, template, context, status_code=_status(request, errors))


@signed_in("admin")
async def restore(request: Request) -> Response:
    form = await request.form()
    ks, year = _selection(form)
    payload = (await run(request, "RestoreTargets", {"input": {"id": request.path_params["deletion_id"]}}))[
        "restoreTargets"
    ]
    if payload["errors"]:
        data = await _page_data(request, "delete", "DeleteTargetsPage", ks, year)
        if isinstance(data, Response):
            return data
        context = _context(
            "delete",
            data,
            ks,
            year,
            counts=data["yearGroupTargetCounts"],
            form={"scope": "", "subject": ""},
            confirm=None,
            notice=None,
            errors=_errors(payload["errors"], "deletions"),
            deletions=data["targetDeletions"],
        )
        return render(request, "target_settings/delete.html", context, status_code=400)
    query = _query(ks, year, restored=payload["restored"])
    return RedirectResponse(f"{PAGES['delete']}?{query}", status_code=303)


async def index(request: Request) -> Response:
    return RedirectResponse(PAGES["targets"], status_code=303)


async def _deletion_menu(request: Request) -> bool:
    """Delete targets is offered when a target exists or a deletion can be restored."""
    if not request.state.viewer.is_administrator:
        return False
    try:
        if not (await run(request, "TargetSettingsMay"))["viewer"]["mayManageTargetSetting"]:
            return False
        data = await run(request, "TargetSettingsMenu")
    except OperationFailed:
        return False
    overview = data["targetSettingsOverview"]
    return bool(overview["hasTargets"] or overview["hasRestorableDeletions"])


add_admin_item("Target Setting", "Targets", PAGES["targets"])
add_admin_item("Target Setting", "Benchmarks", PAGES["benchmarks"])
add_admin_item("Target Setting", "Subjects", PAGES["subjects"])
add_admin_item("Target Setting", "Delete targets", PAGES["delete"], requires="target_deletion")
add_menu_flag("target_deletion", _deletion_menu)

routes = [
    Route(BASE, index, methods=["GET"]),
    Route(PAGES["targets"], targets_page, methods=["GET", "POST"]),
    Route(PAGES["benchmarks"], benchmarks_page, methods=["GET", "POST"]),
    Route(f"{BASE}/benchmarks/average", benchmark_average, methods=["GET"]),
    Route(PAGES["subjects"], subjects_page, methods=["GET", "POST"]),
    Route(PAGES["delete"], delete_page, methods=["GET", "POST"]),
    Route(f"{BASE}/delete/{{deletion_id:int}}/restore", restore, methods=["POST"]),
]
