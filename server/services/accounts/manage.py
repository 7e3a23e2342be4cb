"""Manage users: find, change role and pupil data access, (de)activate, edit administrators.

Every change is written to the audit log with its before and after.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.timezone import now
from tortoise.transactions import in_transaction

from server.auth.sessions import end_all_sessions
from server.models import Account, AdministratorSlot, AuditEvent, Organisation
from server.models.enums import AccountKind, AccountStatus, Role
from server.services import audit_wording
from server.services.accounts.activation import send_verification
from server.services.accounts.audit import Actor, account_snapshot, record
from server.services.accounts.errors import AccountErrorCode
from server.services.accounts.people import (
    PersonInputError,
    administrator_limit_reached,
    check_role_and_access,
    claim_administrator_slot,
    parse_pupil_access,
    parse_role,
    validate_person,
)
from server.services.errors import NotFoundError, UserInputError

MAX_SEARCH = 100


def not_found() -> NotFoundError:
    return NotFoundError("There is no such account in your organisation.", None, AccountErrorCode.NOT_FOUND)


async def account_in(organisation_id: int, account_id: int | str, kind: AccountKind | None = None):
    try:
        key = int(account_id)
    except (TypeError, ValueError):
        raise not_found() from None
    query = Account.filter(id=key, organisation_id=organisation_id)
    if kind is not None:
        query = query.filter(kind=kind)
    account = await query.select_related("organisation").first()
    if account is None:
        raise not_found()
    return account


def users_query(
    organisation_id: int,
    search: str | None = None,
    role: Role | None = None,
    statuses: tuple[AccountStatus, ...] = (AccountStatus.ACTIVE, AccountStatus.DEACTIVATED),
):
    """Users I manage: the organisation's users, searched by name or email, filtered by role."""
    query = Account.filter(
        organisation_id=organisation_id, kind=AccountKind.USER, status__in=statuses
    )
    words = (search or "").split()[:5]
    for word in words:
        word = word[:MAX_SEARCH]
        query = query.filter(
            Q(forename__icontains=word) | Q(surname__icontains=word) | Q(email__icontains=word)
        )
    if role is not None:
        query = query.filter(role=role)
    return query.order_by("surname", "forename", "id")


async def administrators(organisation_id: int) -> list[Account]:
    return await Account.filter(
        organisation_id=organisation_id,
        kind=AccountKind.ADMINISTRATOR,
        status__in=(AccountStatus.PENDING, AccountStatus.ACTIVE, AccountStatus.DEACTIVATED),
    ).order_by("status", "surname", "forename", "id")


async def update_user_access(
    actor: Actor,
    organisation: Organisation,
    account_id,
    role,
    pupil_access,
    governor_full_confirmed: bool,
) -> Account:
    account = await account_in(organisation.id, account_id, AccountKind.USER)
    problems = check_role_and_access(organisation, role, pupil_access, governor_full_confirmed)
    if problems:
        raise PersonInputError(problems)
    before = account_snapshot(account)
    account.role = parse_role(role)
    account.pupil_access = parse_pupil_access(pupil_access)
    after = account_snapshot(account)
    if before == after:
        return account
    async with in_transaction() as connection:
        await account.save(update_fields=["role", "pupil_access"], using_db=connection)
        await record(
            actor,
            "account.access_changed",
            organisation.id,
            account,
            before={k: before[k] for k in ("role", "pupilAccess")},
            after={k: after[k] for k in ("role", "pupilAccess")},
            connection=connection,
        )
    if before["pupilAccess"] != after["pupilAccess"]:
        await end_all_sessions(account.id)  # what they may see changed: sign in again
    return account


async def update_administrator(
    actor: Actor, organisation: Organisation, account_id, forename, surname, email
) -> Account:
    account = await account_in(organisation.id, account_id, AccountKind.ADMINISTRATOR)
    problems = await validate_person(
        organisation,
        AccountKind.ADMINISTRATOR,
        forename,
        surname,
        email,
        check_limit=False,
        exclude_account_id=account.id,
    )
    if problems:
        raise PersonInputError(problems)
    before = account_snapshot(account)
    account.forename = " ".join(forename.split())
    account.surname = " ".join(surname.split())
    account.email = email.strip()
    after = account_snapshot(account)
    if before == after:
        return account
    async with in_transaction() as connection:
        await account.save(update_fields=["forename", "surname", "email"], using_db=connection)
        changed = [k for k in ("forename", "surname", "email") if before[k] != after[k]]
        await record(
            actor,
            "account.details_changed",
            organisation.id,
            account,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
            connection=connection,
        )
    if account.status == AccountStatus.PENDING and before["email"] != after["email"]:
        # The sign-up link goes to the corrected address; the old one stops working.
        await send_verification(account.id)
    return account


async def deactivate(actor: Actor, organisation: Organisation, account_id) -> Account:
    account = await account_in(organisation.id, account_id)
    if actor.account is not None and actor.account.id == account.id:
        raise UserInputError("You cannot deactivate your own account.", None, AccountErrorCode.NOT_ALLOWED)
    if account.status != AccountStatus.ACTIVE:
        raise UserInputError(
            "Only an active account can be deactivated. Delete a pending "
            "account from Pending users.",
            None,
            AccountErrorCode.INVALID_STATE,
        )
    async with in_transaction() as connection:
        updated = (
            await Account.filter(id=account.id, status=AccountStatus.ACTIVE)
            .using_db(connection)
            .update(status=AccountStatus.DEACTIVATED, deactivated_at=now())
        )
        if not updated:
            raise UserInputError("This account is no longer active.", None, AccountErrorCode.INVALID_STATE)
        if account.is_administrator:
            await AdministratorSlot.filter(account_id=account.id).using_db(connection).delete()
        await record(
            actor,
            "account.deactivated",
            organisation.id,
            account,
            before={"status": "active"},
            after={"status": "deactivated"},
            connection=connection,
        )
    await end_all_sessions(account.id)
    account.status = AccountStatus.DEACTIVATED
    return account


async def reactivate(actor: Actor, organisation: Organisation, account_id) -> Account:
    account = await account_in(organisation.id, account_id)
    if account.status != AccountStatus.DEACTIVATED:
        raise UserInputError(
            "Only a deactivated account can be reactivated.", None, AccountErrorCode.INVALID_STATE
        )
    try:
        async with in_transaction() as connection:
            updated = (
                await Account.filter(id=account.id, status=AccountStatus.DEACTIVATED)
                .using_db(connection)
                .update(status=AccountStatus.ACTIVE, deactivated_at=None)
            )
            if not updated:
                raise UserInputError(
                    "This account is no longer deactivated.", None, AccountErrorCode.INVALID_STATE
                )
            if account.is_administrator:
                if (
                    await Account.filter(
                        kind=AccountKind.ADMINISTRATOR,
                        email__iexact=account.email,
                        status__in=(AccountStatus.PENDING, AccountStatus.ACTIVE),
                    )
                    .exclude(id=account.id)
                    .using_db(connection)
                    .exists()
                ):
                    raise UserInputError(
                        "Another administrator now has this email address.", None, AccountErrorCode.DUPLICATE_EMAIL
                    )
                await claim_administrator_slot(account, connection)
            await record(
                actor,
                "account.reactivated",
                organisation.id,
                account,
                before={"status": "deactivated"},
                after={"status": "active"},
                connection=connection,
            )
    except IntegrityError as error:
        raise PersonInputError([administrator_limit_reached()]) from error
    account.status = AccountStatus.ACTIVE
    return account


async def set_require_mfa(actor: Actor, organisation: Organisation, required: bool) -> bool:
    if organisation.require_mfa == required:
        return required
    async with in_transaction() as connection:
        await (
            Organisation.filter(id=organisation.id)
            .using_db(connection)
            .update(require_mfa=required)
        )
        await record(
            actor,
            "organisation.require_mfa_changed",
            organisation.id,
            before={"requireMfa": organisation.require_mfa},
            after={"requireMfa": required},
            connection=connection,
        )
    organisation.require_mfa = required
    return required


def audit_query(organisation_id: int):
    return AuditEvent.filter(
        Q(organisation_id=organisation_id) | Q(actor_organisation_id=organisation_id)
    ).order_by("-created_at", "-id")


async def audit_page(organisation_id: int, start: int, size: int
                     ) -> tuple[int, list, audit_wording.Names]:
    """One page of the organisation's audit log, with the names of the people,
    organisations, tokens and subjects involved."""
    query = audit_query(organisation_id)
    total = await query.count()
    events = await query.offset(start).limit(size)
    return total, events, await audit_wording.names_for(events)
