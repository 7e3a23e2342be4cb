"""Signing in: one message for every failure, throttled per IP and per account."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tortoise.timezone import now

from server.auth import throttle
from server.auth.passwords import MAX_PASSWORD_BYTES, hash_password, needs_rehash, verify_password
from server.models import Account
from server.models.enums import AccountKind, AccountStatus
from server.services.errors import UserInputError

FAILED_SIGN_IN = "Enter a correct login name and password."
TOO_MANY_TRIES = "Too many sign-in attempts from your network. Wait a minute and try again."
DELAY_AFTER_FAILURES = 5
LOCK_AFTER_FAILURES = 10
LOCK_FOR = timedelta(minutes=15)

AREA_KIND = {"admin": AccountKind.ADMINISTRATOR, "main": AccountKind.USER}


def normalise_login_name(value: str) -> str:
    return value.strip().lower()


async def authenticate(login_name: str, password: str, area: str, ip_address: str | None) -> Account:
    if await throttle.too_many(f"sign-in:ip:{ip_address or '-'}", throttle.PER_IP_LOGIN_ATTEMPTS):
        raise UserInputError(TOO_MANY_TRIES, field="loginName", code="RATE_LIMITED")
    name = normalise_login_name(login_name)
    account = None
    if name and len(name) <= 254:
        account = (
            await Account.filter(login_name=name, kind=AREA_KIND[area])
            .select_related("organisation")
            .first()
        )
    usable = (
        account is not None
        and account.status == AccountStatus.ACTIVE
        and not (account.locked_until and account.locked_until > now())
        and len(password.encode()) <= MAX_PASSWORD_BYTES
    )
    ok = await verify_password(account.password_hash if usable else None, password)
    if not ok:
        if account is not None:
            await _record_failure(account)
        raise UserInputError(FAILED_SIGN_IN, field="loginName", code="FAILED")
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = now()
    update = ["failed_logins", "locked_until", "last_login_at"]
    if needs_rehash(account.password_hash):
        account.password_hash = await hash_password(password)
        update.append("password_hash")
    await account.save(update_fields=update)
    return account


async def _record_failure(account: Account) -> None:
    failures = account.failed_logins + 1
    locked_until = now() + LOCK_FOR if failures >= LOCK_AFTER_FAILURES else account.locked_until
    await Account.filter(id=account.id).update(failed_logins=failures, locked_until=locked_until)
    if failures >= DELAY_AFTER_FAILURES:
        # Slows guessing without holding the event loop.
        await asyncio.sleep(min(0.25 * 2 ** (failures - DELAY_AFTER_FAILURES), 4.0))
