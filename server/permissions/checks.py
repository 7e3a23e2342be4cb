"""Checks for fields and mutations; raising here is how authorisation fails."""

from __future__ import annotations

from server.models import Account
from server.permissions.scope import Scope, scope
from server.schema.errors import Forbidden, Unauthenticated


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
