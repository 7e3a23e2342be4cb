"""POST /graphql: authentication, limits and hostile requests."""

import time

import pytest
import strawberry

from server.schema.extensions import schema_extensions
from tests.factories import api_token, graphql, make_school, make_user, sign_in

VIEWER = "{ viewer { username forename organisation { kind name urn } isAdministrator role pupilAccess } }"


async def test_anonymous_request_is_unauthenticated(client):
    r = await client.post("/graphql", json={"query": VIEWER})
    assert r.status_code == 401
    assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("header", ["Bearer aspire_forged", "Bearer nonsense", "Bearer ", "Basic abc"])
async def test_forged_token_is_unauthenticated(client, header):
    r = await client.post("/graphql", json={"query": VIEWER}, headers={"authorization": header})
    assert r.status_code == 401
    assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_anonymous_introspection_is_refused(client):
    r = await client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
    assert r.status_code == 401
    assert "data" not in r.json()


async def test_token_acts_as_its_user(client):
    school = await make_school()
    user = await make_user(school)
    token = await api_token(user)
    r = await graphql(client, VIEWER, token=token)
    assert r.status_code == 200
    viewer = r.json()["data"]["viewer"]
    assert viewer["username"] == user.login_name
    assert viewer["organisation"] == {"kind": "SCHOOL", "name": school.name, "urn": school.urn}
    assert viewer["isAdministrator"] is False
    assert viewer["role"] == "Teacher"
    assert viewer["pupilAccess"] == "FULL"


async def test_token_in_query_string_is_not_accepted(client):
    user = await make_user(await make_school())
    token = await api_token(user)
    r = await client.post(f"/graphql?token={token}", json={"query": VIEWER})
    assert r.status_code == 401


async def test_revoked_token_is_refused_at_once(client):
    from server.auth.tokens import create_api_token, revoke_api_token

    user = await make_user(await make_school())
    plain, token = await create_api_token(user, "tool")
    assert (await graphql(client, VIEWER, token=plain)).status_code == 200
    assert await revoke_api_token(user, token.id)
    assert (await graphql(client, VIEWER, token=plain)).status_code == 401


async def test_deactivated_users_token_is_refused(client):
    from server.models.enums import AccountStatus

    user = await make_user(await make_school())
    token = await api_token(user)
    user.status = AccountStatus.DEACTIVATED
    await user.save()
    assert (await graphql(client, VIEWER, token=token)).status_code == 401


async def test_last_use_is_recorded(client):
    from server.auth.tokens import create_api_token
    from server.models import ApiToken

    user = await make_user(await make_school())
    plain, token = await create_api_token(user, "tool")
    await graphql(client, VIEWER, token=plain)
    assert (await ApiToken.get(id=token.id)).last_used_at is not None


@pytest.fixture
async def token():
    return await api_token(await make_user(await make_school()))


async def test_thousands_of_aliases_are_refused_quickly(client, token):
    query = "{ " + " ".join(f"a{i}: viewer {{ username }}" for i in range(3000)) + " }"
    started = time.perf_counter()
    r = await graphql(client, query, token=token)
    assert time.perf_counter() - started < 2
    assert r.status_code in (200, 400, 413)
    body = r.json()
    assert "data" not in body or body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_sixteen_aliases_are_refused_but_fifteen_run(client, token):
    ok = "{ " + " ".join(f"a{i}: viewer {{ username }}" for i in range(15)) + " }"
    too_many = "{ " + " ".join(f"a{i}: viewer {{ username }}" for i in range(16)) + " }"
    assert "errors" not in (await graphql(client, ok, token=token)).json()
    body = (await graphql(client, too_many, token=token)).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_aliases_hidden_in_fragments_are_counted(client, token):
    fragment = "fragment F on Query { " + " ".join(f"b{i}: viewer {{ username }}" for i in range(20)) + " }"
    body = (await graphql(client, "{ ...F } " + fragment, token=token)).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_megabyte_query_is_refused(client, token):
    query = "{ viewer { username } }" + " " * (1024 * 1024)
    r = await graphql(client, query, token=token)
    assert r.status_code == 413
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_too_many_tokens_is_refused(client, token):
    query = "{ viewer { " + " ".join(["username"] * 2100) + " } }"
    body = (await graphql(client, query, token=token)).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


_toy_calls: list[int] = []


@strawberry.type
class ToyNode:
    id: int = 1

    @strawberry.field
    def child(self) -> "ToyNode":
        _toy_calls.append(1)
        return ToyNode()


@strawberry.type
class ToyQuery:
    @strawberry.field
    def node(self) -> ToyNode:
        return ToyNode()


async def test_depth_over_ten_is_refused_before_running():
    """Our schema is shallow; a recursive one shows the same extensions refuse depth 11."""
    toy = strawberry.Schema(query=ToyQuery, extensions=schema_extensions())
    ran = _toy_calls
    ok = "{ node { " + "child { " * 8 + "id" + " }" * 8 + " } }"
    deep = "{ node { " + "child { " * 10 + "id" + " }" * 10 + " } }"
    assert (await toy.execute(ok)).errors is None
    ran.clear()
    result = await toy.execute(deep)
    assert result.errors and result.errors[0].extensions["code"] == "BAD_USER_INPUT"
    assert ran == []


async def test_batched_array_is_refused(client, token):
    r = await client.post("/graphql", json=[{"query": VIEWER}, {"query": VIEWER}],
                          headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"null", b'"text"', b'{"query": 5}',
                                  b'{"query": "{ viewer { username } }", "variables": [1]}'])
async def test_malformed_json_is_refused(client, token, body):
    r = await client.post("/graphql", content=body, headers={
        "authorization": f"Bearer {token}", "content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_syntax_error_is_a_graphql_error_without_internals(client, token):
    body = (await graphql(client, "{ viewer { ", token=token)).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Traceback" not in str(body)


async def test_field_suggestions_are_off(client, token):
    body = (await graphql(client, "{ viewer { usernam } }", token=token)).json()
    assert "Did you mean" not in body["errors"][0]["message"]


async def test_queries_over_get_are_refused(client, token):
    r = await client.get("/graphql", params={"query": VIEWER}, headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 405
    assert "username" not in r.text


async def test_page_size_is_capped(client, token):
    body = (await graphql(client, "{ schools(first: 101) { totalCount } }", token=token)).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_bad_cursor_is_a_user_error(client, token):
    body = (await graphql(client, '{ schools(after: "!!!") { totalCount } }', token=token)).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_internal_errors_are_masked(client, token, monkeypatch):
    from server.resolvers import organisations

    def boom(context):
        raise RuntimeError("SELECT secret FROM somewhere")

    monkeypatch.setattr(organisations, "viewer", boom)
    body = (await graphql(client, VIEWER, token=token)).json()
    assert body["errors"][0]["message"] == "Unexpected error."
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "SELECT" not in str(body)


async def test_cookie_request_needs_csrf_header_and_json(client):
    school = await make_school()
    user = await make_user(school)
    await sign_in(client, user)
    no_header = await client.post("/graphql", json={"query": VIEWER})
    assert no_header.status_code == 403
    form = await client.post("/graphql", data={"query": VIEWER, "csrftoken": client.cookies.get("csrftoken")})
    assert form.status_code == 415
    ok = await graphql(client, VIEWER)
    assert ok.status_code == 200
    assert ok.json()["data"]["viewer"]["username"] == user.login_name


async def test_signed_in_user_may_introspect(client):
    user = await make_user(await make_school())
    await sign_in(client, user)
    body = (await graphql(client, "{ __schema { queryType { name } } }")).json()
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_explorer_needs_sign_in(client):
    r = await client.get("/graphql")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/sign-in")


async def test_explorer_is_served_locally_for_signed_in_users(client):
    user = await make_user(await make_school())
    await sign_in(client, user)
    page = await client.get("/graphql")
    assert page.status_code == 200
    assert "/static/vendor/graphiql/graphiql.min.js" in page.text
    assert "unpkg.com" not in page.text and "cdn" not in page.text.lower()
    assert "<script>" not in page.text  # every script carries the nonce, none is inline
