"""The error codes of tracking: each is also the GraphQL enum of the same name (a StrEnum, so a
code still equals its text where pages and tests compare it)."""

from __future__ import annotations

from enum import StrEnum


class TrackingErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    DUPLICATE = "DUPLICATE"
    TOO_MANY = "TOO_MANY"
    OUTSIDE_SCHOOL_YEAR = "OUTSIDE_SCHOOL_YEAR"
    INVALID_YEAR_GROUP = "INVALID_YEAR_GROUP"
    INVALID_GRADE = "INVALID_GRADE"
    UNKNOWN_PUPIL = "UNKNOWN_PUPIL"
    UNKNOWN_POINT = "UNKNOWN_POINT"
    UNKNOWN_SUBJECT = "UNKNOWN_SUBJECT"
    INVALID = "INVALID"
    # A working-at spreadsheet: the shared reader's refusals (SpreadsheetErrorCode) ...
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
    # ... and confirming it.
    NOT_FOUND = "NOT_FOUND"
    ALREADY_CONFIRMED = "ALREADY_CONFIRMED"
    NOT_PENDING = "NOT_PENDING"
    NOTHING_TO_SAVE = "NOTHING_TO_SAVE"
