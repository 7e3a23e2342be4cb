"""The API tokens page: create (shown once), list, revoke."""

import re

from server.models import ApiToken
from tests.factories import csrf_headers, graphql, make_administrator, make_school, make_user, sign_in


async def test_create_list_and_revoke_a_token(client):
    user = await make_user(await make_school())
    await sign_in(client, user)
    page = await client.get("/account/tokens")
    assert page.status_code == 200 and "You have no tokens." in page.text
    created = await client.post("/account/tokens", data={"csrftoken": client.cookies.get("csrftoken"),
                                                         "name": "LA dashboard"})
    assert created.status_code == 201
    token = re.search(r'id="new-token">([^<]+)</code>', created.text).group(1)
    stored = await ApiToken.get(account_id=user.id)
    assert token not in (stored.token_hash, stored.prefix) and token.startswith(stored.prefix)
    fresh = client.__class__(transport=client._transport, base_url="http://testserver")
    async with fresh:
        r = await graphql(fresh, "{ viewer { username } }", token=token)
        assert r.json()["data"]["viewer"]["username"] == user.login_name
        listing = await client.get("/account/tokens")
        assert token not in listing.text and "LA dashboard" in listing.text
        revoke = await client.post(f"/account/tokens/{stored.id}/revoke",
                                   data={"csrftoken": client.cookies.get("csrftoken")})
        assert revoke.status_code == 303
        assert (await graphql(fresh, "{ viewer { username } }", token=token)).status_code == 401


async def test_htmx_create_returns_only_the_fragment(client):
    user = await make_user(await make_school())
    await sign_in(client, user)
    r = await client.post("/account/tokens", data={"name": "tool"},
                          headers={"hx-request": "true", **csrf_headers(client)})
    assert r.status_code == 201
    assert r.text.lstrip().startswith("") and "<html" not in r.text and 'id="api-tokens"' in r.text


async def test_blank_name_is_a_field_error_and_creates_nothing(client):
    user = await make_user(await make_school())
    await sign_in(client, user)
    r = await client.post("/account/tokens", data={"csrftoken": client.cookies.get("csrftoken"), "name": "  "})
    assert r.status_code == 400
    assert "Enter a name for the token" in r.text and 'href="#name"' in r.text
    assert await ApiToken.filter(account_id=user.id).count() == 0


async def test_cannot_revoke_someone_elses_token(client):
    school = await make_school()
    owner, other = await make_user(school), await make_user(school)
    from server.auth.tokens import create_api_token

    _, token = await create_api_token(owner, "mine")
    await sign_in(client, other)
    r = await client.post(f"/account/tokens/{token.id}/revoke", data={"csrftoken": client.cookies.get("csrftoken")})
    assert r.status_code == 404
    assert (await ApiToken.get(id=token.id)).revoked_at is None


async def test_tokens_cannot_create_tokens(client):
    user = await make_user(await make_school())
    from tests.factories import api_token

    token = await api_token(user)
    body = (await graphql(client, 'mutation { createApiToken(input: {name: "x"}) { token } }', token=token)).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_administrators_have_no_tokens_page(client):
    admin = await make_administrator(await make_school())
    await sign_in(client, admin)
    assert (await client.get("/account/tokens")).status_code == 303
