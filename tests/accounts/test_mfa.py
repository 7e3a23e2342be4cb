"""Optional two-step sign-in (TOTP); an organisation can require it for administrators and
full-access users; a session stays not signed in until the code is right."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp

from server.models import Account, Organisation, Session, ThrottleCounter
from server.models.enums import PupilAccess, Role
from tests.accounts.helpers import error_messages, post
from tests.factories import PASSWORD, graphql, make_administrator, make_school, make_user, sign_in


def code_for(secret: str, used: set[int]) -> str:
    """A code valid now (within the accepted drift) from a time step after every one used
    (an older code than the last accepted one is refused too)."""
    totp = pyotp.TOTP(secret)
    for offset in (0, 1):
        at = datetime.now(UTC) + timedelta(seconds=30 * offset)
        if totp.timecode(at) > max(used, default=-1):
            used.add(totp.timecode(at))
            return totp.at(at)
    raise AssertionError("no unused time step")


async def sign_in_to_code(client, account, area=""):
    page = await post(client, f"{area}/sign-in", {"loginName": account.login_name, "password": PASSWORD})
    assert page.status_code == 303
    page = await client.get(page.headers["location"])
    assert page.status_code == 303 and page.headers["location"].startswith(f"{area}/sign-in/code")
    return page.headers["location"]


async def test_a_user_turns_on_two_step_sign_in(client):
    school = await make_school()
    user = await make_user(school, Role.TEACHER, PupilAccess.AGGREGATE)
    await sign_in(client, user)
    page = await client.get("/account/security")
    assert page.status_code == 200 and "Off" in page.text
    page = await post(client, "/account/security", {"action": "start"})
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    assert "otpauth://totp/" in page.text
    stored = (await Account.get(id=user.id)).totp_secret
    assert secret not in stored  # encrypted at rest
    page = await post(client, "/account/security", {"action": "confirm", "code": "000000"})
    assert page.status_code == 400 and "<title>Error: " in page.text
    assert error_messages(page.text)[0].startswith("The code is not correct")
    used: set[int] = set()
    first = code_for(secret, used)
    page = await post(client, "/account/security", {"action": "confirm", "code": first})
    assert page.status_code == 200 and "Two-step sign-in is now on." in page.text
    assert (await Account.get(id=user.id)).totp_enabled

    # Sign in again: the password alone is not enough.
    await post(client, "/sign-out", {})
    code_page = await sign_in_to_code(client, user)
    assert (await client.get("/account/tokens")).status_code == 303
    response = await graphql(client, "{ viewer { username } }")
    assert response.status_code == 401
    page = await post(client, code_page, {"code": "123456"})
    assert page.status_code == 400
    page = await post(client, code_page, {"code": first})  # already used: refused
    assert page.status_code == 400 and "already been used" in page.text
    page = await post(client, code_page, {"code": code_for(secret, used)})
    assert page.status_code == 303 and page.headers["location"] == "/"
    assert (await client.get("/")).status_code == 200

    # Five codes a minute at most, right or wrong.
    for _ in range(7):
        page = await post(client, "/account/security", {"action": "disable", "code": "000000"})
        assert page.status_code == 400
        if "Too many codes tried" in page.text:
            break
    assert "Too many codes tried" in page.text
    await ThrottleCounter.all().delete()  # a minute later
    await Account.filter(id=user.id).update(totp_last_step=None)  # and codes moved on
    used.clear()

    # Turning it off needs a code too.
    page = await post(client, "/account/security", {"action": "disable", "code": "000000"})
    assert page.status_code == 400
    page = await post(client, "/account/security", {"action": "disable", "code": code_for(secret, used)})
    assert page.status_code == 200 and "now off" in page.text
    assert not (await Account.get(id=user.id)).totp_enabled


async def test_an_organisation_requires_it_for_administrators_and_full_access(app, client):
    import httpx

    school = await make_school()
    admin = await make_administrator(school)
    full = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    aggregate = await make_user(school, Role.GOVERNOR, PupilAccess.AGGREGATE)
    await sign_in(client, admin)
    page = await post(client, "/admin/security", {"requireMfa": "yes"})
    assert page.status_code == 200 and "now required" in page.text
    assert (await Organisation.get(id=school.id)).require_mfa

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 53000)),
                                 base_url="http://testserver") as person:
        await sign_in(person, aggregate)  # not covered by the requirement
        assert (await person.get("/")).status_code == 200

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 53001)),
                                 base_url="http://testserver") as person:
        code_page = await sign_in_to_code(person, full)
        page = await person.get(code_page)
        assert "requires two-step sign-in" in page.text
        page = await post(person, code_page, {"action": "start"})
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
        used = set()
        page = await post(person, code_page, {"action": "confirm", "code": code_for(secret, used)})
        assert page.status_code == 303
        assert (await person.get("/")).status_code == 200
        page = await post(person, "/account/security", {"action": "disable", "code": code_for(secret, used)})
        assert page.status_code == 400 and "requires two-step sign-in" in page.text

    # The administrator's own next sign-in asks them to set it up as well.
    await post(client, "/admin/sign-out", {})
    await sign_in_to_code(client, admin, "/admin")
    assert await Session.filter(account_id=admin.id, mfa_pending=True).count() == 1
