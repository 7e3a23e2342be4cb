"""The second stage of sign-up: the emailed link, the activation code, password and answers.

Also what administrators do to pending accounts: resend the link, reissue a locked code,
delete. Emails are sent after the database has committed; a failure is recorded on the
activation (shown on Pending users with Resend), never a lost account.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.timezone import now
from tortoise.transactions import in_transaction

from server.auth.passwords import hash_password
from server.auth.secrets import activation_code, decrypt, digest, encrypt, random_token, same
from server.base_url import public_base_url
from server.mail.delivery import DeliveryFailed, deliver
from server.mail.messages import verification_email
from server.models import Account, Activation, SecurityAnswer
from server.models.enums import AccountStatus
from server.services.accounts.audit import Actor, account_snapshot, record
from server.services.accounts.credentials import password_problems, question_problems, seal_answer
from server.services.accounts.errors import AccountErrorCode
from server.services.accounts.limits import returning
from server.services.accounts.people import CODE_PURPOSE, PersonInputError
from server.services.errors import NotFoundError, UserInputError
from server.settings import get_settings

logger = logging.getLogger("aspire.accounts")

MAX_CODE_TRIES = 5

LINK_NOT_VALID = (
    "This sign-up link is not valid. Use the link in the latest email you were sent, "
    "or ask your administrator to resend it."
)
LINK_EXPIRED = "This sign-up link has expired. Ask your administrator to resend it."
LINK_USED = "This sign-up link has already been used. Sign in with your login name and password."
CODE_WRONG = "The activation code is not correct. Check the code you were given and try again."


def code_wrong_message(tries_left: int) -> str:
    tries = "1 try" if tries_left == 1 else f"{tries_left} tries"
    return f"{CODE_WRONG} You have {tries} left before the code is locked."


CODE_LOCKED = (
    "The activation code has been locked after 5 wrong tries. Ask your administrator to reissue your activation code."
)


def sign_up_url(token: str) -> str:
    return f"{public_base_url()}/sign-up/{token}"


def link_reference(token: str) -> str:
    """The start…end reference shown on Pending users, so the person's email can be matched."""
    return f"{token[:3]}...{token[-3:]}"


def plain_code(activation: Activation) -> str:
    return decrypt(activation.code_encrypted, CODE_PURPOSE)


async def _save_link(activation: Activation, token: str, expires_at: datetime, **extra) -> None:
    await Activation.filter(id=activation.id).update(
        link_hash=digest(token),
        link_reference=link_reference(token),
        link_expires_at=expires_at,
        **extra,
    )


async def send_verification(account_id: int) -> bool:
    """Emails a fresh link; once it has gone, the old link stops working. Call after commit.

    Returns whether the email went; a failure is kept on the activation for Pending users
    (and a link that was already sent keeps working).
    """
    sent, _ = await deliver_verification(account_id)
    return sent


async def deliver_verification(account_id: int, keep_link_on_failure: bool = False) -> tuple[bool, str | None]:
    """As send_verification, also giving the new link (the operator's command line prints it,
    and keeps it even when the email fails)."""
    account = (
        await Account.filter(id=account_id, status=AccountStatus.PENDING)
        .select_related("organisation", "created_by")
        .first()
    )
    activation = await Activation.filter(account_id=account_id, used_at=None).first()
    if account is None or activation is None:
        return False, None
    token = random_token(32)
    link = sign_up_url(token)
    expires_at = now() + timedelta(days=get_settings().activation_link_days)
    message = verification_email(
        to=account.email,
        forename=account.forename,
        surname=account.surname,
        organisation=account.organisation.name,
        created_by=account.created_by.full_name if account.created_by else None,
        link=link,
        expires_at=expires_at,
        login_name=account.login_name if account.is_administrator else None,
    )
    try:
        await deliver(message)
    except Exception as error:  # a broken mail set-up must never lose the account
        if isinstance(error, DeliveryFailed):
            reason = str(error)[:500]
        else:
            logger.exception("verification email for account %s not sent", account_id)
            reason = "The email could not be sent. Try Resend later."
        if keep_link_on_failure:
            await _save_link(activation, token, expires_at, email_error=reason)
        else:
            await Activation.filter(id=activation.id).update(email_error=reason)
        return False, link if keep_link_on_failure else None
    await _save_link(activation, token, expires_at, email_sent_at=now(), email_error=None)
    return True, link


async def pending_account(organisation_id: int, account_id: int) -> Account:
    account = (
        await Account.filter(id=account_id, organisation_id=organisation_id, status=AccountStatus.PENDING)
        .select_related("organisation")
        .first()
    )
    if account is None:
        raise NotFoundError("There is no pending account with this id.", None, AccountErrorCode.NOT_FOUND)
    return account


async def resend_verification(actor: Actor, organisation_id: int, account_id: int) -> bool:
    account = await pending_account(organisation_id, account_id)
    await record(actor, "account.verification_resent", organisation_id, account)
    return await send_verification(account.id)


async def reissue_code(actor: Actor, organisation_id: int, account_id: int) -> str:
    """A new activation code; tries start again and any lock is lifted."""
    account = await pending_account(organisation_id, account_id)
    code = activation_code()
    async with in_transaction() as connection:
        await (
            Activation.filter(account_id=account.id)
            .using_db(connection)
            .update(
                code_encrypted=encrypt(code, CODE_PURPOSE),
                tries=0,
                locked=False,
                code_verified_at=None,
            )
        )
        await record(actor, "account.code_reissued", organisation_id, account, connection=connection)
    return code


async def delete_pending(actor: Actor, organisation_id: int, account_id: int) -> None:
    account = await pending_account(organisation_id, account_id)
    async with in_transaction() as connection:
        deleted = await Account.filter(id=account.id, status=AccountStatus.PENDING).using_db(connection).delete()
        if deleted:
            await record(
                actor,
                "account.pending_deleted",
                organisation_id,
                account,
                before=account_snapshot(account),
                connection=connection,
            )


async def pending_accounts(organisation_id: int) -> list[tuple[Account, Activation | None]]:
    accounts = (
        await Account.filter(organisation_id=organisation_id, status=AccountStatus.PENDING)
        .select_related("organisation", "created_by")
        .order_by("surname", "forename", "id")
    )
    activations = {a.account_id: a for a in await Activation.filter(account_id__in=[a.id for a in accounts])}
    return [(account, activations.get(account.id)) for account in accounts]


# The person's side -------------------------------------------------------------------


@dataclass
class SignUp:
    activation: Activation
    account: Account


async def open_link(token: str) -> SignUp:
    """The pending sign-up a link belongs to, or a clear reason why the link cannot be used."""
    activation = None
    if token and len(token) <= 100:
        activation = await Activation.filter(link_hash=digest(token)).select_related("account__organisation").first()
    if activation is None or not activation.link_reference:
        raise UserInputError(LINK_NOT_VALID, None, AccountErrorCode.LINK_NOT_VALID)
    if activation.used_at is not None or activation.account.status != AccountStatus.PENDING:
        raise UserInputError(LINK_USED, None, AccountErrorCode.LINK_USED)
    if activation.link_expires_at <= now():
        raise UserInputError(LINK_EXPIRED, None, AccountErrorCode.LINK_EXPIRED)
    return SignUp(activation, activation.account)


async def check_code(token: str, code: str) -> SignUp:
    """The link and the code together; wrong codes count, five lock until a reissue."""
    sign_up = await open_link(token)
    activation = sign_up.activation
    if activation.locked:
        raise UserInputError(CODE_LOCKED, "code", AccountErrorCode.LOCKED)
    given = "".join((code or "").split()).upper()
    if not given:
        raise UserInputError("Enter your activation code", "code", AccountErrorCode.REQUIRED)
    if not same(plain_code(activation), given[:20]):
        # Counted in one statement, only while not locked: the count it returns decides.
        rows = await returning(
            "UPDATE activation SET tries = tries + 1, locked = (tries + 1 >= ?) "
            "WHERE id = ? AND NOT locked RETURNING tries",
            [MAX_CODE_TRIES, activation.id],
        )
        tries = int(rows[0]["tries"]) if rows else MAX_CODE_TRIES
        if tries >= MAX_CODE_TRIES:
            raise UserInputError(CODE_LOCKED, "code", AccountErrorCode.LOCKED)
        raise UserInputError(code_wrong_message(MAX_CODE_TRIES - tries), "code", AccountErrorCode.WRONG)
    # The right code counts only if no wrong one locked the code meanwhile.
    moment = activation.code_verified_at or now()
    if not await Activation.filter(id=activation.id, locked=False).update(code_verified_at=moment):
        raise UserInputError(CODE_LOCKED, "code", AccountErrorCode.LOCKED)
    activation.code_verified_at = moment
    return sign_up


async def choose_password(token: str, code: str, password: str, confirmation: str) -> SignUp:
    sign_up = await check_code(token, code)
    account = sign_up.account
    problems = password_problems(password, confirmation, account.login_name, account.organisation.name)
    if problems:
        raise PersonInputError(problems)
    account.password_hash = await hash_password(password)
    await Account.filter(id=account.id, status=AccountStatus.PENDING).update(password_hash=account.password_hash)
    return sign_up


async def choose_questions(token: str, code: str, chosen: list[tuple[str, str]]) -> Account:
    """The last step: three answers stored sealed, the account active, the link used up."""
    sign_up = await check_code(token, code)
    account = sign_up.account
    if not account.password_hash:
        raise UserInputError("Choose your password first", "password", AccountErrorCode.PASSWORD_FIRST)
    problems = question_problems(chosen)
    if problems:
        raise PersonInputError(problems)
    moment = now()
    async with in_transaction() as connection:
        used = (
            await Activation.filter(id=sign_up.activation.id, used_at=None).using_db(connection).update(used_at=moment)
        )
        if not used:
            raise UserInputError(LINK_USED, None, AccountErrorCode.LINK_USED)
        await SecurityAnswer.filter(account_id=account.id).using_db(connection).delete()
        for position, (question, answer) in enumerate(chosen, start=1):
            await SecurityAnswer.create(
                account_id=account.id,
                position=position,
                question=question,
                answer_encrypted=seal_answer(answer),
                using_db=connection,
            )
        await (
            Account.filter(id=account.id)
            .using_db(connection)
            .update(
                status=AccountStatus.ACTIVE,
                activated_at=moment,
                password_changed_at=moment,
                failed_logins=0,
                locked_until=None,
            )
        )
        account.status = AccountStatus.ACTIVE
        await record(
            Actor(account=account),
            "account.signed_up",
            account.organisation_id,
            account,
            after={"status": "active"},
            connection=connection,
        )
    return account


def link_expired(activation: Activation, moment: datetime | None = None) -> bool:
    return activation.link_expires_at <= (moment or now())
