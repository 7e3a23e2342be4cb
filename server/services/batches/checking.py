"""Checking a batch's rows: red fields (never processed) and amber fields (need confirming).

The person rules are the accounts service's (`validate_person`, `check_email_syntax`);
this module adds what only a batch has: the same email twice in one file, formulas
pasted into cells, and administrator rows beyond the organisation's limit. It reads the
database twice for a whole batch (emails in use, administrators counted), not per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import reduce
from operator import or_

from tortoise.expressions import Q

from server.models import Account, BatchRow, Organisation
from server.models.enums import AccountKind, AccountStatus, BatchKind
from server.services.accounts import people
from server.services.batches.errors import BatchErrorCode
from server.settings import get_settings

RED = "red"
AMBER = "amber"
DUPLICATE_IN_FILE = BatchErrorCode.DUPLICATE_IN_FILE
FORMULA = BatchErrorCode.FORMULA

AMBER_MESSAGE = (
    f"{people.GOVERNOR_FULL_ACCESS_WARNING}. Tick the confirmation box below the list to "
    "create this account with full access, or edit the row."
)
FIELD_LABELS = {
    "forename": "Forename",
    "surname": "Surname",
    "email": "Email address",
    "role": "Role",
    "pupilAccess": "Pupil access level",
}


@dataclass(frozen=True)
class Problem:
    field: str | None  # forename, surname, email, role, pupilAccess; None for the whole row
    severity: str  # RED or AMBER
    message: str
    code: Enum  # a BatchErrorCode or a PersonErrorCode


def account_kind(kind: BatchKind) -> AccountKind:
    return AccountKind.USER if kind == BatchKind.USERS else AccountKind.ADMINISTRATOR


def row_values(row: BatchRow) -> dict[str, str]:
    return {
        "forename": row.forename,
        "surname": row.surname,
        "email": row.email,
        "role": row.role,
        "pupilAccess": row.pupil_access,
    }


async def emails_in_use(kind: AccountKind, addresses: Sequence[str], connection=None) -> set[str]:
    """The lower-cased addresses of `addresses` that people.email_in_use would refuse.

    One query for the whole batch; tests hold it equal to the accounts service's rule.
    """
    wanted = sorted({a.strip().lower() for a in addresses if a and a.strip()})
    if not wanted:
        return set()
    if kind == AccountKind.USER:
        found = (
            await Account.filter(login_name__in=wanted)
            .using_db(connection)
            .values_list("login_name", flat=True)
        )
    else:
        found = (
            await Account.filter(
                reduce(or_, (Q(email__iexact=a) for a in wanted)),
                kind=AccountKind.ADMINISTRATOR,
                status__in=(AccountStatus.PENDING, AccountStatus.ACTIVE),
            )
            .using_db(connection)
            .values_list("email", flat=True)
        )
    return {str(address).lower() for address in found}


def _looks_like_formula(value: str) -> bool:
    """A formula, or one neutralised by a leading apostrophe (as the annotated workbook does)."""
    text = value.strip()
    return text.startswith("=") or (text.startswith("'") and text[1:2] in ("=", "+", "-", "@"))


async def check_rows(
    organisation: Organisation, kind: BatchKind, rows: Sequence[BatchRow], connection=None
) -> dict[int, list[Problem]]:
    """Problems of each remaining row (by row id), in the order of the grid's columns."""
    who = account_kind(kind)
    addresses = {row.id: row.email.strip() for row in rows}
    syntax = {row_id: people.check_email_syntax(a) for row_id, a in addresses.items()}
    in_use = await emails_in_use(
        who, [a for row_id, a in addresses.items() if syntax[row_id] is None], connection
    )
    rows_by_email: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if addresses[row.id]:
            rows_by_email[addresses[row.id].lower()].append(row.row_number)
    free_slots = 0
    if who == AccountKind.ADMINISTRATOR:
        counted = await people.administrators_counted(organisation.id, connection)
        free_slots = max(get_settings().administrator_limit - counted, 0)

    found: dict[int, list[Problem]] = {}
    for row in rows:
        problems: list[Problem] = []
        values = row_values(row)
        for key in ("forename", "surname"):  # other columns fail their own checks anyway
            if _looks_like_formula(values[key]):
                problems.append(Problem(
                    key, RED,
                    f"{FIELD_LABELS[key]} looks like a spreadsheet formula. Type the name itself.",
                    FORMULA,
                ))
        checked = await people.validate_person(
            organisation, who, row.forename, row.surname, "",
            row.role or None, row.pupil_access or None, governor_full_confirmed=False,
            connection=connection, check_limit=False,
        )
        for problem in checked:
            if problem.field == "email":
                continue  # checked below, for the whole batch at once
            if any(p.field == problem.field for p in problems):
                continue
            if problem.code == people.CONFIRMATION_REQUIRED:
                problems.append(Problem(problem.field, AMBER, AMBER_MESSAGE, problem.code))
            else:
                problems.append(Problem(problem.field, RED, problem.message, problem.code))
        address = addresses[row.id]
        if syntax[row.id] is not None:
            problem = syntax[row.id]
            problems.append(Problem("email", RED, problem.message, problem.code))
        elif address.lower() in in_use:
            problem = people.duplicate_email(who)
            problems.append(Problem("email", RED, problem.message, problem.code))
        others = [n for n in rows_by_email.get(address.lower(), []) if n != row.row_number]
        if address and others:
            listed = ", ".join(str(n) for n in others)
            plural = "rows" if len(others) > 1 else "row"
            problems.append(Problem(
                "email", RED,
                f"The same email address is also on {plural} {listed} of this file. "
                "Each person needs their own email address.",
                DUPLICATE_IN_FILE,
            ))
        if who == AccountKind.ADMINISTRATOR and not any(p.severity == RED for p in problems):
            if free_slots > 0:
                free_slots -= 1
            else:
                limit = get_settings().administrator_limit
                problems.append(Problem(
                    None, RED,
                    f"Your organisation can have at most {limit} administrators (pending or "
                    "active), so this row would go over the limit. Delete a pending "
                    "administrator or deactivate one first, or delete this row.",
                    people.ADMINISTRATOR_LIMIT,
                ))
        order = {key: i for i, key in enumerate((*FIELD_LABELS, None))}
        problems.sort(key=lambda p: order.get(p.field, len(order)))
        found[row.id] = problems
    return found


def is_red(problems: Sequence[Problem]) -> bool:
    return any(p.severity == RED for p in problems)


def is_amber(problems: Sequence[Problem]) -> bool:
    return not is_red(problems) and any(p.severity == AMBER for p in problems)
