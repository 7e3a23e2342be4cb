"""Who read what (issue 15, item 2): every outside read is recorded, in one statement per
request, and only the school's administrators and senior leaders list them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from server.models import OutsideRead
from server.models.enums import PupilAccess, Role
from server.observability import count_sql
from server.operations import document
from tests.factories import graphql, make_administrator, make_user, sign_in
from tests.targets.world import AGGREGATES, PUPILS, build_world


@pytest.fixture
async def world():
    return await build_world()


async def reads_of(client, token, **variables):
    r = await client.post("/graphql", json={
        "query": document("OutsideReads"), "operationName": "OutsideReads",
        "variables": variables}, headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return r.json()


async def test_aggregate_reads_are_one_row_per_outside_school_in_one_statement(client, world):
    r = await graphql(client, AGGREGATES, {"keyStage": "KS4", "yearGroup": 10},
                      token=world.tokens["la_full"])
    assert "errors" not in r.json()
    rows = await OutsideRead.all().order_by("school_id")
    read = {row.school_id for row in rows}
    want = {world.schools[p].id for p in ("pupil_la", "aggregate_la", "everything", "by_year")}
    assert read == want
    officer = world.users["la_full"]
    for row in rows:
        assert row.reader_id == officer.id and row.reader_name == officer.full_name
        assert row.reader_organisation_id == world.la.id
        assert (row.level, row.via, row.key_stage.value, row.year_group) == (
            "aggregate", "token", "KS4", 10)
        assert row.subjects == [] and row.pupils is None  # every subject, no pupils
    # The recording is one statement more than the read itself: the same query by the
    # school's own user records nothing.
    with count_sql() as own:
        await graphql(client, AGGREGATES, {"keyStage": "KS4", "yearGroup": 10},
                      token=world.tokens["school_full"])
    with count_sql() as outside:
        await graphql(client, AGGREGATES, {"keyStage": "KS4", "yearGroup": 10},
                      token=world.tokens["chain"])
    assert outside.value == own.value + 1
    assert await OutsideRead.filter(reader_organisation_id=world.chain.id).count() == 2
    assert await OutsideRead.filter(reader_organisation_id=world.schools["everything"].id
                                    ).count() == 0


async def test_named_subjects_and_pupil_level_reads_are_recorded_with_their_count(client, world):
    school = world.schools["pupil_la"]
    await graphql(client, AGGREGATES, {"keyStage": "KS4", "yearGroup": 10,
                                       "subjectCodes": ["maths", "eng-lang"]},
                  token=world.tokens["la_aggregate"])
    row = await OutsideRead.get(school_id=school.id)
    assert row.subjects == ["eng-lang", "maths"]
    r = await graphql(client, PUPILS, {"schoolUrn": school.urn, "keyStage": "KS4",
                                       "yearGroup": 10, "subjectCode": "maths", "first": 3},
                      token=world.tokens["la_full"])
    assert "errors" not in r.json()
    row = await OutsideRead.get(school_id=school.id, level="pupil")
    assert (row.pupils, row.subjects, row.via) == (3, ["maths"], "token")
    # Refused reads read nothing and record nothing.
    await graphql(client, PUPILS, {"schoolUrn": world.schools["aggregate_la"].urn,
                                   "keyStage": "KS4", "yearGroup": 10},
                  token=world.tokens["la_full"])
    assert await OutsideRead.filter(school_id=world.schools["aggregate_la"].id,
                                    level="pupil").count() == 0


async def test_the_door_is_the_page_the_export_or_the_signed_in_api(client, world):
    school = world.schools["everything"]
    officer = world.users["la_full"]
    await sign_in(client, officer)
    page = await client.get("/outside/pupils", params={"school": school.urn, "yearGroup": 10,
                                                       "subject": "maths"})
    assert page.status_code == 200
    await client.get("/outside/dashboard", params={"yearGroup": 10, "subject": "maths"})
    export = """query($urn: String!) { targetExport(schoolUrn: $urn, keyStage: KS4,
        yearGroup: 10, first: 5) { totalCount } }"""
    assert "errors" not in (await graphql(client, export, {"urn": school.urn})).json()
    assert "errors" not in (await graphql(client, AGGREGATES, {
        "keyStage": "KS4", "yearGroup": 10, "schoolUrns": [school.urn]})).json()
    rows = await OutsideRead.filter(school_id=school.id).order_by("id")
    assert [(r.level, r.via, r.pupils) for r in rows] == [
        ("pupil", "page", 8), ("aggregate", "page", None), ("pupil", "export", 5),
        ("aggregate", "api", None)]


async def test_only_the_schools_senior_leaders_and_administrators_list_its_reads(client, world):
    school = world.schools["everything"]
    await graphql(client, AGGREGATES, {"keyStage": "KS4", "yearGroup": 10},
                  token=world.tokens["la_full"])
    leader = await make_user(school, Role.HEAD_TEACHER, PupilAccess.FULL)
    from tests.factories import api_token

    for token in (await api_token(leader), world.tokens["administrator"]):
        body = await reads_of(client, token)
        assert "errors" not in body, body
        reads = body["data"]["outsideReads"]
        assert reads["totalCount"] == 1
        node = reads["edges"][0]["node"]
        assert node["who"] == f"{world.users['la_full'].full_name}, {world.la.name}"
        assert node["what"] == "Targets summary (aggregates)"
        assert node["about"] == "Key stage 4, Year 10: every subject"
        assert node["how"] == "API token" and node["door"] == "TOKEN"
        assert reads["organisations"] == [{"id": str(world.la.id), "name": world.la.name}]
    refused = [
        world.tokens["school_full"], world.tokens["school_governor"], world.tokens["la_full"],
        world.tokens["chain"], world.tokens["other_school"],
        await api_token(await make_user(world.la, Role.HEAD_TEACHER)),
        await api_token(await make_administrator(world.la)),
    ]
    for n, token in enumerate(refused):
        body = await reads_of(client, token)
        assert "errors" in body, n
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
        assert body.get("data") is None or body["data"] is None
    # Another school's senior leader sees only their own school's reads (none), and naming
    # this school does not help.
    other_leader = await api_token(await make_user(world.schools["nothing"], Role.HEAD_TEACHER))
    assert (await reads_of(client, other_leader))["data"]["outsideReads"]["totalCount"] == 0
    named = await graphql(client, "query($id: ID) { outsideReads(schoolId: $id) { totalCount } }",
                          {"id": str(school.id)}, token=other_leader)
    assert named.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_filter_by_period_and_organisation_and_pages(client, world):
    school = world.schools["everything"]
    leader = await make_user(school, Role.HEAD_TEACHER)
    from tests.factories import api_token

    token = await api_token(leader)
    now = datetime.now(UTC)
    officer, chain_officer = world.users["la_full"], world.users["chain"]
    for days, reader in ((40, officer), (10, officer), (10, chain_officer), (0, chain_officer)):
        await OutsideRead.create(
            school_id=school.id, reader=reader, reader_name=reader.full_name,
            reader_organisation_id=reader.organisation_id, read_at=now - timedelta(days=days),
            level="aggregate", key_stage="KS4", year_group=10, subjects=["maths"], via="page")
    day = lambda d: (now - timedelta(days=d)).date().isoformat()  # noqa: E731
    reads = (await reads_of(client, token, readFrom=day(11), readTo=day(9)))["data"]["outsideReads"]
    assert reads["totalCount"] == 2
    assert {e["node"]["about"] for e in reads["edges"]} == {"Key stage 4, Year 10: Mathematics"}
    only_la = (await reads_of(client, token, organisationId=str(world.la.id)))["data"]
    assert only_la["outsideReads"]["totalCount"] == 2
    assert {e["node"]["readerOrganisation"] for e in only_la["outsideReads"]["edges"]} == {
        world.la.name}
    first = (await reads_of(client, token, first=3))["data"]["outsideReads"]
    assert [e["node"]["reader"] for e in first["edges"]] == [  # newest first, then last made
        chain_officer.full_name, chain_officer.full_name, officer.full_name]
    assert first["pageInfo"]["hasNextPage"]
    rest = (await reads_of(client, token, first=3, after=first["pageInfo"]["endCursor"]))
    assert [e["node"]["reader"] for e in rest["data"]["outsideReads"]["edges"]] == [
        officer.full_name]
    wrong = await reads_of(client, token, readFrom=day(1), readTo=day(5))
    assert wrong["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "end of the period" in wrong["errors"][0]["message"]
    assert await OutsideRead.filter(school_id=school.id).count() == 4


async def test_the_page_filters_and_the_csv_is_formula_safe(client, world):
    school = world.schools["everything"]
    leader = await make_user(school, Role.HEAD_TEACHER)
    officer = world.users["la_full"]
    await OutsideRead.create(
        school_id=school.id, reader=officer, reader_name="=HYPERLINK(\"x\") Smith",
        reader_organisation_id=world.la.id, read_at=datetime.now(UTC), level="pupil",
        key_stage="KS4", year_group=10, subjects=[], pupils=7, via="export")
    await sign_in(client, leader)
    home = await client.get("/")
    assert 'href="/sharing"' in home.text
    page = await client.get("/sharing/reads")
    assert page.status_code == 200
    assert "Pupils&#39; targets (7 pupils)" in page.text and "Export file" in page.text
    assert 'href="/sharing/reads.csv"' in page.text
    other = await client.get("/sharing/reads", params={"organisation": str(world.chain.id)})
    assert "No outside reads match these choices" in other.text
    bad = await client.get("/sharing/reads", params={"readFrom": "31/02/2026"})
    assert bad.status_code == 400 and "Enter the start of the period as a date" in bad.text
    backwards = await client.get("/sharing/reads", params={"readFrom": "2026-12-02",
                                                           "readTo": "2026-12-01"})
    assert backwards.status_code == 400 and "end of the period" in backwards.text
    assert "Traceback" not in backwards.text
    got = await client.get("/sharing/reads.csv", params={"organisation": str(world.la.id)})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.text)))
    assert rows[0][:3] == ["When (UTC)", "Who", "Organisation"]
    assert rows[1][1] == "'=HYPERLINK(\"x\") Smith" and rows[1][2] == world.la.name
    assert rows[1][5] == "7"


async def test_outside_users_and_other_staff_never_see_the_page_or_the_menu_item(client, world):
    for account in (world.users["la_full"], world.users["school_full"]):
        client.cookies.clear()
        await sign_in(client, account)
        home = await client.get("/")
        assert 'href="/sharing"' not in home.text
        assert (await client.get("/sharing/reads")).status_code == 403
        assert (await client.get("/sharing/reads.csv")).status_code == 403


async def test_administrators_see_the_reads_on_the_administration_site(client, world):
    school = world.schools["everything"]
    await graphql(client, AGGREGATES, {"keyStage": "KS4", "yearGroup": 10},
                  token=world.tokens["chain"])
    await sign_in(client, world.users["administrator"])
    page = await client.get("/admin/sharing/reads")
    assert page.status_code == 200 and world.chain.name in page.text
    assert 'href="/admin/sharing/reads.csv"' in page.text
    assert await OutsideRead.filter(school_id=school.id).count() == 1
