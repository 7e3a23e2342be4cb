"""The error codes of accounts: each is also the GraphQL enum of the same name (a StrEnum, so a
code still equals its text where pages and tests compare it)."""

from __future__ import annotations

from enum import StrEnum


class AccountErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    TOO_SHORT = "TOO_SHORT"
    INVALID = "INVALID"
    INVALID_EMAIL = "INVALID_EMAIL"
    DUPLICATE_EMAIL = "DUPLICATE_EMAIL"
    CONFIRMATION_REQUIRED = "CONFIRMATION_REQUIRED"
    ADMINISTRATOR_LIMIT = "ADMINISTRATOR_LIMIT"
    NOT_FOUND = "NOT_FOUND"
    LINK_NOT_VALID = "LINK_NOT_VALID"
    LINK_EXPIRED = "LINK_EXPIRED"
    LINK_USED = "LINK_USED"
    WRONG = "WRONG"
    LOCKED = "LOCKED"
    COMMON = "COMMON"
    CONTAINS_LOGIN_NAME = "CONTAINS_LOGIN_NAME"
    CONTAINS_ORGANISATION = "CONTAINS_ORGANISATION"
    MISMATCH = "MISMATCH"
    DUPLICATE = "DUPLICATE"
    PASSWORD_FIRST = "PASSWORD_FIRST"  # noqa: S105 (an error code)
    RATE_LIMITED = "RATE_LIMITED"
    NOT_MATCHED = "NOT_MATCHED"
    NOT_ALLOWED = "NOT_ALLOWED"
    INVALID_STATE = "INVALID_STATE"
    SAME_AS_CURRENT = "SAME_AS_CURRENT"


class SignInErrorCode(StrEnum):
    FAILED = "FAILED"
    DEACTIVATED = "DEACTIVATED"
    RATE_LIMITED = "RATE_LIMITED"
    REQUIRED = "REQUIRED"


class ApiTokenErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    TOO_MANY = "TOO_MANY"


class PersonErrorCode(StrEnum):
    """The person rules (people.py), shared by adding a person and a batch's rows."""

    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID = "INVALID"
    INVALID_EMAIL = "INVALID_EMAIL"
    DUPLICATE_EMAIL = "DUPLICATE_EMAIL"
    CONFIRMATION_REQUIRED = "CONFIRMATION_REQUIRED"  # the guide's amber: every other one is red
    ADMINISTRATOR_LIMIT = "ADMINISTRATOR_LIMIT"
