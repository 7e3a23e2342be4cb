"""Signing in and out of both sites through the real pages."""

import pytest

from server.models import Account, Session
from server.models.enums import AccountStatus
from tests.factories import PASSWORD, make_administrator, make_school, make_user, sign_in


async def _post_sign_in(client, path, login_name, password):
    await client.get(path)
    return await client.post(path, data={"csrftoken": client.cookies.get("csrftoken"),
                                         "loginName": login_name, "password": password})


async def test_user_signs_in_and_sees_home(client):
    school = await make_school()
    user = await make_user(school)
    await sign_in(client, user)
    home = await client.get("/")
    assert home.status_code == 200
    assert school.name in home.text
    assert school.urn in home.text
    assert home.headers["cache-control"] == "no-store"


async def test_session_cookie_is_http_only_and_lax(client):
    user = await make_user(await make_school())
    response = await sign_in(client, user)
    cookie = [h for h in response.headers.get_list("set-cookie") if h.startswith("aspire_session=")][0]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie


async def test_home_needs_sign_in(client):
    r = await client.get("/")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/sign-in")


async def test_wrong_password_and_unknown_name_get_the_same_message(client):
    user = await make_user(await make_school())
    wrong = await _post_sign_in(client, "/sign-in", user.login_name, "not the password at all")
    unknown = await _post_sign_in(client, "/sign-in", "nobody@example.org.uk", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    assert "Enter a correct login name and password." in wrong.text
    assert wrong.text.count("Enter a correct login name and password.") == unknown.text.count(
        "Enter a correct login name and password.")
    assert "Error: " in wrong.text and "There is a problem" in wrong.text


async def test_empty_fields_are_named(client):
    r = await _post_sign_in(client, "/sign-in", "", "")
    assert r.status_code == 400
    assert 'href="#loginName"' in r.text and 'href="#password"' in r.text


async def test_administrator_cannot_use_main_site_and_user_cannot_use_admin(client):
    school = await make_school()
    admin = await make_administrator(school)
    user = await make_user(school)
    assert (await _post_sign_in(client, "/sign-in", admin.login_name, PASSWORD)).status_code == 400
    assert (await _post_sign_in(client, "/admin/sign-in", user.login_name, PASSWORD)).status_code == 400
    assert (await _post_sign_in(client, "/admin/sign-in", admin.login_name, PASSWORD)).status_code == 303
    page = await client.get("/admin")
    assert page.status_code == 200 and admin.login_name in page.text


async def test_pending_account_cannot_sign_in(client):
    user = await make_user(await make_school(), status=AccountStatus.PENDING)
    assert (await _post_sign_in(client, "/sign-in", user.login_name, PASSWORD)).status_code == 400


async def test_account_locks_after_ten_failures_even_for_the_right_password(client, monkeypatch):
    from server.services.accounts import signin

    async def no_sleep(seconds):
        return None

    monkeypatch.setattr(signin.asyncio, "sleep", no_sleep)
    user = await make_user(await make_school())
    for _ in range(10):
        try:
            await signin.authenticate(user.login_name, "wrong password here", "main", f"10.0.0.{_}")
        except Exception:
            pass
    refreshed = await Account.get(id=user.id)
    assert refreshed.failed_logins == 10 and refreshed.locked_until is not None
    r = await _post_sign_in(client, "/sign-in", user.login_name, PASSWORD)
    assert r.status_code == 400
    assert "Enter a correct login name and password." in r.text


async def test_per_ip_throttle(client, monkeypatch):
    from server.services.accounts import signin

    async def no_sleep(seconds):
        return None

    from datetime import UTC, datetime

    from server.auth import throttle
    from server.settings import get_settings

    monkeypatch.setattr(signin.asyncio, "sleep", no_sleep)
    monkeypatch.setattr(throttle, "now", lambda: datetime(2026, 11, 30, 9, 0, 30, tzinfo=UTC))
    ceiling = get_settings().sign_in_address_failures_per_minute
    statuses = [
        (await _post_sign_in(client, "/sign-in", f"n{i}@example.org.uk", "whatever password")).status_code
        for i in range(ceiling + 2)
    ]
    assert statuses[:ceiling] == [400] * ceiling  # failures only count per address (issue 18)
    assert statuses[-2:] == [429, 429]


async def test_sign_in_issues_a_new_session_and_sign_out_ends_it(client):
    user = await make_user(await make_school())
    await sign_in(client, user)
    first = client.cookies.get("aspire_session")
    await sign_in(client, user)
    second = client.cookies.get("aspire_session")
    assert first != second
    assert await Session.filter(account_id=user.id).count() == 1
    r = await client.post("/sign-out", data={"csrftoken": client.cookies.get("csrftoken")})
    assert r.status_code == 303
    assert await Session.filter(account_id=user.id).count() == 0
    assert (await client.get("/")).status_code == 303


async def test_unsafe_request_without_csrf_token_is_refused(client):
    user = await make_user(await make_school())
    await sign_in(client, user)
    r = await client.post("/sign-out", data={})
    assert r.status_code == 403
    assert await Session.filter(account_id=user.id).count() == 1


async def test_idle_session_expires(client):
    from datetime import timedelta

    from tortoise.timezone import now

    user = await make_user(await make_school())
    await sign_in(client, user)
    await Session.filter(account_id=user.id).update(last_seen_at=now() - timedelta(minutes=31))
    assert (await client.get("/")).status_code == 303


async def test_deactivation_ends_sessions_at_once(client):
    user = await make_user(await make_school())
    await sign_in(client, user)
    await Account.filter(id=user.id).update(status=AccountStatus.DEACTIVATED)
    assert (await client.get("/")).status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
async def test_next_never_leaves_the_site(client, target):
    user = await make_user(await make_school())
    await client.get("/sign-in")
    r = await client.post(f"/sign-in?next={target}", data={
        "csrftoken": client.cookies.get("csrftoken"), "loginName": user.login_name, "password": PASSWORD})
    assert r.status_code == 303
    assert r.headers["location"] in ("/", target) and not r.headers["location"].startswith(("//", "http", "/\\"))


async def test_names_are_escaped(client):
    school = await make_school(name="<img src=x onerror=alert(1)> {{7*7}}")
    user = await make_user(school)
    await sign_in(client, user)
    page = (await client.get("/")).text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; {{7*7}}" in page


async def test_security_headers_on_pages_and_errors(client):
    for path in ("/sign-in", "/no-such-page"):
        r = await client.get(path)
        csp = r.headers["content-security-policy"]
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"]
    assert (await client.get("/no-such-page")).status_code == 404
