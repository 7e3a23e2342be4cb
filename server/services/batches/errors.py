"""The error codes of batches: each is also the GraphQL enum of the same name (a StrEnum, so a
code still equals its text where pages and tests compare it)."""

from __future__ import annotations

from enum import StrEnum


class BatchErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID = "INVALID"
    INVALID_EMAIL = "INVALID_EMAIL"
    DUPLICATE_EMAIL = "DUPLICATE_EMAIL"
    DUPLICATE_IN_FILE = "DUPLICATE_IN_FILE"
    FORMULA = "FORMULA"
    CONFIRMATION_REQUIRED = "CONFIRMATION_REQUIRED"
    ADMINISTRATOR_LIMIT = "ADMINISTRATOR_LIMIT"
    EMPTY = "EMPTY"
    TOO_LARGE = "TOO_LARGE"
    WRONG_TYPE = "WRONG_TYPE"
    NOT_A_SPREADSHEET = "NOT_A_SPREADSHEET"
    DAMAGED = "DAMAGED"
    UNSAFE = "UNSAFE"
    PROTECTED = "PROTECTED"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    NO_ROWS = "NO_ROWS"
    MISSING_COLUMNS = "MISSING_COLUMNS"
    DUPLICATE_COLUMN = "DUPLICATE_COLUMN"
    STALE = "STALE"
    GONE = "GONE"
    INVALID_STATE = "INVALID_STATE"
    NOT_FOUND = "NOT_FOUND"
