"""Signing in and out (in-process for the pages; cookies are set by the page)."""

from __future__ import annotations

from enum import Enum

import strawberry

from server.schema.error_codes import error_codes
from server.schema.organisations import Viewer
from server.services.accounts.errors import SignInErrorCode

error_codes(SignInErrorCode)


@strawberry.type
class SignInError:
    field: str | None
    message: str
    code: SignInErrorCode


@strawberry.enum
class SiteArea(Enum):
    ADMIN = "admin"
    MAIN = "main"


@strawberry.input
class SignInInput:
    login_name: str
    password: str
    area: SiteArea


@strawberry.type
class SignInPayload:
    viewer: Viewer | None
    errors: list[SignInError]


@strawberry.type
class SignOutPayload:
    signed_out: bool
