"""Who may see a school's sharing: its changes awaiting approval and who read what (issue 15)."""

from __future__ import annotations

from server.models import Account
from server.models.enums import AccountKind, AccountStatus, OrganisationKind, Role


def is_senior_leader(account: Account | None, school_id: int) -> bool:
    """An active user of the school with the Head Teacher/Senior Leader role."""
    return bool(
        account is not None
        and account.kind == AccountKind.USER
        and account.organisation_id == school_id
        and account.role == Role.HEAD_TEACHER
        and account.status == AccountStatus.ACTIVE
    )


def may_see_sharing(account: Account | None, school_id: int | None = None) -> bool:
    """The school's administrators and its Head Teacher/Senior Leader users (the viewer's own
    school when none is named); never anyone outside the school."""
    if account is None or account.status != AccountStatus.ACTIVE:
        return False
    if account.organisation.kind != OrganisationKind.SCHOOL:
        return False
    school = account.organisation_id if school_id is None else school_id
    if account.organisation_id != school:
        return False
    return account.is_administrator or is_senior_leader(account, school)
