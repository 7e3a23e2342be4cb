"""Issue 18: a sign-in whose person has gone (the browser gave up, the connection closed) is
dropped when its turn at the password hasher comes, instead of costing a hash ahead of everyone
still waiting; nothing is recorded against the account or the address."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlencode

import pytest

from server.auth import passwords
from server.models import Account, ThrottleCounter
from tests.factories import PASSWORD, make_school, make_user


async def _post_sign_in(app, client, login_name: str, closes: bool) -> list[dict]:
    """POST the sign-in form straight to the ASGI app; the connection then closes at once
    (closes) or stays open. Returns what the app sent."""
    await client.get("/sign-in")
    token = client.cookies.get("csrftoken")
    body = urlencode({"csrftoken": token, "loginName": login_name, "password": PASSWORD}).encode()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/sign-in", "raw_path": b"/sign-in", "query_string": b"",
        "root_path": "", "server": ("testserver", 80), "client": ("127.0.0.1", 50000),
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
            (b"cookie", f"csrftoken={token}".encode()),
            (b"origin", b"http://testserver"),
            (b"referer", b"http://testserver/sign-in"),
        ],
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    open_forever = asyncio.Event()

    async def receive() -> dict:
        if messages:
            return messages.pop(0)
        if not closes:
            await open_forever.wait()
        return {"type": "http.disconnect"}

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    await asyncio.wait_for(app(scope, receive, send), 10)
    return sent


@pytest.fixture
def hashes(monkeypatch) -> list[str]:
    checked: list[str] = []
    verify = passwords._verify

    def counting(password_hash, password, real):
        checked.append(password_hash)
        return verify(password_hash, password, real)

    monkeypatch.setattr(passwords, "_verify", counting)
    return checked


async def test_a_sign_in_whose_client_has_gone_costs_no_hash_and_records_nothing(
        app, client, hashes, caplog):
    school = await make_school()
    user = await make_user(school)
    with caplog.at_level(logging.INFO):
        sent = await _post_sign_in(app, client, user.login_name, closes=True)
    assert hashes == []
    account = await Account.get(id=user.id)
    assert account.last_login_at is None and account.failed_logins == 0
    assert await ThrottleCounter.all().count() == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert "client gone in SignIn at signIn before its password check" in caplog.text
    [start] = [m for m in sent if m["type"] == "http.response.start"]
    assert start["status"] == passwords.ClientGone.status


async def test_the_same_sign_in_with_the_client_still_there_signs_in(app, client, hashes):
    school = await make_school()
    user = await make_user(school)
    sent = await _post_sign_in(app, client, user.login_name, closes=False)
    [start] = [m for m in sent if m["type"] == "http.response.start"]
    assert start["status"] == 303
    assert len(hashes) == 1
    assert (await Account.get(id=user.id)).last_login_at is not None


async def test_checks_wait_their_turn_and_one_whose_client_left_meanwhile_is_dropped(hashes):
    school = await make_school()
    user = await make_user(school)
    stored = (await Account.get(id=user.id)).password_hash
    gone = asyncio.Event()

    async def waiting_then_gone() -> bool:
        return gone.is_set()

    async def first() -> bool:
        return await passwords.verify_password(stored, PASSWORD)

    async def second() -> bool:
        passwords.client_gone.set(waiting_then_gone)
        return await passwords.verify_password(stored, PASSWORD)

    turn = passwords._turns.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(1))
    async with turn:  # the hasher is busy: both checks queue behind it
        checks = [asyncio.create_task(first()), asyncio.create_task(second())]
        await asyncio.sleep(0.05)
        assert hashes == []
        gone.set()  # the second person closes the page while waiting
    results = await asyncio.gather(*checks, return_exceptions=True)
    assert results[0] is True
    assert isinstance(results[1], passwords.ClientGone)
    assert len(hashes) == 1
