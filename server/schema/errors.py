"""Deliberate GraphQL errors with the codes of API.md; everything else is masked."""

from __future__ import annotations

from graphql import GraphQLError

from server.errors import (
    AspireError,
    BadUserInput,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from server.services.errors import UserInputError

__all__ = [
    "AspireError", "BadUserInput", "Forbidden", "NotFound", "RateLimited", "Unauthenticated",
    "should_mask_error", "with_codes",
]


def should_mask_error(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None:
        return False  # syntax and validation errors describe the query, not the server
    # A GraphQLError inside: a variable's value did not fit its type (graphql-core's own words).
    return not isinstance(original, AspireError | UserInputError | GraphQLError)


def with_codes(error: GraphQLError) -> GraphQLError:
    """Give every error an extensions.code, as outside tools rely on it."""
    extensions = dict(error.extensions or {})
    original = error.original_error
    if isinstance(original, AspireError):
        extensions.setdefault("code", original.code)
    elif isinstance(original, UserInputError):
        extensions.setdefault("code", "BAD_USER_INPUT")
    elif original is None or isinstance(original, GraphQLError):
        extensions.setdefault("code", "BAD_USER_INPUT")
    else:
        extensions.setdefault("code", "INTERNAL_SERVER_ERROR")
    error.extensions = extensions
    return error
