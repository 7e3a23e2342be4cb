"""An expected refusal is one INFO line in the log, never an ERROR with a traceback; a real
failure still is (issue 19 item 4)."""

from __future__ import annotations

import logging

from server.models.enums import PupilAccess, Role
from tests.factories import api_token, graphql, make_local_authority, make_school, make_user

PUPILS = """query Pupils($urn: String!) { pupilTargets(schoolUrn: $urn, keyStage: KS4, yearGroup: 10)
            { totalCount } }"""


async def test_a_forbidden_read_is_one_info_line(client, caplog):
    la = await make_local_authority()
    school = await make_school(la=la)
    other = await make_school(la=la, name="Elsewhere Academy", urn="199999")
    token = await api_token(await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL))
    with caplog.at_level(logging.INFO):
        r = await graphql(client, PUPILS, {"urn": other.urn}, token=token)
    assert r.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    graphql_records = [rec for rec in caplog.records if rec.name.startswith(("aspire.graphql",
                                                                             "strawberry"))]
    assert len(graphql_records) == 1, graphql_records
    (record,) = graphql_records
    assert record.levelno == logging.INFO and record.exc_info is None
    assert "FORBIDDEN" in record.getMessage() and "Pupils at pupilTargets" in record.getMessage()
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]


async def test_an_unexpected_failure_is_still_an_error_with_its_traceback(client, caplog,
                                                                          monkeypatch):
    from server.resolvers import targets

    async def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(targets, "pupil_targets", broken)
    school = await make_school(la=await make_local_authority())
    token = await api_token(await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL))
    with caplog.at_level(logging.INFO):
        r = await graphql(client, PUPILS, {"urn": school.urn}, token=token)
    assert r.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    errors = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None
    assert "a bug" not in r.text
