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
