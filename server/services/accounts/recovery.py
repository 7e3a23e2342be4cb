"""Forgotten password: characters of the security answers, then an emailed reset link.

The same three positions are asked until success or lock; three failures lock reset for
24 hours and tell the person; answers never reveal whether a login name exists (an unknown
name is asked for positions derived from it with an HMAC, so refreshing shows the same).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import Q
from tortoise.timezone import now
from tortoise.transactions import in_transaction

from server.auth import throttle
from server.auth.passwords import hash_password, verify_password
from server.auth.secrets import decrypt, digest, random_token
from server.auth.sessions import end_all_sessions
from server.base_url import public_base_url
from server.mail.delivery import DeliveryFailed, deliver
from server.mail.messages import (
    password_changed_email,
    password_reset_email,
    recovery_locked_email,
)
from server.models import Account, PasswordReset, SecurityAnswer
from server.models.enums import AccountKind, AccountStatus
from server.services.accounts.audit import Actor, record
from server.services.accounts.credentials import (
    ANSWER_PURPOSE,
    SECURITY_QUESTIONS,
    answer_character,
    password_problems,
    same_character,
)
from server.services.accounts.errors import AccountErrorCode
from server.services.accounts.limits import returning
from server.services.accounts.people import PersonInputError
from server.services.accounts.signin import normalise_login_name
from server.services.errors import UserInputError
from server.settings import get_settings

logger = logging.getLogger("aspire.accounts")

CHARACTERS_ASKED = 3
MAX_FAILURES = 3
LOCK_FOR = timedelta(hours=24)
LINK_VALID_FOR = timedelta(minutes=30)
MAX_POSITION = 8  # positions come from the first characters, so every answer can have them
PER_IP_ATTEMPTS = 20  # a minute

NOT_MATCHED = (
    "The characters you gave do not match our records. Check them and try again. "
    "After 3 wrong tries, password reset is locked for 24 hours."
)
LINK_NOT_VALID = (
    "This password reset link is not valid or has expired. Links work once, for 30 minutes: "
    "start again from Forgotten password."
)
SAME_AS_CURRENT = (
    "Your new password must be different from your current password. Choose a new one."
)
AREA_KIND = {"admin": AccountKind.ADMINISTRATOR, "main": AccountKind.USER}


@dataclass(frozen=True)
class Challenge:
    login_name: str
    characters: list[tuple[str, int]]  # (question text, 1-based position)


async def _account(login_name: str, area: str) -> Account | None:
    name = normalise_login_name(login_name)
    if not name or len(name) > 254:
        return None
    return (
        await Account.filter(login_name=name, kind=AREA_KIND[area], status=AccountStatus.ACTIVE)
        .select_related("organisation")
        .first()
    )


def _derived_positions(name: str, area: str) -> list[tuple[str, int]]:
    """Plausible positions for a login name we do not know: stored nowhere, always the same."""
    key = str(get_settings().secret_key).encode()
    seed = hmac.new(key, f"recovery:{area}:{name}".encode(), hashlib.sha256).digest()
    keys = sorted(SECURITY_QUESTIONS)
    first = seed[0] % len(keys)
    questions = [keys[(first + i * (1 + seed[1] % (len(keys) - 1))) % len(keys)] for i in range(3)]
    if len(set(questions)) < 3:
        questions = [keys[(first + i) % len(keys)] for i in range(3)]
    chosen = []
    for i in range(CHARACTERS_ASKED):
        question = questions[seed[2 + i] % 3]
        position = 1 + seed[6 + i] % 6
        while (question, position) in chosen:
            position += 1
        chosen.append((question, position))
    return sorted(chosen, key=lambda c: (questions.index(c[0]), c[1]))


def _random_positions(answers: list[SecurityAnswer]) -> list[tuple[int, int]]:
    """Three (answer position, character index) pairs chosen at random across the answers."""
    lengths = {a.position: len(decrypt(a.answer_encrypted, ANSWER_PURPOSE)) for a in answers}
    pool = [(p, i) for p, n in lengths.items() for i in range(1, min(n, MAX_POSITION) + 1)]
    chosen: list[tuple[int, int]] = []
    while len(chosen) < min(CHARACTERS_ASKED, len(pool)):
        pick = secrets.choice(pool)
        if pick not in chosen:
            chosen.append(pick)
    return sorted(chosen)


async def start(login_name: str, area: str, ip_address: str | None) -> Challenge:
    """The characters to ask for; the same until success or lock, for real and unknown names."""
    if await throttle.too_many(f"recovery:ip:{ip_address or '-'}", PER_IP_ATTEMPTS):
        raise UserInputError(
            "Too many attempts from your network. Wait a minute and try again.",
            "loginName",
            AccountErrorCode.RATE_LIMITED,
        )
    name = normalise_login_name(login_name)
    if not name:
        raise UserInputError("Enter your login name", "loginName", AccountErrorCode.REQUIRED)
    if len(name) > 254:
        raise UserInputError("Login name must be 254 characters or less", "loginName", AccountErrorCode.TOO_LONG)
    account = await _account(name, area)
    answers = (
        await SecurityAnswer.filter(account_id=account.id).order_by("position") if account else []
    )
    if account is None or len(answers) < 3:
        return Challenge(name, _derived_positions(name, area))
    reset = await PasswordReset.filter(account_id=account.id).first()
    moment = now()
    if reset is None:
        reset = await PasswordReset.create(
            account_id=account.id, positions=_random_positions(answers)
        )
    elif not reset.positions or (reset.locked_until and reset.locked_until <= moment):
        reset.positions = _random_positions(answers)
        if reset.locked_until and reset.locked_until <= moment:
            reset.failures = 0
            reset.locked_until = None
        await reset.save(update_fields=["positions", "failures", "locked_until"])
    by_position = {a.position: a.question for a in answers}
    return Challenge(
        name,
        [(by_position[p], i) for p, i in reset.positions],  # question key, position
    )


def question_text(key: str) -> str:
    return SECURITY_QUESTIONS.get(key, key)


async def answer(login_name: str, area: str, characters: list[str], ip_address: str | None) -> bool:
    """Checks the characters; right: a reset link is emailed (returns True). Wrong: NOT_MATCHED."""
    if await throttle.too_many(f"recovery:ip:{ip_address or '-'}", PER_IP_ATTEMPTS):
        raise UserInputError(
            "Too many attempts from your network. Wait a minute and try again.",
            None,
            AccountErrorCode.RATE_LIMITED,
        )
    given = [c or "" for c in characters[:CHARACTERS_ASKED]]
    missing = [i for i in range(CHARACTERS_ASKED) if i >= len(given) or not given[i].strip()]
    if missing:
        raise PersonInputError(
            [
                UserInputError(f"Enter character {i + 1}", f"character{i + 1}", AccountErrorCode.REQUIRED)
                for i in missing
            ]
        )
    account = await _account(login_name, area)
    reset = await PasswordReset.filter(account_id=account.id).first() if account else None
    moment = now()
    if account is None or reset is None or not reset.positions:
        raise UserInputError(NOT_MATCHED, "character1", AccountErrorCode.NOT_MATCHED)
    if reset.locked_until and reset.locked_until > moment:
        raise UserInputError(NOT_MATCHED, "character1", AccountErrorCode.NOT_MATCHED)
    sealed = {
        a.position: a.answer_encrypted for a in await SecurityAnswer.filter(account_id=account.id)
    }
    right = True
    for (position, index), character in zip(reset.positions, given, strict=False):
        expected = answer_character(sealed[position], index) if position in sealed else None
        right = same_character(expected, character) and right
    if not right:
        # Counted in one statement, only while not locked; the failure that reaches the
        # limit (and only that one) locks, records and tells the person.
        rows = await returning(
            "UPDATE password_reset SET failures = failures + 1, "
            "locked_until = CASE WHEN failures + 1 >= ? THEN ? ELSE locked_until END, "
            "positions = CASE WHEN failures + 1 >= ? THEN '[]' ELSE positions END "
            "WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?) RETURNING failures",
            [MAX_FAILURES, moment + LOCK_FOR, MAX_FAILURES, reset.id, moment],
        )
        if rows and int(rows[0]["failures"]) == MAX_FAILURES:
            await record(
                Actor(account=None, ip_address=ip_address),
                "account.recovery_locked",
                account.organisation_id,
                account,
            )
            await _send(
                recovery_locked_email(
                    to=account.email, forename=account.forename, until=moment + LOCK_FOR
                )
            )
        raise UserInputError(NOT_MATCHED, "character1", AccountErrorCode.NOT_MATCHED)
    if await _send_link(account, reset, by_administrator=False, unless_locked_at=moment) is None:
        raise UserInputError(NOT_MATCHED, "character1", AccountErrorCode.NOT_MATCHED)
    return True


async def _send_link(
    account: Account, reset: PasswordReset | None, by_administrator: bool, unless_locked_at=None
) -> bool | None:
    """Emails a fresh link. With unless_locked_at, only if reset is not locked at that moment
    (checked in the statement that stores the link); None when it was locked."""
    token = random_token(32)
    expires = now() + LINK_VALID_FOR
    values = {
        "link_hash": digest(token),
        "link_expires_at": expires,
        "failures": 0,
        "locked_until": None,
        "positions": [],
    }
    if reset is None:
        await PasswordReset.create(account_id=account.id, **values)
    else:
        query = PasswordReset.filter(id=reset.id)
        if unless_locked_at is not None:
            query = query.filter(Q(locked_until=None) | Q(locked_until__lte=unless_locked_at))
        if not await query.update(**values):
            return None
    prefix = "/admin" if account.is_administrator else ""
    link = f"{public_base_url()}{prefix}/reset-password/{token}"
    return await _send(
        password_reset_email(
            to=account.email,
            forename=account.forename,
            link=link,
            expires_at=expires,
            by_administrator=by_administrator,
        )
    )


async def _send(message) -> bool:
    try:
        await deliver(message)
        return True
    except DeliveryFailed:
        return False
    except Exception:
        logger.exception("email not sent")
        return False


async def send_reset_by_administrator(actor: Actor, account: Account) -> bool:
    """An administrator starts a reset: the person gets the link; nobody else sees a password."""
    if account.status != AccountStatus.ACTIVE:
        raise UserInputError(
            "Only an active account can reset its password.", None, AccountErrorCode.INVALID_STATE
        )
    reset = await PasswordReset.filter(account_id=account.id).first()
    await record(actor, "account.password_reset_sent", account.organisation_id, account)
    sent = await _send_link(account, reset, by_administrator=True)
    if not sent:
        raise UserInputError("The email could not be sent. Try again later.", None, AccountErrorCode.INVALID)
    return sent


async def open_reset_link(token: str, area: str) -> PasswordReset:
    reset = None
    if token and len(token) <= 100:
        reset = (
            await PasswordReset.filter(link_hash=digest(token))
            .select_related("account__organisation")
            .first()
        )
    if (
        reset is None
        or reset.link_expires_at is None
        or reset.link_expires_at <= now()
        or reset.account.status != AccountStatus.ACTIVE
        or reset.account.kind != AREA_KIND[area]
    ):
        raise UserInputError(LINK_NOT_VALID, None, AccountErrorCode.LINK_NOT_VALID)
    return reset


async def reset_password(token: str, area: str, password: str, confirmation: str) -> Account:
    """A new password from a valid link: single use, every session ended, the person told."""
    reset = await open_reset_link(token, area)
    account = reset.account
    problems = password_problems(
        password, confirmation, account.login_name, account.organisation.name
    )
    if problems:
        raise PersonInputError(problems)
    if account.password_hash and await verify_password(account.password_hash, password):
        raise PersonInputError([UserInputError(SAME_AS_CURRENT, "password", AccountErrorCode.SAME_AS_CURRENT)])
    password_hash = await hash_password(password)
    moment = now()
    async with in_transaction() as connection:
        used = (
            await PasswordReset.filter(id=reset.id, link_hash=reset.link_hash)
            .using_db(connection)
            .update(link_hash=None, link_expires_at=None, failures=0, positions=[])
        )
        if not used:
            raise UserInputError(LINK_NOT_VALID, None, AccountErrorCode.LINK_NOT_VALID)
        await (
            Account.filter(id=account.id)
            .using_db(connection)
            .update(
                password_hash=password_hash,
                password_changed_at=moment,
                failed_logins=0,
                locked_until=None,
            )
        )
        await record(
            Actor(account=account),
            "account.password_reset",
            account.organisation_id,
            account,
            connection=connection,
        )
    await end_all_sessions(account.id)
    await _send(password_changed_email(to=account.email, forename=account.forename, moment=moment))
    return account
