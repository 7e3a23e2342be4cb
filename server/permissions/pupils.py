"""Who may import a school's pupils and manage its school years."""

from __future__ import annotations

from server.models import Account
from server.models.enums import AccountStatus, OrganisationKind, PupilAccess, Role


def may_import_pupils(account: Account | None, school_id: int) -> bool:
    """The school's administrators, and its Data Managers with full pupil access."""
    if account is None or account.status != AccountStatus.ACTIVE:
        return False
    if account.organisation_id != school_id or account.organisation.kind != OrganisationKind.SCHOOL:
        return False
    if account.is_administrator:
        return True
    return account.role == Role.DATA_MANAGER and account.pupil_access == PupilAccess.FULL


def may_manage_school_years(account: Account | None, school_id: int) -> bool:
    """Rolling forward and value-added history: the school's administrators only."""
    return bool(
        may_import_pupils(account, school_id) and account is not None
        and account.is_administrator
    )
