"""Forgotten password: same positions until success or lock, 3 failures lock for 24 hours and
email the person, nothing reveals whether a login name exists, links last 30 minutes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from tortoise.timezone import now

from server.auth.sessions import start_session
from server.models import PasswordReset, SecurityAnswer, Session
from server.models.enums import PupilAccess, Role
from server.services.accounts import recovery
from server.services.accounts.audit import Actor
from server.services.accounts.credentials import SECURITY_QUESTIONS, seal_answer
from server.services.errors import UserInputError
from tests.accounts.helpers import positions_on, post
from tests.factories import make_administrator, make_school, make_user

ANSWERS = {"first_pet": "Rex the Dog", "birth_town": "York", "first_car": "Ford Fiesta"}
TEXT_TO_KEY = {v: k for k, v in SECURITY_QUESTIONS.items()}


async def person(school=None, email="pat@school.org.uk"):
    school = school or await make_school()
    account = await make_user(school, Role.TEACHER, PupilAccess.FULL, email=email)
    for position, (key, answer) in enumerate(ANSWERS.items(), start=1):
        await SecurityAnswer.create(account=account, position=position, question=key,
                                    answer_encrypted=seal_answer(answer))
    return account


def shape(html: str, login_name: str) -> str:
    """The page without what differs by design: the name typed, questions, nonces, tokens."""
    html = html.replace(login_name, "")
    html = re.sub(r'<label[^>]*>.*?</label>', "", html, flags=re.S)
    html = re.sub(r'(nonce|value|content)="[^"]*"', "", html)
    return html


def right_characters(challenge) -> list[str]:
    return [ANSWERS[key].replace(" ", "").lower()[position - 1]
            for key, position in challenge.characters]


def wrong_characters(challenge) -> list[str]:
    return ["#" for _ in challenge.characters]


async def test_the_same_positions_until_success(inbox):
    account = await person()
    first = await recovery.start(account.login_name, "main", "10.0.0.1")
    assert len(first.characters) == 3 and len(set(first.characters)) == 3
    assert all(key in ANSWERS for key, _ in first.characters)
    for _ in range(3):
        assert (await recovery.start(account.login_name.upper(), "main", "10.0.0.1")) == first
    with pytest.raises(UserInputError):
        await recovery.answer(account.login_name, "main", wrong_characters(first), "10.0.0.1")
    assert await recovery.start(account.login_name, "main", "10.0.0.1") == first
    assert await recovery.answer(account.login_name, "main", right_characters(first), "10.0.0.1")
    assert len(inbox.to(account.email)) == 1


async def test_three_failures_lock_for_a_day_and_tell_the_person(inbox):
    account = await person()
    challenge = await recovery.start(account.login_name, "main", "10.0.0.2")
    messages = set()
    for _ in range(3):
        with pytest.raises(UserInputError) as raised:
            await recovery.answer(account.login_name, "main", wrong_characters(challenge), "10.0.0.2")
        messages.add(raised.value.message)
    reset = await PasswordReset.get(account=account)
    assert reset.locked_until > now() + timedelta(hours=23)
    [locked] = inbox.to(account.email)
    assert "locked" in locked["Subject"]
    # During the lock even the right characters get the same message.
    challenge = await recovery.start(account.login_name, "main", "10.0.0.2")
    with pytest.raises(UserInputError) as raised:
        await recovery.answer(account.login_name, "main", right_characters(challenge), "10.0.0.2")
    messages.add(raised.value.message)
    assert messages == {recovery.NOT_MATCHED}
    assert len(inbox.to(account.email)) == 1  # no reset link was sent
    # After the lock, new positions and a fresh count.
    await PasswordReset.filter(account=account).update(locked_until=now() - timedelta(seconds=1))
    challenge = await recovery.start(account.login_name, "main", "10.0.0.2")
    assert await recovery.answer(account.login_name, "main", right_characters(challenge), "10.0.0.2")


async def test_unknown_login_names_look_the_same(client, inbox):
    await person()
    unknown = await recovery.start("nobody@school.org.uk", "main", "10.0.0.3")
    assert unknown == await recovery.start("Nobody@School.org.uk ", "main", "10.0.0.3")
    assert len(unknown.characters) == 3
    assert all(key in SECURITY_QUESTIONS for key, _ in unknown.characters)
    assert await PasswordReset.all().count() == 0  # stored nowhere
    with pytest.raises(UserInputError) as raised:
        await recovery.answer("nobody@school.org.uk", "main", ["a", "b", "c"], "10.0.0.3")
    assert raised.value.message == recovery.NOT_MATCHED

    # The pages: the same words for a real and an unknown login name.
    real = await post(client, "/forgotten-password", {"loginName": "pat@school.org.uk"})
    fake = await post(client, "/forgotten-password", {"loginName": "nobody@school.org.uk"})
    assert real.status_code == fake.status_code == 200
    assert len(positions_on(real.text)) == len(positions_on(fake.text)) == 3
    assert shape(real.text, "pat@school.org.uk") == shape(fake.text, "nobody@school.org.uk")
    again = await post(client, "/forgotten-password", {"loginName": "nobody@school.org.uk"})
    assert positions_on(again.text) == positions_on(fake.text)
    wrong_real = await post(client, "/forgotten-password", {
        "step": "characters", "loginName": "pat@school.org.uk",
        "character1": "#", "character2": "#", "character3": "#"})
    wrong_fake = await post(client, "/forgotten-password", {
        "step": "characters", "loginName": "nobody@school.org.uk",
        "character1": "#", "character2": "#", "character3": "#"})
    assert wrong_real.status_code == wrong_fake.status_code == 400
    assert recovery.NOT_MATCHED.split(".")[0] in wrong_real.text
    assert recovery.NOT_MATCHED.split(".")[0] in wrong_fake.text


async def test_administrators_recover_on_the_administration_site(inbox):
    school = await make_school()
    admin = await make_administrator(school)
    for position, (key, answer) in enumerate(ANSWERS.items(), start=1):
        await SecurityAnswer.create(account=admin, position=position, question=key,
                                    answer_encrypted=seal_answer(answer))
    # a user-site recovery does not find an administrator
    with pytest.raises(UserInputError):
        challenge = await recovery.start(admin.login_name, "main", "10.0.0.4")
        await recovery.answer(admin.login_name, "main", ["a", "b", "c"], "10.0.0.4")
    challenge = await recovery.start(admin.login_name, "admin", "10.0.0.4")
    assert await recovery.answer(admin.login_name, "admin", right_characters(challenge), "10.0.0.4")
    assert "/admin/reset-password/" in inbox.text(inbox.to(admin.email)[0])


async def test_reset_link_lasts_30_minutes_ends_sessions_and_tells_the_person(inbox):
    school = await make_school()
    admin = await make_administrator(school)
    account = await person(school)
    await start_session(account, "main", None, None)
    assert await recovery.send_reset_by_administrator(Actor(account=admin), account)
    link = inbox.link(inbox.to(account.email)[0], "/reset-password/")
    token = link.rsplit("/", 1)[1]
    assert "administrator" in inbox.text(inbox.to(account.email)[0])
    await PasswordReset.filter(account=account).update(link_expires_at=now() - timedelta(seconds=1))
    with pytest.raises(UserInputError):
        await recovery.reset_password(token, "main", "a brand new passphrase", "a brand new passphrase")
    await PasswordReset.filter(account=account).update(link_expires_at=now() + timedelta(minutes=30))
    with pytest.raises(UserInputError) as raised:
        await recovery.reset_password(token, "main", "password1234", "password1234")
    assert raised.value.code == "COMMON"
    await recovery.reset_password(token, "main", "a brand new passphrase", "a brand new passphrase")
    assert await Session.filter(account=account).count() == 0
    assert inbox.to(account.email)[-1]["Subject"] == "Your Aspire Open password has changed"
    with pytest.raises(UserInputError):
        await recovery.reset_password(token, "main", "another new passphrase", "another new passphrase")
    reset = await PasswordReset.get(account=account)
    assert reset.link_hash is None


async def test_missing_characters_are_asked_for():
    account = await person()
    await recovery.start(account.login_name, "main", "10.0.0.5")
    with pytest.raises(UserInputError) as raised:
        await recovery.answer(account.login_name, "main", ["a", "", " "], "10.0.0.5")
    assert [p.field for p in raised.value.problems] == ["character2", "character3"]
    assert (await PasswordReset.get(account=account)).failures == 0
