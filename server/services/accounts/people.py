"""Adding a person: the one rule for a pending user or administrator, single add or batch row.

`validate_person` answers every field problem without writing (a batch colours its cells
with it); `add_pending_person` checks the same and creates the pending account, its
activation code and (for administrators) a slot under the organisation's limit.
The verification email is sent after the caller's transaction commits:
`server.services.accounts.activation.send_verification(account_id)`.
"""

from __future__ import annotations

import secrets
import string
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from tortoise.exceptions import IntegrityError
from tortoise.timezone import now
from tortoise.transactions import in_transaction

from server.auth.secrets import activation_code, digest, encrypt, random_token
from server.models import Account, Activation, AdministratorSlot, Organisation
from server.models.enums import (
    SCHOOL_ROLES,
    AccountKind,
    AccountStatus,
    OrganisationKind,
    PupilAccess,
    Role,
)
from server.services.accounts.audit import Actor, account_snapshot, record
from server.services.accounts.errors import PersonErrorCode
from server.services.errors import UserInputError
from server.settings import get_settings

MAX_LENGTH = 50
CODE_PURPOSE = "activation-code"
LOGIN_NAME_ALPHABET = string.ascii_lowercase + string.digits
LOGIN_NAME_LENGTH = 10
LIVE = (AccountStatus.PENDING, AccountStatus.ACTIVE)

# Codes of the problems; CONFIRMATION_REQUIRED is the guide's amber, every other one red.
REQUIRED = PersonErrorCode.REQUIRED
TOO_LONG = PersonErrorCode.TOO_LONG
INVALID = PersonErrorCode.INVALID
INVALID_EMAIL = PersonErrorCode.INVALID_EMAIL
DUPLICATE_EMAIL = PersonErrorCode.DUPLICATE_EMAIL
CONFIRMATION_REQUIRED = PersonErrorCode.CONFIRMATION_REQUIRED
ADMINISTRATOR_LIMIT = PersonErrorCode.ADMINISTRATOR_LIMIT

GOVERNOR_FULL_ACCESS_WARNING = (
    "It is not usual practice to give pupil information to this type of user"
)

PUPIL_ACCESS_LABELS = {
    PupilAccess.AGGREGATE: "No access to pupil data, aggregate data only",
    PupilAccess.FULL: "Full access to pupil data including suppressed/sensitive items",
}


class PersonInputError(UserInputError):
    """Every problem with one person's details; the first one is the message."""

    def __init__(self, problems: list[UserInputError]) -> None:
        first = problems[0]
        super().__init__(first.message, first.field, first.code)
        self.problems = problems


def roles_for(kind: OrganisationKind) -> tuple[Role, ...]:
    """The roles at organisation an administrator may give: school roles, or Officer."""
    if kind == OrganisationKind.SCHOOL:
        return SCHOOL_ROLES
    if kind in (OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.ACADEMY_CHAIN):
        return (Role.OFFICER,)
    return ()


def pupil_access_for(kind: OrganisationKind) -> tuple[PupilAccess, ...]:
    """Academy-chain users see aggregates only."""
    if kind == OrganisationKind.ACADEMY_CHAIN:
        return (PupilAccess.AGGREGATE,)
    return (PupilAccess.AGGREGATE, PupilAccess.FULL)


def parse_role(value: Role | str | None) -> Role | None:
    """A role from the enum, its stored value or its name (spreadsheet cells); None if unknown."""
    if value is None or isinstance(value, Role):
        return value
    text = " ".join(str(value).split()).lower()
    for role in Role:
        if text in (role.value.lower(), role.name.lower()):
            return role
    return None


def parse_pupil_access(value: PupilAccess | str | None) -> PupilAccess | None:
    if value is None or isinstance(value, PupilAccess):
        return value
    text = " ".join(str(value).split()).lower()
    for access, label in PUPIL_ACCESS_LABELS.items():
        if text in (access.value, access.name.lower(), label.lower()):
            return access
    return None


def needs_governor_confirmation(role: Role | None, pupil_access: PupilAccess | None) -> bool:
    """The amber rule: Governor with full access needs an explicit confirmation."""
    return role == Role.GOVERNOR and pupil_access == PupilAccess.FULL


def _clean(value: str | None) -> str:
    return " ".join((value or "").split()) if value else ""


def _name_problem(value: str, field: str, label: str) -> UserInputError | None:
    if not value:
        return UserInputError(f"Enter a {label.lower()}", field, REQUIRED)
    if len(value) > MAX_LENGTH:
        return UserInputError(f"{label} must be {MAX_LENGTH} characters or less", field, TOO_LONG)
    return None


def check_email_syntax(email: str) -> UserInputError | None:
    if not email:
        return UserInputError("Enter an email address", "email", REQUIRED)
    if len(email) > MAX_LENGTH:
        return UserInputError(
            f"Email address must be {MAX_LENGTH} characters or less", "email", TOO_LONG
        )
    try:
        validate_email(email, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return UserInputError(
            "Enter an email address in the correct format, like name@school.sch.uk",
            "email",
            INVALID_EMAIL,
        )
    return None


async def email_in_use(
    kind: AccountKind, email: str, exclude_account_id: int | None = None, connection=None
) -> bool:
    """Users: the email is the login name, unique in the database (any status).

    Administrators: unique among live (pending or active) administrators, ignoring case.
    """
    if kind == AccountKind.USER:
        query = Account.filter(login_name=email.lower())
    else:
        query = Account.filter(kind=AccountKind.ADMINISTRATOR, email__iexact=email, status__in=LIVE)
    if exclude_account_id is not None:
        query = query.exclude(id=exclude_account_id)
    return await query.using_db(connection).exists()


def duplicate_email(kind: AccountKind) -> UserInputError:
    who = "a user" if kind == AccountKind.USER else "an administrator"
    return UserInputError(
        f"There is already {who} account with this email address", "email", DUPLICATE_EMAIL
    )


def administrator_limit_reached() -> UserInputError:
    limit = get_settings().administrator_limit
    return UserInputError(
        f"Your organisation already has {limit} administrators (pending or active). "
        "Delete a pending administrator or deactivate one before adding another.",
        None,
        ADMINISTRATOR_LIMIT,
    )


def check_role_and_access(
    organisation: Organisation,
    role: Role | str | None,
    pupil_access: PupilAccess | str | None,
    governor_full_confirmed: bool,
) -> list[UserInputError]:
    problems: list[UserInputError] = []
    parsed_role = parse_role(role)
    parsed_access = parse_pupil_access(pupil_access)
    if role is None or (isinstance(role, str) and not role.strip()):
        problems.append(UserInputError("Select a role at organisation", "role", REQUIRED))
    elif parsed_role not in roles_for(organisation.kind):
        problems.append(UserInputError("Select a role from the list", "role", INVALID))
    if pupil_access is None or (isinstance(pupil_access, str) and not pupil_access.strip()):
        problems.append(UserInputError("Select the pupil data access", "pupilAccess", REQUIRED))
    elif parsed_access not in pupil_access_for(organisation.kind):
        message = (
            "Academy chain users can only have aggregate data access"
            if parsed_access == PupilAccess.FULL
            else "Select a pupil data access from the list"
        )
        problems.append(UserInputError(message, "pupilAccess", INVALID))
    elif needs_governor_confirmation(parsed_role, parsed_access) and not governor_full_confirmed:
        problems.append(
            UserInputError(
                f"{GOVERNOR_FULL_ACCESS_WARNING}: tick 'Please confirm selections' or choose "
                "a different pupil data access",
                "pupilAccess",
                CONFIRMATION_REQUIRED,
            )
        )
    return problems


async def validate_person(
    organisation: Organisation,
    kind: AccountKind,
    forename: str | None,
    surname: str | None,
    email: str | None,
    role: Role | str | None = None,
    pupil_access: PupilAccess | str | None = None,
    governor_full_confirmed: bool = False,
    connection=None,
    check_limit: bool = True,
    exclude_account_id: int | None = None,
) -> list[UserInputError]:
    """Every problem with one person's details, without writing anything.

    Fields: forename, surname, email, role, pupilAccess (None for the administrator limit).
    """
    problems: list[UserInputError] = []
    for value, field, label in (
        (forename, "forename", "Forename"),
        (surname, "surname", "Surname"),
    ):
        problem = _name_problem(_clean(value), field, label)
        if problem:
            problems.append(problem)
    address = (email or "").strip()
    problem = check_email_syntax(address)
    if problem:
        problems.append(problem)
    elif await email_in_use(kind, address, exclude_account_id, connection):
        problems.append(duplicate_email(kind))
    if kind == AccountKind.USER:
        problems.extend(
            check_role_and_access(organisation, role, pupil_access, governor_full_confirmed)
        )
    elif check_limit and await administrators_counted(organisation.id, connection) >= (
        get_settings().administrator_limit
    ):
        problems.append(administrator_limit_reached())
    return problems


async def administrators_counted(organisation_id: int, connection=None) -> int:
    """Pending and active administrators: the slots in use."""
    return (
        await AdministratorSlot.filter(organisation_id=organisation_id).using_db(connection).count()
    )


async def administrator_slots(organisation_id: int) -> tuple[int, int]:
    """(limit, slots in use): what Add an administrator tells before its form. Adding still
    claims a slot atomically (claim_administrator_slot): this answer is only advice."""
    return get_settings().administrator_limit, await administrators_counted(organisation_id)


def new_login_name() -> str:
    """Random, unguessable from the name: 10 lower-case letters and digits."""
    return secrets.choice(string.ascii_lowercase) + "".join(
        secrets.choice(LOGIN_NAME_ALPHABET) for _ in range(LOGIN_NAME_LENGTH - 1)
    )


def atomic(connection=None):
    """A transaction, or a savepoint inside the caller's transaction."""
    return connection._in_transaction() if connection is not None else in_transaction()


async def claim_administrator_slot(account: Account, connection) -> int:
    """Takes a free slot; the unique (organisation, slot) in the database decides races."""
    limit = get_settings().administrator_limit
    taken = set(
        await AdministratorSlot.filter(organisation_id=account.organisation_id)
        .using_db(connection)
        .values_list("slot", flat=True)
    )
    for slot in range(1, limit + 1):
        if slot in taken:
            continue
        try:
            async with connection._in_transaction() as savepoint:
                await AdministratorSlot.create(
                    organisation_id=account.organisation_id,
                    slot=slot,
                    account=account,
                    using_db=savepoint,
                )
            return slot
        except IntegrityError:
            continue  # another request took it first: try the next one
    raise PersonInputError([administrator_limit_reached()])


async def new_activation(account: Account, connection=None) -> tuple[Activation, str]:
    """A fresh activation code; the link is issued when the verification email is sent."""
    code = activation_code()
    activation = await Activation.create(
        account=account,
        code_encrypted=encrypt(code, CODE_PURPOSE),
        link_hash=digest(random_token(32)),  # a placeholder nobody knows until an email goes
        link_reference="",
        link_expires_at=now() + timedelta(days=get_settings().activation_link_days),
        using_db=connection,
    )
    return activation, code


async def add_pending_person(
    organisation: Organisation,
    kind: AccountKind,
    forename: str | None,
    surname: str | None,
    email: str | None,
    role: Role | str | None,
    pupil_access: PupilAccess | str | None,
    created_by: Account | None,
    governor_full_confirmed: bool,
    connection=None,
    actor: Actor | None = None,
) -> tuple[Account, str]:
    """Creates a pending user or administrator; returns it and its plain activation code.

    Raises PersonInputError (a UserInputError, with .problems) and writes nothing when any
    field is wrong, the email is taken or the administrator limit is reached, however many
    requests race. Inside a caller's transaction (`connection`) it works in a savepoint.
    """
    problems = await validate_person(
        organisation,
        kind,
        forename,
        surname,
        email,
        role,
        pupil_access,
        governor_full_confirmed,
        connection,
    )
    if problems:
        raise PersonInputError(problems)
    address = (email or "").strip()
    is_user = kind == AccountKind.USER
    actor = actor or (Actor(account=created_by) if created_by else Actor.command_line())
    try:
        async with atomic(connection) as conn:
            if not is_user:
                await _hold_administrator_email(address, conn)
            account = await Account.create(
                kind=kind,
                organisation=organisation,
                forename=_clean(forename),
                surname=_clean(surname),
                email=address,
                login_name=address.lower() if is_user else await _unused_login_name(conn),
                role=parse_role(role) if is_user else None,
                pupil_access=parse_pupil_access(pupil_access) if is_user else None,
                status=AccountStatus.PENDING,
                created_by=created_by,
                using_db=conn,
            )
            if not is_user:
                await claim_administrator_slot(account, conn)
            _, code = await new_activation(account, conn)
            await record(
                actor,
                "account.created",
                organisation.id,
                account,
                after=account_snapshot(account),
                connection=conn,
            )
    except IntegrityError as error:
        # Only the unique login name (a user's email) can collide here: another request won.
        raise PersonInputError([duplicate_email(kind)]) from error
    return account, code


async def _hold_administrator_email(address: str, connection) -> None:
    """Administrator emails are unique among live administrators, also under racing requests.

    PostgreSQL: a transaction-scoped advisory lock on the address, then a check inside the
    transaction. SQLite runs one write transaction at a time, so the check alone holds.
    """
    if connection.capabilities.dialect == "postgres":
        await connection.execute_query("SELECT pg_advisory_xact_lock(hashtext($1))", [address.lower()])
    if await email_in_use(AccountKind.ADMINISTRATOR, address, connection=connection):
        raise PersonInputError([duplicate_email(AccountKind.ADMINISTRATOR)])


async def _unused_login_name(connection) -> str:
    while True:
        name = new_login_name()
        if not await Account.filter(login_name=name).using_db(connection).exists():
            return name
