"""Optional two-step sign-in with a time-based code (TOTP, RFC 6238) from an authenticator app.

An organisation can require it for its administrators and its users with full access to
pupil data. After the password, a session stays "mfa pending" (not signed in) until a code
is entered, or, where required and not yet set up, until it has been set up.
"""

from __future__ import annotations

from datetime import timedelta

import pyotp
from tortoise.expressions import Q
from tortoise.timezone import now
from tortoise.transactions import in_transaction

from server.auth import throttle
from server.auth.secrets import decrypt, encrypt, same
from server.models import Account, Session
from server.models.enums import PupilAccess
from server.services.accounts.audit import Actor, record
from server.services.accounts.errors import AccountErrorCode
from server.services.errors import UserInputError

PURPOSE = "totp-secret"
ISSUER = "Aspire Open"
ATTEMPTS_A_MINUTE = 5

CODE_WRONG = "The code is not correct. Enter the 6-digit code your authenticator app shows now."


def required_for(account: Account) -> bool:
    """An organisation's requirement covers administrators and full-access users."""
    organisation = account.organisation
    if not organisation.require_mfa:
        return False
    return account.is_administrator or account.pupil_access == PupilAccess.FULL


def needs_second_step(account: Account) -> bool:
    """Whether a session starts pending after the password: set up (enabled) or required."""
    return bool(account.totp_enabled) or required_for(account)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret)


def uri_for(account: Account, secret: str) -> str:
    return _totp(secret).provisioning_uri(name=account.login_name, issuer_name=ISSUER)


async def _check(account: Account, code: str, secret: str) -> None:
    if await throttle.too_many(f"mfa:{account.id}", ATTEMPTS_A_MINUTE):
        raise UserInputError("Too many codes tried. Wait a minute and try again.", "code",
            AccountErrorCode.RATE_LIMITED)
    given = "".join((code or "").split())
    if not given:
        raise UserInputError("Enter the 6-digit code from your authenticator app", "code", AccountErrorCode.REQUIRED)
    totp = _totp(secret)
    moment = now()
    matched = None
    if given.isdigit() and len(given) == 6:
        for offset in (-1, 0, 1):  # a little clock drift either way
            at = moment + timedelta(seconds=offset * totp.interval)
            if same(totp.at(at), given):
                matched = totp.timecode(at)
    if matched is None:
        raise UserInputError(CODE_WRONG, "code", AccountErrorCode.WRONG)
    # Each code works once, and no code older than the last one accepted (RFC 6238 5.2):
    # the last accepted time step is kept on the account and moved on in one conditional
    # statement, so a replay is refused at any hour and under concurrency.
    moved = await (
        Account.filter(id=account.id)
        .filter(Q(totp_last_step=None) | Q(totp_last_step__lt=matched))
        .update(totp_last_step=matched)
    )
    if not moved:
        raise UserInputError(
            "This code has already been used. Wait for the next code and enter that.",
            "code",
            AccountErrorCode.WRONG,
        )


async def start_setup(account: Account) -> tuple[str, str]:
    """A new secret, kept encrypted and not yet in use until a code from it is confirmed."""
    if account.totp_enabled:
        raise UserInputError(
            "Two-step sign-in is already set up. Turn it off first to set it up again.", None,
            AccountErrorCode.INVALID_STATE
        )
    secret = pyotp.random_base32()
    account.totp_secret = encrypt(secret, PURPOSE)
    await Account.filter(id=account.id).update(totp_secret=account.totp_secret, totp_last_step=None)
    return secret, uri_for(account, secret)


async def pending_setup(account: Account) -> tuple[str, str] | None:
    """The secret being set up, to show again after a wrong code."""
    if account.totp_enabled or not account.totp_secret:
        return None
    secret = decrypt(account.totp_secret, PURPOSE)
    return secret, uri_for(account, secret)


async def confirm_setup(actor: Actor, account: Account, code: str, session: Session | None) -> None:
    """Turns two-step sign-in on once a code from the new secret is right."""
    if account.totp_enabled or not account.totp_secret:
        raise UserInputError("Start setting up two-step sign-in first.", "code", AccountErrorCode.INVALID_STATE)
    await _check(account, code, decrypt(account.totp_secret, PURPOSE))
    async with in_transaction() as connection:
        await Account.filter(id=account.id).using_db(connection).update(totp_enabled=True)
        if session is not None:
            await Session.filter(id=session.id).using_db(connection).update(mfa_pending=False)
        await record(
            actor,
            "account.mfa_enabled",
            account.organisation_id,
            account,
            before={"totpEnabled": False},
            after={"totpEnabled": True},
            connection=connection,
        )
    account.totp_enabled = True


async def disable(actor: Actor, account: Account, code: str) -> None:
    if not account.totp_enabled or not account.totp_secret:
        raise UserInputError("Two-step sign-in is not set up.", "code", AccountErrorCode.INVALID_STATE)
    if required_for(account):
        raise UserInputError("Your organisation requires two-step sign-in for your account.", "code",
            AccountErrorCode.NOT_ALLOWED)
    await _check(account, code, decrypt(account.totp_secret, PURPOSE))
    async with in_transaction() as connection:
        await (
            Account.filter(id=account.id)
            .using_db(connection)
            .update(totp_enabled=False, totp_secret=None, totp_last_step=None)
        )
        await record(
            actor,
            "account.mfa_disabled",
            account.organisation_id,
            account,
            before={"totpEnabled": True},
            after={"totpEnabled": False},
            connection=connection,
        )
    account.totp_enabled = False
    account.totp_secret = None


async def verify_session(account: Account, session: Session, code: str) -> None:
    """The second step of sign-in: a right code makes the pending session a signed-in one."""
    if not session.mfa_pending:
        return
    if not account.totp_enabled or not account.totp_secret:
        raise UserInputError("Set up two-step sign-in first.", "code", AccountErrorCode.INVALID_STATE)
    await _check(account, code, decrypt(account.totp_secret, PURPOSE))
    await Session.filter(id=session.id).update(mfa_pending=False, last_seen_at=now())
    session.mfa_pending = False
