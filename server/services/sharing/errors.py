"""The error codes of sharing: each is also the GraphQL enum of the same name (a StrEnum, so a
code still equals its text where pages and tests compare it)."""

from __future__ import annotations

from enum import StrEnum


class DecideSharingChangeErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    ALREADY_DECIDED = "ALREADY_DECIDED"
    INVALID = "INVALID"
