"""How GraphQL errors reach the log: an expected refusal (FORBIDDEN, NOT_FOUND, a person's
mistake…) is one INFO line; only a real failure is an ERROR with its traceback.

Strawberry's own `process_errors` logs every error as an ERROR with the traceback, so a
refused read by an LA officer looked like a crash."""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.types import ExecutionContext

from server.auth.passwords import ClientGone
from server.outages import is_database_unavailable
from server.schema.errors import AspireError, with_codes
from server.services.errors import UserInputError

logger = logging.getLogger("aspire.graphql")


def _where(error: GraphQLError, execution_context: ExecutionContext | None) -> str:
    operation = getattr(execution_context, "operation_name", None) or "anonymous operation"
    path = ".".join(str(part) for part in error.path or ()) or "-"
    return f"{operation} at {path}"


def log_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    for error in errors:
        original = error.original_error
        where = _where(error, execution_context)
        if original is None or isinstance(original, AspireError | UserInputError | GraphQLError):
            code = (with_codes(error).extensions or {}).get("code", "BAD_USER_INPUT")
            logger.info("GraphQL %s in %s: %s", code, where, error.message)
        elif isinstance(original, ClientGone):
            logger.info("GraphQL client gone in %s before its password check", where)
        elif is_database_unavailable(original):
            logger.warning("GraphQL SERVICE_UNAVAILABLE in %s: %r", where, original)
        else:
            logger.error("GraphQL unexpected error in %s: %s", where, error.message,
                         exc_info=original)
