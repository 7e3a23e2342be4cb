"""The error codes of change notifications: each is also the GraphQL enum of the same name (a
StrEnum, so a code still equals its text where pages and tests compare it)."""

from __future__ import annotations

from enum import StrEnum


class WebhookErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_URL = "INVALID_URL"
    NOT_HTTPS = "NOT_HTTPS"
    PRIVATE_ADDRESS = "PRIVATE_ADDRESS"
    UNKNOWN_SCHOOL = "UNKNOWN_SCHOOL"
    NOT_SHARED = "NOT_SHARED"
    DUPLICATE = "DUPLICATE"
    TOO_MANY = "TOO_MANY"
    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
