"""Limits and error handling applied to every operation, in-process or over HTTP."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from server import outages
from server.auth.passwords import ClientGone
from server.operations import documents
from server.outages import is_database_unavailable
from server.schema.errors import should_mask_error, with_codes

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000


class ErrorCodes(SchemaExtension):
    """Runs after masking: every error leaves with an extensions.code."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and getattr(result, "errors", None):
            result.errors = [with_codes(error) for error in result.errors]
        elif self.execution_context.pre_execution_errors:
            self.execution_context.pre_execution_errors = [
                with_codes(error) for error in self.execution_context.pre_execution_errors
            ]


class MaskInternalErrors(MaskErrors):
    """No stack traces, SQL or messages of unexpected errors reach a client."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask_error, error_message="Unexpected error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        if isinstance(error.original_error, ClientGone):
            masked.message = "The connection closed before the password was checked."
            masked.extensions = {"code": ClientGone.code}
            return masked
        if is_database_unavailable(error.original_error):
            # Not a bug: the database is away or busy. Say so, and answer HTTP 503.
            masked.message = outages.MESSAGE
            masked.extensions = {"code": outages.CODE}
            response = getattr(self.execution_context.context, "response", None)
            if response is not None:
                response.status_code = 503
                response.headers["Retry-After"] = str(outages.RETRY_AFTER_SECONDS)
            return masked
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR"}
        return masked


class KnownDocuments(SchemaExtension):
    """The pages' own documents (server/operations) are parsed and validated once per
    process, the first time through the usual limits; every other document on every request.

    Parsing and validating a page's document was ~40 % of the pupil target page's time.
    Only those few fixed texts are kept, so the cache cannot grow.
    """

    parsed: dict[str, object] = {}
    valid: set[str] = set()

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query in self.parsed:
            context.graphql_document = self.parsed[query]
        yield
        if query not in self.parsed and context.graphql_document is not None and (
            query in _known_texts()
        ):
            self.parsed[query] = context.graphql_document

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        known_valid = query in self.valid
        if known_valid:
            context.pre_execution_errors = []
        yield
        if not known_valid and query in self.parsed and context.pre_execution_errors == []:
            self.valid.add(query)


@functools.cache
def _known_texts() -> frozenset[str]:
    return frozenset(documents().values())


def schema_extensions() -> list:
    """Factories, so that every operation gets fresh extension instances."""
    return [
        KnownDocuments,
        ErrorCodes,
        MaskInternalErrors,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
    ]
