"""The error codes of pupils: each is also the GraphQL enum of the same name (a StrEnum, so a
code still equals its text where pages and tests compare it)."""

from __future__ import annotations

from enum import StrEnum


class PupilImportErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    TOO_LARGE = "TOO_LARGE"
    UNREADABLE = "UNREADABLE"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    NO_HEADER = "NO_HEADER"
    BAD_HEADER = "BAD_HEADER"
    NO_ROWS = "NO_ROWS"
    NOT_FOUND = "NOT_FOUND"
    NOT_PENDING = "NOT_PENDING"
    ALREADY_CONFIRMED = "ALREADY_CONFIRMED"
    YEAR_CHANGED = "YEAR_CHANGED"
    NOTHING_TO_IMPORT = "NOTHING_TO_IMPORT"
    NOT_CTF = "NOT_CTF"
    UNSAFE = "UNSAFE"
    INVALID = "INVALID"


class RollForwardErrorCode(StrEnum):
    ALREADY_ROLLED_FORWARD = "ALREADY_ROLLED_FORWARD"
    INVALID = "INVALID"


class ValueAddedErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    TOO_LARGE = "TOO_LARGE"
    UNREADABLE = "UNREADABLE"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    NO_HEADER = "NO_HEADER"
    BAD_HEADER = "BAD_HEADER"
    NO_ROWS = "NO_ROWS"
    ROW_PROBLEM = "ROW_PROBLEM"
    INVALID = "INVALID"


class PupilFileErrorCode(StrEnum):
    """A pupil or value-added file refused as a whole (reading.py), before any row is checked."""

    REQUIRED = "REQUIRED"
    TOO_LARGE = "TOO_LARGE"
    UNREADABLE = "UNREADABLE"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    NO_HEADER = "NO_HEADER"
    BAD_HEADER = "BAD_HEADER"


class StandardisedScoreErrorCode(StrEnum):
    OUT_OF_RANGE = "OUT_OF_RANGE"
    NOT_FOUND = "NOT_FOUND"
