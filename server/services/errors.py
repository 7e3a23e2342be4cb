"""A person's mistake, refused by a rule of the domain, with a code of the service's own.

Each domain lists its codes in one Enum in its package (`services/<domain>/errors.py`);
the schema shows that Enum as the mutation's GraphQL error-code enum (server/schema/
error_codes.py), so a code is always a member, never a bare string a typo could change.
"""

from __future__ import annotations

from enum import Enum


class UserInputError(Exception):
    """A rule of the domain refused what a person entered; shown next to the field."""

    def __init__(self, message: str, field: str | None = None, code: Enum | None = None) -> None:
        if not isinstance(code, Enum):
            raise TypeError(f"An error code is a member of a service's error-code Enum, not {code!r}")
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class NotFoundError(UserInputError):
    """The thing a person named does not exist, or is not theirs to see (never says which)."""
