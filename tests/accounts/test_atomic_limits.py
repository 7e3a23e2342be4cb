"""Issue 12: every guessing limit counted in one statement and decided from the counted value.

Thirty attempts are fired at once (asyncio.gather through the ASGI app, or at the service);
each test asserts the exact count and the lock. The throttle-store tests run against the
database and against Redis (127.0.0.1:6379, keys under a prefix of their own).
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pyotp
import pytest
from tortoise.timezone import now

from server.auth import throttle
from server.auth.secrets import encrypt
from server.auth.sessions import start_session
from server.models import Account, Activation, PasswordReset, SecurityAnswer, Session
from server.models.enums import AccountKind, PupilAccess, Role
from server.services.accounts import activation as signups
from server.services.accounts import mfa, recovery, signin
from server.services.accounts.audit import Actor
from server.services.accounts.credentials import seal_answer
from server.services.accounts.people import add_pending_person
from server.services.errors import UserInputError
from server.settings import get_settings
from tests.factories import PASSWORD, make_administrator, make_school, make_user

SIGN_IN = """mutation ($input: SignInInput!) {
  signIn(input: $input) { viewer { username } errors { field message code } } }"""
CODE = """mutation ($input: ActivationCodeInput!) {
  verifyActivationCode(input: $input) { errors { field message code } } }"""
ANSWER = """mutation ($input: AnswerPasswordRecoveryInput!) {
  answerPasswordRecovery(input: $input) { sent errors { field message code } } }"""
RESET = """mutation ($input: ResetPasswordInput!) {
  resetPassword(input: $input, area: MAIN) { done errors { field message code } } }"""
AT_ONCE = 30
MID_MINUTE = datetime(2026, 11, 30, 9, 0, 20, tzinfo=UTC)


@pytest.fixture
def delays(monkeypatch):
    """No real waiting: the delays asked for are recorded instead."""
    asked: list[float] = []
    real_sleep = asyncio.sleep

    async def record(seconds):
        asked.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(signin.asyncio, "sleep", record)
    return asked


@pytest.fixture
def one_minute(monkeypatch):
    """Every throttle window the same (no minute boundary in the middle of a test)."""
    monkeypatch.setattr(throttle, "now", lambda: MID_MINUTE)


@pytest.fixture(params=["database", "redis"])
async def store(request, monkeypatch):
    """The throttle store: the database, or Redis (keys under a fresh prefix)."""
    if request.param == "redis":
        settings = dataclasses.replace(get_settings(), redis_url="redis://127.0.0.1:6379/0")
        monkeypatch.setattr(throttle, "get_settings", lambda: settings)
        monkeypatch.setattr(throttle, "PREFIX", f"aspire-test:{uuid.uuid4().hex}:")
        throttle._redis.cache_clear()
        yield "redis"
        client = throttle._redis()
        keys = [key async for key in client.scan_iter(match=throttle.PREFIX + "*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
        throttle._redis.cache_clear()
    else:
        yield "database"


async def gql(client, query, variables):
    """The schema as the pages run it, for a person not signed in (from 127.0.0.1)."""
    from starlette.requests import Request

    from server.context import build_context
    from server.schema import schema

    request = Request({"type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
                       "headers": [], "client": ("127.0.0.1", 50000)})
    result = await schema.execute(query, variable_values=variables, context_value=build_context(request))
    assert not result.errors, result.errors
    return result.data


async def page_sign_in(app, login_name, password, path="/sign-in"):
    """The sign-in page through the HTTP app, each person with their own browser (cookies)."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        await browser.get(path)
        response = await browser.post(path, data={"csrftoken": browser.cookies.get("csrftoken"),
                                                  "loginName": login_name, "password": password})
    if response.status_code == 303:
        return "SIGNED_IN"
    if response.status_code == 429:
        return "RATE_LIMITED"
    assert response.status_code == 400, response.text
    if "has been deactivated" in response.text:
        return "DEACTIVATED"
    assert signin.FAILED_SIGN_IN in response.text
    return "FAILED"


def sign_in_input(login_name, password, area="MAIN"):
    return {"input": {"loginName": login_name, "password": password, "area": area}}


# Sign-in per account ------------------------------------------------------------------


async def test_thirty_wrong_passwords_at_once_count_thirty_and_lock(app, client, delays, one_minute, store):
    user = await make_user(await make_school())
    answers = await asyncio.gather(*[
        page_sign_in(app, user.login_name, f"wrong password {i}") for i in range(AT_ONCE)
    ])
    assert answers == ["FAILED"] * AT_ONCE
    account = await Account.get(id=user.id)
    assert account.failed_logins == AT_ONCE
    assert account.locked_until is not None and account.locked_until > now() + timedelta(minutes=14)
    right = await gql(client, SIGN_IN, sign_in_input(user.login_name, PASSWORD))
    assert right["signIn"]["viewer"] is None and right["signIn"]["errors"][0]["code"] == "FAILED"
    assert await Session.filter(account_id=user.id).count() == 0
    # Each failure from the fifth on was held, by the count that failure itself got (the
    # address's count, from its 11th failure, may hold one of the first four too).
    held = sorted(d for d in delays if d)
    assert AT_ONCE - signin.DELAY_AFTER_FAILURES + 1 <= len(held) <= AT_ONCE - 1
    # A failure is held by the larger of its account's and its address's delay, and under
    # concurrency the two counts need not rise in the same order: every hold is a step of the
    # doubling series, and the longest is the ceiling.
    steps = {0.25 * 2 ** k for k in range(5)} | {signin.MAX_DELAY_SECONDS}
    assert set(held) <= steps
    assert held[-1] == signin.MAX_DELAY_SECONDS


async def test_a_lock_set_during_the_password_check_refuses_the_right_password(client, delays, monkeypatch):
    """The lock is looked at again after the slow verification, before a session is issued."""
    user = await make_user(await make_school())
    real_verify = signin.verify_password

    async def verify_then_locked_meanwhile(stored, password):
        result = await real_verify(stored, password)
        await Account.filter(id=user.id).update(failed_logins=10, locked_until=now() + timedelta(minutes=15))
        return result

    monkeypatch.setattr(signin, "verify_password", verify_then_locked_meanwhile)
    answer = await gql(client, SIGN_IN, sign_in_input(user.login_name, PASSWORD))
    assert answer["signIn"]["viewer"] is None
    assert await Session.filter(account_id=user.id).count() == 0
    assert (await Account.get(id=user.id)).failed_logins == 11


# Sign-in per address (issue 18) -------------------------------------------------------


async def test_two_hundred_staff_of_one_school_sign_in_from_one_address(app, delays, one_minute, store):
    school = await make_school()
    staff = [await make_user(school) for _ in range(200)]
    answers = []
    for batch in range(0, 200, 40):
        answers += await asyncio.gather(*[
            page_sign_in(app, person.login_name, PASSWORD) for person in staff[batch:batch + 40]
        ])
    assert answers == ["SIGNED_IN"] * 200
    assert await Session.all().count() == 200
    assert not [d for d in delays if d]


async def test_wrong_passwords_over_thirty_accounts_from_one_address_are_slowed(app, delays, one_minute, store):
    settings = get_settings()
    school = await make_school()
    staff = [await make_user(school) for _ in range(AT_ONCE)]
    answers = await asyncio.gather(*[
        page_sign_in(app, person.login_name, "not my password at all") for person in staff
    ])
    assert answers == ["FAILED"] * AT_ONCE
    minute, _ = signin.address_keys("127.0.0.1")
    assert await throttle.current(minute, 60) == AT_ONCE
    held = sorted(d for d in delays if d)
    assert len(held) == AT_ONCE - settings.sign_in_address_slow_after  # from the 11th failure on
    assert held[0] == 0.25 and held[-1] == signin.MAX_DELAY_SECONDS
    assert all(a.failed_logins == 1 for a in await Account.filter(id__in=[p.id for p in staff]))


async def test_failures_over_the_address_ceiling_are_refused(app, delays, one_minute, store):
    ceiling = get_settings().sign_in_address_failures_per_minute
    school = await make_school()
    staff = [await make_user(school) for _ in range(ceiling + 10)]
    codes = await asyncio.gather(*[
        page_sign_in(app, person.login_name, "guessed password 1") for person in staff
    ])
    assert codes.count("FAILED") == ceiling and codes.count("RATE_LIMITED") == 10
    minute, _ = signin.address_keys("127.0.0.1")
    assert await throttle.current(minute, 60) == ceiling + 10
    # Now even the right password from that address waits for the next minute ...
    assert await page_sign_in(app, staff[0].login_name, PASSWORD) == "RATE_LIMITED"
    # ... while another address is not affected.
    other = await signin.authenticate(staff[1].login_name, PASSWORD, "main", "192.0.2.7")
    assert other.id == staff[1].id


async def test_the_page_answers_429_over_the_ceiling(client, delays, one_minute):
    minute, _ = signin.address_keys("127.0.0.1")
    for _ in range(get_settings().sign_in_address_failures_per_minute):
        await throttle.hit(minute, 60)
    await client.get("/sign-in")
    page = await client.post("/sign-in", data={"csrftoken": client.cookies.get("csrftoken"),
                                               "loginName": "someone@example.org.uk", "password": "x" * 12})
    assert page.status_code == 429 and "Too many failed sign-ins from your network" in page.text


# Activation codes ---------------------------------------------------------------------


async def pending(school, email="amy@school.org.uk"):
    account, code = await add_pending_person(school, AccountKind.USER, "Amy", "Jones", email,
                                             Role.TEACHER, PupilAccess.FULL, None, False)
    _, link = await signups.deliver_verification(account.id, keep_link_on_failure=True)
    return account, code, link.rsplit("/", 1)[1]


async def test_thirty_wrong_codes_at_once_count_five_and_lock(client):
    account, code, token = await pending(await make_school())
    answers = await asyncio.gather(*[
        gql(client, CODE, {"input": {"token": token, "code": f"WRONG{i:03d}"}}) for i in range(AT_ONCE)
    ])
    errors = [a["verifyActivationCode"]["errors"][0] for a in answers]
    assert sorted(e["message"] for e in errors if e["code"] == "WRONG") == sorted(
        signups.code_wrong_message(left) for left in (1, 2, 3, 4)
    )
    assert [e["code"] for e in errors].count("LOCKED") == AT_ONCE - 4
    activation = await Activation.get(account_id=account.id)
    assert activation.tries == signups.MAX_CODE_TRIES and activation.locked
    right = await gql(client, CODE, {"input": {"token": token, "code": code}})
    assert right["verifyActivationCode"]["errors"][0]["code"] == "LOCKED"


async def test_wrong_codes_say_how_many_tries_remain(client):
    _, _, token = await pending(await make_school())
    messages = []
    for _ in range(5):
        answer = await gql(client, CODE, {"input": {"token": token, "code": "AAAAAAAA"}})
        messages.append(answer["verifyActivationCode"]["errors"][0]["message"])
    assert messages[0].endswith("You have 4 tries left before the code is locked.")
    assert messages[3].endswith("You have 1 try left before the code is locked.")
    assert messages[4] == signups.CODE_LOCKED


# Security answers ---------------------------------------------------------------------

ANSWERS = {"first_pet": "Rex the Dog", "birth_town": "York", "first_car": "Ford Fiesta"}


async def person_with_answers():
    account = await make_user(await make_school(), Role.TEACHER, PupilAccess.FULL, email="pat@school.org.uk")
    for position, (key, text) in enumerate(ANSWERS.items(), start=1):
        await SecurityAnswer.create(account=account, position=position, question=key,
                                    answer_encrypted=seal_answer(text))
    return account


async def test_thirty_wrong_answers_at_once_count_three_lock_and_tell_once(client, inbox, one_minute):
    account = await person_with_answers()
    await recovery.start(account.login_name, "main", "10.0.0.1")
    answers = await asyncio.gather(*[
        gql(client, ANSWER, {"input": {"loginName": account.login_name, "area": "MAIN",
                                       "characters": ["#", "#", "#"]}})
        for _ in range(AT_ONCE)
    ])
    assert all(a["answerPasswordRecovery"]["errors"][0]["code"] in {"NOT_MATCHED", "RATE_LIMITED"}
               for a in answers)
    reset = await PasswordReset.get(account_id=account.id)
    assert reset.failures == recovery.MAX_FAILURES
    assert reset.locked_until is not None and reset.locked_until > now() + timedelta(hours=23)
    assert len(inbox.to(account.email)) == 1  # one "reset locked" email, not thirty


async def test_recovery_per_address_limit_counts_exactly(one_minute, store):
    answers = await asyncio.gather(*[
        recovery.start(f"nobody{i}@example.org.uk", "main", "10.9.9.9") for i in range(AT_ONCE)
    ], return_exceptions=True)
    refused = [a for a in answers if isinstance(a, UserInputError) and a.code == "RATE_LIMITED"]
    assert len(refused) == AT_ONCE - recovery.PER_IP_ATTEMPTS
    assert await throttle.current("recovery:ip:10.9.9.9", 60) == AT_ONCE


# Two-step sign-in codes ---------------------------------------------------------------


async def totp_account():
    account = await make_user(await make_school(), Role.TEACHER, PupilAccess.FULL)
    secret = pyotp.random_base32()
    await Account.filter(id=account.id).update(totp_secret=encrypt(secret, mfa.PURPOSE), totp_enabled=True)
    return await Account.get(id=account.id).prefetch_related("organisation"), secret


async def pending_session(account):
    _, session = await start_session(account, "main", "127.0.0.1", "test", mfa_pending=True)
    return session


async def test_thirty_wrong_totp_codes_at_once_five_checked(one_minute, store):
    account, _ = await totp_account()
    session = await pending_session(account)
    answers = await asyncio.gather(*[
        mfa.verify_session(account, session, f"{i:06d}") for i in range(AT_ONCE)
    ], return_exceptions=True)
    codes = [a.code for a in answers]
    assert codes.count("WRONG") == mfa.ATTEMPTS_A_MINUTE
    assert codes.count("RATE_LIMITED") == AT_ONCE - mfa.ATTEMPTS_A_MINUTE
    assert await throttle.current(f"mfa:{account.id}", 60) == AT_ONCE
    assert (await Session.get(id=session.id)).mfa_pending


async def test_one_right_totp_code_sent_ten_times_at_once_works_once(store):
    account, secret = await totp_account()
    code = pyotp.TOTP(secret).now()
    sessions = [await pending_session(account) for _ in range(10)]
    answers = await asyncio.gather(*[
        mfa.verify_session(account, session, code) for session in sessions
    ], return_exceptions=True)
    assert sum(a is None for a in answers) == 1
    assert await Session.filter(account_id=account.id, mfa_pending=False).count() == 1


async def test_a_totp_code_cannot_be_replayed_across_midnight(monkeypatch):
    account, secret = await totp_account()
    totp = pyotp.TOTP(secret)
    before = datetime(2026, 12, 1, 23, 59, 50, tzinfo=UTC)
    after = before + timedelta(seconds=25)  # 00:00:15: the same code is still within drift
    code = totp.at(before)
    monkeypatch.setattr(mfa, "now", lambda: before)
    monkeypatch.setattr(throttle, "now", lambda: before)
    await mfa.verify_session(account, await pending_session(account), code)
    monkeypatch.setattr(mfa, "now", lambda: after)
    monkeypatch.setattr(throttle, "now", lambda: after)
    with pytest.raises(UserInputError) as raised:
        await mfa.verify_session(account, await pending_session(account), code)
    assert "already been used" in raised.value.message
    # An older code (a step before the last one accepted) is refused too.
    with pytest.raises(UserInputError):
        await mfa.verify_session(account, await pending_session(account), totp.at(before - timedelta(seconds=30)))
    # The next code works.
    await mfa.verify_session(account, await pending_session(account), totp.at(after + timedelta(seconds=30)))


# Single-use links ---------------------------------------------------------------------


async def test_a_reset_link_used_ten_times_at_once_works_once(client, inbox):
    account = await person_with_answers()
    admin = await make_administrator(await account.organisation)
    await recovery.send_reset_by_administrator(
        Actor(account=admin), await Account.get(id=account.id).prefetch_related("organisation")
    )
    token = inbox.link(inbox.to(account.email)[-1], "/reset-password/").rsplit("/", 1)[1]
    answers = await asyncio.gather(*[
        gql(client, RESET, {"input": {"token": token, "password": f"a new long password {i}",
                                      "passwordConfirmation": f"a new long password {i}"}})
        for i in range(10)
    ])
    assert sum(a["resetPassword"]["done"] for a in answers) == 1
    assert all(a["resetPassword"]["errors"][0]["code"] == "LINK_NOT_VALID"
               for a in answers if not a["resetPassword"]["done"])


async def test_a_sign_up_link_completed_ten_times_at_once_works_once(inbox):
    account, code, token = await pending(await make_school())
    await signups.choose_password(token, code, "seven yellow kites at dawn", "seven yellow kites at dawn")
    chosen = [("first_pet", "Rex the dog"), ("birth_town", "York"), ("first_car", "Ford Fiesta")]
    answers = await asyncio.gather(*[
        signups.choose_questions(token, code, chosen) for _ in range(10)
    ], return_exceptions=True)
    assert sum(isinstance(a, Account) for a in answers) == 1
    assert all(a.code == "LINK_USED" for a in answers if not isinstance(a, Account))
    assert await SecurityAnswer.filter(account_id=account.id).count() == 3
