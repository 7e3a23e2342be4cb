"""Checks for fields and mutations; raising here is how authorisation fails."""

from __future__ import annotations

from server.errors import Forbidden, Unauthenticated
from server.models import Account
from server.models.enums import OrganisationKind
from server.permissions.scope import Scope, scope


def require_account(context) -> Account:
    viewer = context.viewer
    if not viewer.is_authenticated:
        raise Unauthenticated()
    return viewer.account


def require_user(context) -> Account:
    account = require_account(context)
    if account.is_administrator:
        raise Forbidden("This needs a user account of the main site.")
    return account


def require_administrator(context) -> Account:
    account = require_account(context)
    if not account.is_administrator:
        raise Forbidden("This needs an administrator account.")
    return account


def viewer_scope(context) -> Scope:
    require_account(context)
    return scope(context.viewer)


def may_manage_target_setting(account: Account | None) -> bool:
    """Target setting is managed by a school's own administrators."""
    return bool(account is not None and account.is_administrator
                and account.organisation.kind == OrganisationKind.SCHOOL)
