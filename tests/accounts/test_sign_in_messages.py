"""Issue 16 items 7 and 9: a reset cannot keep the current password; a deactivated person who
gives the right password is told so and whom to ask (nothing for a wrong password)."""

from __future__ import annotations

from starlette.requests import Request

from server.auth.passwords import verify_password
from server.context import build_context
from server.models import Account, PasswordReset
from server.models.enums import AccountStatus
from server.schema import schema
from server.services.accounts import recovery, signin
from server.services.accounts.audit import Actor
from tests.accounts.helpers import error_messages, post
from tests.factories import PASSWORD, make_administrator, make_school, make_user

SIGN_IN = """mutation ($input: SignInInput!) {
  signIn(input: $input) { viewer { username } errors { field message code } } }"""
RESET = """mutation ($input: ResetPasswordInput!) {
  resetPassword(input: $input, area: MAIN) { done errors { field message code } } }"""


async def anonymous(query, variables):
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
                       "headers": [], "client": ("127.0.0.1", 50000)})
    result = await schema.execute(query, variable_values=variables, context_value=build_context(request))
    assert not result.errors, result.errors
    return result.data


async def sign_in_page(client, login_name, password):
    await client.get("/sign-in")
    return await client.post("/sign-in", data={"csrftoken": client.cookies.get("csrftoken"),
                                               "loginName": login_name, "password": password})


async def test_a_deactivated_person_with_the_right_password_is_told_whom_to_ask(client):
    school = await make_school()
    first = await make_administrator(school)
    second = await make_administrator(school)
    user = await make_user(school, status=AccountStatus.DEACTIVATED)
    page = await sign_in_page(client, user.login_name, PASSWORD)
    assert page.status_code == 400 and "<title>Error: " in page.text
    [message] = error_messages(page.text)
    assert "has been deactivated" in message and school.name in message
    assert first.full_name in message and second.full_name in message
    answer = await anonymous(SIGN_IN, {"input": {"loginName": user.login_name, "password": PASSWORD,
                                                 "area": "MAIN"}})
    assert answer["signIn"]["viewer"] is None
    assert answer["signIn"]["errors"][0]["code"] == "DEACTIVATED"
    assert answer["signIn"]["errors"][0]["message"] == message


async def test_a_deactivated_person_with_a_wrong_password_learns_nothing(client):
    school = await make_school()
    user = await make_user(school, status=AccountStatus.DEACTIVATED)
    page = await sign_in_page(client, user.login_name, "not the password at all")
    assert page.status_code == 400
    assert error_messages(page.text) == [signin.FAILED_SIGN_IN]
    assert (await Account.get(id=user.id)).failed_logins == 1


async def test_a_locked_deactivated_account_learns_nothing_even_with_the_right_password(client):
    from datetime import timedelta

    from tortoise.timezone import now

    user = await make_user(await make_school(), status=AccountStatus.DEACTIVATED)
    await Account.filter(id=user.id).update(failed_logins=10, locked_until=now() + timedelta(minutes=15))
    page = await sign_in_page(client, user.login_name, PASSWORD)
    assert error_messages(page.text) == [signin.FAILED_SIGN_IN]


async def test_a_deactivated_administrator_is_pointed_at_the_other_administrators(client):
    school = await make_school()
    other = await make_administrator(school)
    admin = await make_administrator(school, status=AccountStatus.DEACTIVATED)
    await client.get("/admin/sign-in")
    page = await client.post("/admin/sign-in", data={"csrftoken": client.cookies.get("csrftoken"),
                                                     "loginName": admin.login_name, "password": PASSWORD})
    [message] = error_messages(page.text)
    assert other.full_name in message and admin.full_name not in message


async def reset_link(inbox, account):
    admin = await make_administrator(await account.organisation)
    await recovery.send_reset_by_administrator(
        Actor(account=admin), await Account.get(id=account.id).prefetch_related("organisation")
    )
    return inbox.link(inbox.to(account.email)[-1], "/reset-password/")


async def test_a_reset_refuses_the_current_password_and_changes_nothing(client, inbox):
    user = await make_user(await make_school(), email="sam@school.org.uk")
    link = await reset_link(inbox, user)
    page = await post(client, link, {"password": PASSWORD, "passwordConfirmation": PASSWORD})
    assert page.status_code == 400 and "<title>Error: " in page.text
    assert error_messages(page.text) == [recovery.SAME_AS_CURRENT]
    assert 'href="#password"' in page.text
    reset = await PasswordReset.get(account_id=user.id)
    assert reset.link_hash is not None  # the link still works
    token = link.rsplit("/", 1)[1]
    answer = await anonymous(RESET, {"input": {"token": token, "password": PASSWORD,
                                               "passwordConfirmation": PASSWORD}})
    assert answer["resetPassword"] == {"done": False, "errors": [
        {"field": "password", "message": recovery.SAME_AS_CURRENT, "code": "SAME_AS_CURRENT"}]}
    new = "a completely different passphrase"
    page = await post(client, link, {"password": new, "passwordConfirmation": new})
    assert page.status_code == 200
    assert await verify_password((await Account.get(id=user.id)).password_hash, new)
