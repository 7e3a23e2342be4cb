"""The contract queries over HTTP with Bearer tokens: personas × sharing patterns.

The expected answers are written out from DOMAIN.md's sharing rules, not computed by the
scope function they check.
"""

from __future__ import annotations

import pytest

from server.models import AuditEvent
from tests.factories import graphql
from tests.targets.world import AGGREGATES, PATTERNS, PUPILS, build_world

# Which schools' aggregates each persona reads in KS4 Year 10 (no schoolUrns given).
AGGREGATE_Y10 = {
    "school_full": {"everything"},
    "school_governor": {"everything"},
    "other_school": {"nothing"},
    "la_full": {"pupil_la", "aggregate_la", "everything", "by_year"},
    "la_aggregate": {"pupil_la", "aggregate_la", "everything", "by_year"},
    "other_la": set(),
    "chain": {"chain_only", "everything"},
}
AGGREGATE_Y11 = {
    "school_full": {"everything"},
    "school_governor": {"everything"},
    "other_school": {"nothing"},
    "la_full": {"everything"},
    "la_aggregate": {"everything"},
    "other_la": set(),
    "chain": {"everything"},
}
# Which schools' pupil rows each persona reads in KS4 Year 10.
PUPIL_Y10 = {
    "school_full": {"everything"},
    "school_governor": set(),
    "other_school": {"nothing"},
    "la_full": {"pupil_la", "everything", "by_year"},
    "la_aggregate": set(),
    "other_la": set(),
    "chain": set(),
}
PUPIL_Y11 = {**PUPIL_Y10, "la_full": {"everything"}}
PERSONAS = tuple(AGGREGATE_Y10)


@pytest.fixture
async def world():
    return await build_world()


def _codes(response) -> set[str]:
    body = response.json()
    return {e["extensions"]["code"] for e in body.get("errors") or []}


async def test_matrix_over_http_with_bearer_tokens(client, world):
    urn_pattern = {s.urn: p for p, s in world.schools.items()}
    for year_group, agg_expected, pupil_expected in (
        (10, AGGREGATE_Y10, PUPIL_Y10), (11, AGGREGATE_Y11, PUPIL_Y11)
    ):
        for persona in PERSONAS:
            token = world.tokens[persona]
            # All readable schools, no names given.
            r = await graphql(client, AGGREGATES, {"keyStage": "KS4", "yearGroup": year_group,
                                                   "subjectCodes": ["maths"]}, token=token)
            assert r.status_code == 200 and "errors" not in r.json(), (persona, r.text)
            rows = r.json()["data"]["targetAggregates"]
            got = {urn_pattern[row["school"]["urn"]] for row in rows}
            assert got == agg_expected[persona], (persona, year_group)
            for pattern in PATTERNS:
                urn = world.schools[pattern].urn
                # Naming each school: readable, or FORBIDDEN with no data.
                r = await graphql(client, AGGREGATES, {"keyStage": "KS4", "yearGroup": year_group,
                                                       "schoolUrns": [urn],
                                                       "subjectCodes": ["maths"]}, token=token)
                if pattern in agg_expected[persona]:
                    assert "errors" not in r.json(), (persona, pattern, r.text)
                    assert [row["school"]["urn"] for row in r.json()["data"]["targetAggregates"]] == [urn]
                else:
                    assert _codes(r) == {"FORBIDDEN"}, (persona, pattern, year_group, r.text)
                    assert r.json()["data"] is None
                r = await graphql(client, PUPILS, {"schoolUrn": urn, "keyStage": "KS4",
                                                   "yearGroup": year_group,
                                                   "subjectCode": "maths"}, token=token)
                if pattern in pupil_expected[persona]:
                    assert "errors" not in r.json(), (persona, pattern, r.text)
                    assert r.json()["data"]["pupilTargets"]["totalCount"] == 8
                else:
                    assert _codes(r) == {"FORBIDDEN"}, (persona, pattern, year_group, r.text)
                    assert r.json()["data"] is None
                    surname_stem = f"Zed{pattern[:4]}" if year_group == 10 else f"Yew{pattern[:4]}"
                    assert surname_stem not in r.text


@pytest.mark.parametrize("who", ["administrator", "anonymous", "forged"])
async def test_administrators_anonymous_and_forged_tokens_read_nothing(client, world, who):
    urn = world.schools["everything"].urn
    token = {"administrator": world.tokens["administrator"], "anonymous": None,
             "forged": "aspire_" + "x" * 40}[who]
    for query, variables in (
        (AGGREGATES, {"keyStage": "KS4", "yearGroup": 10}),
        (AGGREGATES, {"keyStage": "KS4", "yearGroup": 10, "schoolUrns": [urn]}),
        (PUPILS, {"schoolUrn": urn, "keyStage": "KS4", "yearGroup": 10}),
    ):
        client.cookies.clear()
        if token is None:
            r = await client.post("/graphql", json={"query": query, "variables": variables})
        else:
            r = await graphql(client, query, variables, token=token)
        expected = "FORBIDDEN" if who == "administrator" else "UNAUTHENTICATED"
        assert _codes(r) == {expected}, r.text
        assert not (r.json().get("data") or {}).get("targetAggregates")
        assert "Zedever" not in r.text


async def test_unknown_school_is_forbidden_not_not_found(client, world):
    r = await graphql(client, AGGREGATES, {"keyStage": "KS4", "yearGroup": 10,
                                           "schoolUrns": ["999999"]},
                      token=world.tokens["la_full"])
    assert _codes(r) == {"FORBIDDEN"}


async def test_bad_input_is_bad_user_input(client, world):
    token = world.tokens["school_full"]
    for variables in (
        {"keyStage": "KS4", "yearGroup": 3},
        {"keyStage": "KS4", "yearGroup": 10, "subjectCodes": ["latin"]},
    ):
        r = await graphql(client, AGGREGATES, variables, token=token)
        assert _codes(r) == {"BAD_USER_INPUT"}, r.text
        assert "Traceback" not in r.text
    r = await graphql(client, AGGREGATES.replace('grade: "C"', 'grade: "Z9"'),
                      {"keyStage": "KS4", "yearGroup": 10}, token=token)
    assert _codes(r) == {"BAD_USER_INPUT"}
    assert "Enter a grade" in r.text


async def test_la_pupil_level_reads_are_audited_without_values(client, world):
    school = world.schools["pupil_la"]
    officer = world.users["la_full"]
    r = await graphql(client, PUPILS, {"schoolUrn": school.urn, "keyStage": "KS4",
                                       "yearGroup": 10, "subjectCode": "maths", "first": 3},
                      token=world.tokens["la_full"])
    assert "errors" not in r.json()
    events = await AuditEvent.filter(action="targets.pupil_read")
    assert len(events) == 1
    event = events[0]
    assert event.actor_id == officer.id
    assert event.actor_organisation_id == world.la.id
    assert event.organisation_id == school.id
    assert event.via.value == "token" and event.api_token_id is not None
    pupils = sorted(world.pupils["pupil_la"], key=lambda p: (p.surname, p.forename, p.upn))
    assert event.subject_id == "KS4-Y10"
    assert event.detail["pupil_ids"] == sorted(p.id for p in pupils[:3])
    text = str(event.detail) + str(event.after) + str(event.before)
    for pupil in pupils:
        assert pupil.surname not in text and pupil.upn not in text
    # The school's own users are not audited for reading their own pupils; aggregates are
    # not pupil-level reads.
    await graphql(client, PUPILS, {"schoolUrn": world.schools["everything"].urn,
                                   "keyStage": "KS4", "yearGroup": 10},
                  token=world.tokens["school_full"])
    await graphql(client, AGGREGATES, {"keyStage": "KS4", "yearGroup": 10},
                  token=world.tokens["la_full"])
    assert await AuditEvent.filter(action="targets.pupil_read").count() == 1


async def test_aggregate_only_users_never_see_a_name(client, world):
    names = [p.surname for pupils in world.pupils.values() for p in pupils]
    names += [p.forename for pupils in world.pupils.values() for p in pupils]
    for persona in ("school_governor", "la_aggregate", "chain"):
        for query, variables in (
            (AGGREGATES, {"keyStage": "KS4", "yearGroup": 10}),
            (PUPILS, {"schoolUrn": world.schools["everything"].urn, "keyStage": "KS4",
                      "yearGroup": 10}),
        ):
            r = await graphql(client, query, variables, token=world.tokens[persona])
            assert not any(name in r.text for name in names), persona


async def test_exports_need_pupil_level_access(client, world):
    urn = world.schools["everything"].urn
    export = """query($urn: String!) {
      targetExport(schoolUrn: $urn, keyStage: KS4, yearGroup: 10) { edges { node { rows } } }
    }"""
    workbook = """query($urn: String!) {
      targetExportWorkbook(schoolUrn: $urn, keyStage: KS4, yearGroup: 10) { contentBase64 }
    }"""
    for persona in ("school_governor", "la_aggregate", "chain", "other_la", "administrator"):
        for query in (export, workbook):
            r = await graphql(client, query, {"urn": urn}, token=world.tokens[persona])
            assert _codes(r) == {"FORBIDDEN"}, (persona, r.text)
            assert "Zedever" not in r.text
    r = await graphql(client, export, {"urn": urn}, token=world.tokens["school_full"])
    rows = [row for e in r.json()["data"]["targetExport"]["edges"] for row in e["node"]["rows"]]
    assert len(rows) == 8 * 20 and any(row[2].startswith("Zedever") for row in rows)


async def test_saved_operations_run_over_http_for_outside_tools(client, world):
    """server/operations/targets.graphql's TargetAggregates and PupilTargets, as a tool sends them."""
    from server.operations import document

    headers = {"authorization": f"Bearer {world.tokens['la_full']}"}
    r = await client.post("/graphql", headers=headers, json={
        "query": document("TargetAggregates"), "operationName": "TargetAggregates",
        "variables": {"keyStage": "KS4", "yearGroup": 10, "subjectCodes": ["maths"]}})
    body = r.json()
    assert "errors" not in body, r.text
    rows = body["data"]["targetAggregates"]
    assert {row["school"]["urn"] for row in rows} == {
        world.schools[p].urn for p in AGGREGATE_Y10["la_full"]}
    assert all(row["targetsSet"] == 8 and row["averageTargetPoints"] == 5.25 for row in rows)
    r = await client.post("/graphql", headers=headers, json={
        "query": document("PupilTargets"), "operationName": "PupilTargets",
        "variables": {"schoolUrn": world.schools["pupil_la"].urn, "keyStage": "KS4",
                      "yearGroup": 10, "subjectCode": "maths", "first": 5}})
    page = r.json()["data"]["pupilTargets"]
    assert page["totalCount"] == 8 and len(page["edges"]) == 5 and page["pageInfo"]["hasNextPage"]
