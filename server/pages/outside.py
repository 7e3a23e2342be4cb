"""Pages for local authority and academy chain users: what their schools share with them.

/outside             their schools and what each shares, per key stage and year group
/outside/dashboard   targets against benchmarks by school and subject (targetAggregates)
/outside/pupils      one school's pupil targets, where sharing and access allow (pupilTargets)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.pages.home import signed_in
from server.pages.menus import add_main_item
from server.pages.rendering import render, run
from server.pages.targets import BENCHMARKS, YEAR_GROUPS, _year_group

OUTSIDE_KINDS = ("LOCAL_AUTHORITY", "ACADEMY_CHAIN")
PAGE_SIZE = 50
# Subjects offered on the dashboard, per key stage, as the catalogue lists them.
DASHBOARD_DEFAULT_SUBJECT = {"KS2": "reading", "KS4": "maths", "KS5": "maths"}


def _outside_user(viewer: Any) -> bool:
    """Menu display only (the schema makes the real checks)."""
    account = getattr(viewer, "account", None) if viewer is not None else None
    return bool(account is not None and not account.is_administrator
                and getattr(account.organisation.kind, "value", None)
                in ("local_authority", "academy_chain"))


def _only_outside(request: Request, me: dict) -> Response | None:
    if me["organisation"]["kind"] in OUTSIDE_KINDS:
        return None
    return render(request, "targets/not_available.html", {
        "title": "These pages are for local authorities and academy chains",
        "body": "Your school's own targets are on the Targets and Subject summary pages.",
        "link": ("Go to the subject summary", "/targets/summary"),
    }, status_code=403)


@signed_in("main")
async def schools_page(request: Request) -> Response:
    after = request.query_params.get("after") or None
    data = await run(request, "OutsideSchools", {"first": PAGE_SIZE, "after": after})
    me = data["viewer"]
    refused = _only_outside(request, me)
    if refused:
        return refused
    sharing = data["targetSharing"]
    next_link = None
    if sharing["pageInfo"]["hasNextPage"]:
        next_link = "/outside?" + urlencode({"after": sharing["pageInfo"]["endCursor"]})
    return render(request, "outside/schools.html", {
        "me": me, "schools": [edge["node"] for edge in sharing["edges"]],
        "total": sharing["totalCount"], "next_link": next_link,
    })


def _dashboard_filters(request: Request) -> dict[str, Any]:
    q = request.query_params
    year_group = _year_group(q.get("yearGroup"))
    key_stage = YEAR_GROUPS[year_group]
    return {
        "yearGroup": year_group, "keyStage": key_stage,
        "subject": (q.get("subject") or "").strip()[:40],
        "school": (q.get("school") or "").strip()[:10],
    }


@signed_in("main")
async def dashboard_page(request: Request) -> Response:
    me = (await run(request, "TargetViewer"))["viewer"]
    refused = _only_outside(request, me)
    if refused:
        return refused
    filters = _dashboard_filters(request)
    if not filters["subject"] and not filters["school"]:
        filters["subject"] = DASHBOARD_DEFAULT_SUBJECT[filters["keyStage"]]
    variables: dict[str, Any] = {"keyStage": filters["keyStage"],
                                 "yearGroup": filters["yearGroup"]}
    if filters["school"]:
        variables["schoolUrns"] = [filters["school"]]  # one school, every subject
    if filters["subject"]:
        variables["subjectCodes"] = [filters["subject"]]
    rows = (await run(request, "TargetAggregates", variables))["targetAggregates"]
    subjects = (await run(request, "TargetSubjects", {"keyStage": filters["keyStage"]}))
    return render(request, "outside/dashboard.html", {
        "me": me, "rows": rows, "filters": filters, "year_groups": YEAR_GROUPS,
        "benchmarks": BENCHMARKS, "subjects": subjects["targetSubjects"],
    }, fragment="outside/_dashboard_table.html")


@signed_in("main")
async def pupils_page(request: Request) -> Response:
    me = (await run(request, "TargetViewer"))["viewer"]
    refused = _only_outside(request, me)
    if refused:
        return refused
    q = request.query_params
    year_group = _year_group(q.get("yearGroup"))
    urn = (q.get("school") or "").strip()[:10]
    subject = (q.get("subject") or "").strip()[:40] or DASHBOARD_DEFAULT_SUBJECT[
        YEAR_GROUPS[year_group]]
    after = q.get("after") or None
    data = await run(request, "PupilTargets", {
        "schoolUrn": urn, "keyStage": YEAR_GROUPS[year_group], "yearGroup": year_group,
        "subjectCode": subject, "first": PAGE_SIZE, "after": after})
    connection = data["pupilTargets"]
    next_link = None
    if connection["pageInfo"]["hasNextPage"]:
        next_link = "/outside/pupils?" + urlencode({
            "school": urn, "yearGroup": year_group, "subject": subject,
            "after": connection["pageInfo"]["endCursor"]})
    subjects = await run(request, "TargetSubjects", {"keyStage": YEAR_GROUPS[year_group]})
    return render(request, "outside/pupils.html", {
        "me": me, "connection": connection, "urn": urn, "yearGroup": year_group,
        "subject": subject, "next_link": next_link, "subjects": subjects["targetSubjects"],
    })


add_main_item("Schools' targets", "/outside", shown_to=_outside_user)

routes = [
    Route("/outside", schools_page),
    Route("/outside/dashboard", dashboard_page),
    Route("/outside/pupils", pupils_page),
]
