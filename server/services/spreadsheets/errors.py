"""The error codes of a refused spreadsheet of people (reading.py), shown by batches."""

from __future__ import annotations

from enum import StrEnum


class SpreadsheetErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
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
