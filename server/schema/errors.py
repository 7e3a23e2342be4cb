"""Deliberate GraphQL errors with the codes of API.md; everything else is masked."""

from __future__ import annotations

from graphql import GraphQLError

from server.services.errors import UserInputError


class AspireError(Exception):
    code = "INTERNAL"
    default_message = "Something went wrong."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)
        self.extensions = {"code": self.code}


class Unauthenticated(AspireError):
    code = "UNAUTHENTICATED"
    default_message = "Sign in, or send an API token as 'Authorization: Bearer <token>'."


class Forbidden(AspireError):
    code = "FORBIDDEN"
    default_message = "You do not have permission to see this."


class NotFound(AspireError):
    code = "NOT_FOUND"
    default_message = "Not found."


class BadUserInput(AspireError):
    code = "BAD_USER_INPUT"
    default_message = "The request is not valid."


class RateLimited(AspireError):
    code = "RATE_LIMITED"
    default_message = "Too many requests. Wait a minute and try again."


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
