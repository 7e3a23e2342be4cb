"""In-process: a database error inside a resolver or a page is a 503 with a code, not a 500."""

from __future__ import annotations

import sqlite3

import asyncpg
from tortoise.exceptions import OperationalError

from server.outages import is_database_unavailable
from tests.factories import api_token, make_school, make_user


def test_what_counts_as_the_database_being_away():
    assert is_database_unavailable(ConnectionRefusedError())
    assert is_database_unavailable(TimeoutError())
    assert is_database_unavailable(asyncpg.ConnectionDoesNotExistError("closed"))
    assert is_database_unavailable(OperationalError(sqlite3.OperationalError("database is locked")))
    try:
        try:
            raise ConnectionResetError()
        except ConnectionResetError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as wrapped:
        assert is_database_unavailable(wrapped)
    assert not is_database_unavailable(OperationalError("no such column: x"))
    assert not is_database_unavailable(ValueError("a bug"))
    assert not is_database_unavailable(None)


async def _broken_schools(*args, **kwargs):
    raise ConnectionResetError("connection reset by peer")


async def test_graphql_answers_service_unavailable_with_503(client, monkeypatch):
    import server.resolvers.organisations as resolvers

    school = await make_school()
    token = await api_token(await make_user(school))
    monkeypatch.setattr(resolvers, "schools", _broken_schools)
    response = await client.post("/graphql", json={"query": "{ schools(first: 1) { totalCount } }"},
                                 headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert response.headers["retry-after"]
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "connection reset" not in response.text


async def test_a_bug_is_still_a_masked_500_code(client, monkeypatch):
    import server.resolvers.organisations as resolvers

    async def bug(*args, **kwargs):
        raise ValueError("secret detail")

    school = await make_school()
    token = await api_token(await make_user(school))
    monkeypatch.setattr(resolvers, "schools", bug)
    response = await client.post("/graphql", json={"query": "{ schools(first: 1) { totalCount } }"},
                                 headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret detail" not in response.text


async def test_a_page_whose_viewer_lookup_fails_answers_the_503_page(client, monkeypatch):
    import server.app

    async def away(request):
        raise ConnectionRefusedError()

    monkeypatch.setattr(server.app, "resolve_viewer", away)
    response = await client.get("/")
    assert response.status_code == 503
    assert "Sorry, the service is unavailable for a moment" in response.text
    assert 'class="govuk-template"' in response.text
    graphql = await client.post("/graphql", json={"query": "{ viewer { username } }"})
    assert graphql.status_code == 503
    assert graphql.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
