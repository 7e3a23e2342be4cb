"""Signing in: one message for every failure, throttled per account and, for failures, per address.

The per-account counter is the main defence (a delay after 5 failures, a 15-minute lock after
10). Failures are counted in one statement and decided from the count it returned; the lock
is looked at again after the (slow) password check, in the statement that records the
sign-in, so a lock set meanwhile is never passed. Per address only failures count (a school
signs in from one address): a delay after a few, a ceiling for many across many accounts.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tortoise.expressions import Q
from tortoise.timezone import now

from server.auth import throttle
from server.auth.passwords import MAX_PASSWORD_BYTES, hash_password, needs_rehash, verify_password
from server.models import Account
from server.models.enums import AccountKind, AccountStatus
from server.services.accounts.errors import SignInErrorCode
from server.services.accounts.limits import returning
from server.services.errors import UserInputError
from server.settings import get_settings

FAILED_SIGN_IN = "Enter a correct login name and password."
TOO_MANY_TRIES = (
    "Too many failed sign-ins from your network. Wait a few minutes and try again, "
    "or ask your organisation's administrators to check for someone guessing passwords."
)
DELAY_AFTER_FAILURES = 5
LOCK_AFTER_FAILURES = 10
LOCK_FOR = timedelta(minutes=15)
MAX_DELAY_SECONDS = 4.0

AREA_KIND = {"admin": AccountKind.ADMINISTRATOR, "main": AccountKind.USER}


def normalise_login_name(value: str) -> str:
    return value.strip().lower()


def address_keys(ip_address: str | None) -> tuple[str, str]:
    address = ip_address or "-"
    return f"sign-in-failed:ip:{address}:minute", f"sign-in-failed:ip:{address}:hour"


def delay_for(account_failures: int, address_failures: int) -> float:
    """Seconds to hold a failed answer: doubling from 0.25 s after the per-account and
    per-address thresholds, at most 4 s."""
    settings = get_settings()
    delays = [0.0]
    if account_failures >= DELAY_AFTER_FAILURES:
        delays.append(0.25 * 2 ** (account_failures - DELAY_AFTER_FAILURES))
    if address_failures > settings.sign_in_address_slow_after:
        delays.append(0.25 * 2 ** (address_failures - settings.sign_in_address_slow_after - 1))
    return min(max(delays), MAX_DELAY_SECONDS)


async def _address_refused(ip_address: str | None) -> bool:
    settings = get_settings()
    minute, hour = address_keys(ip_address)
    return (
        await throttle.current(minute, 60) >= settings.sign_in_address_failures_per_minute
        or await throttle.current(hour, 3600) >= settings.sign_in_address_failures_per_hour
    )


async def authenticate(login_name: str, password: str, area: str, ip_address: str | None) -> Account:
    if await _address_refused(ip_address):
        raise UserInputError(TOO_MANY_TRIES, field="loginName", code=SignInErrorCode.RATE_LIMITED)
    name = normalise_login_name(login_name)
    account = None
    if name and len(name) <= 254:
        account = (
            await Account.filter(login_name=name, kind=AREA_KIND[area])
            .select_related("organisation")
            .first()
        )
    fits = len(password.encode()) <= MAX_PASSWORD_BYTES
    locked = account is not None and account.locked_until is not None and account.locked_until > now()
    checkable = account is not None and not locked and fits and account.status in (
        AccountStatus.ACTIVE, AccountStatus.DEACTIVATED
    )
    ok = await verify_password(account.password_hash if checkable else None, password)
    if ok and account.status == AccountStatus.DEACTIVATED:
        raise UserInputError(await deactivated_message(account), field="loginName", code=SignInErrorCode.DEACTIVATED)
    if ok and await _record_success(account):
        if needs_rehash(account.password_hash):
            account.password_hash = await hash_password(password)
            await Account.filter(id=account.id).update(password_hash=account.password_hash)
        return account
    await _record_failure(account, ip_address)
    raise UserInputError(FAILED_SIGN_IN, field="loginName", code=SignInErrorCode.FAILED)


async def _record_success(account: Account) -> bool:
    """Clears the failures, but only if the account is still active and not locked now."""
    moment = now()
    recorded = await (
        Account.filter(id=account.id, status=AccountStatus.ACTIVE)
        .filter(Q(locked_until=None) | Q(locked_until__lte=moment))
        .update(failed_logins=0, locked_until=None, last_login_at=moment)
    )
    if recorded:
        account.failed_logins, account.locked_until, account.last_login_at = 0, None, moment
    return bool(recorded)


async def _record_failure(account: Account | None, ip_address: str | None) -> None:
    settings = get_settings()
    minute, hour = address_keys(ip_address)
    address_failures = await throttle.hit(minute, 60)
    hour_failures = await throttle.hit(hour, 3600)
    failures = 0
    if account is not None:
        rows = await returning(
            "UPDATE account SET failed_logins = failed_logins + 1, "
            "locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END "
            "WHERE id = ? RETURNING failed_logins",
            [LOCK_AFTER_FAILURES, now() + LOCK_FOR, account.id],
        )
        failures = int(rows[0]["failed_logins"]) if rows else 0
    delay = delay_for(failures, address_failures)
    if delay:
        # Slows guessing without holding the event loop.
        await asyncio.sleep(delay)
    if (
        address_failures > settings.sign_in_address_failures_per_minute
        or hour_failures > settings.sign_in_address_failures_per_hour
    ):
        raise UserInputError(TOO_MANY_TRIES, field="loginName", code=SignInErrorCode.RATE_LIMITED)


async def deactivated_message(account: Account) -> str:
    """After the right password only: whom to ask, which tells a guesser nothing."""
    names = await (
        Account.filter(
            organisation_id=account.organisation_id,
            kind=AccountKind.ADMINISTRATOR,
            status=AccountStatus.ACTIVE,
        )
        .exclude(id=account.id)
        .order_by("surname", "forename")
        .values_list("forename", "surname")
    )
    who = ", ".join(f"{forename} {surname}" for forename, surname in names[:5])
    organisation = account.organisation.name
    ask = f"Ask your organisation's administrators ({who}) to reactivate it." if who else (
        f"Ask the administrators of {organisation} to reactivate it."
    )
    return f"Your account at {organisation} has been deactivated, so you cannot sign in. {ask}"
