"""The one way a service's refusal becomes a mutation's typed `errors` list (Saleor's shape).

A service raises UserInputError with a member of its domain's error-code Enum
(`server/services/<domain>/errors.py`). `error_codes` makes that Enum itself the GraphQL
enum (the same name and values) and records the shared Enums whose codes may also reach it
(a person's rules in a batch row, a grade typed for a target); `field_errors` turns the
error, or each of its `problems`, into the payload's error objects. A code with no place in
the payload's enum is a bug and fails loudly here; tests/graphql/test_error_codes.py checks
that every code of every shared Enum has its value.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from server.services.errors import UserInputError

# GraphQL error-code enum -> the service Enums whose members it shows (itself first).
ACCEPTED: dict[type[Enum], tuple[type[Enum], ...]] = {}
_CODE_ENUM: dict[type, type[Enum]] = {}


def error_codes(
    codes: type[Enum], *, accepts: tuple[type[Enum], ...] = (), description: str | None = None
) -> type[Enum]:
    """Show a service's error-code Enum in the schema, taking the shared Enums in `accepts`."""
    strawberry.enum(codes, description=description)
    ACCEPTED[codes] = (codes, *accepts)
    return codes


def code_for(target: type[Enum], code: Enum) -> Enum:
    """`code` as a member of the GraphQL enum `target` (the same name)."""
    if type(code) not in ACCEPTED.get(target, ()):
        raise TypeError(
            f"{code!r} cannot be shown as a {target.__name__}: add {type(code).__name__} to "
            "its accepts"
        )
    return target[code.name]


def _code_enum(error_type: type) -> type[Enum]:
    found = _CODE_ENUM.get(error_type)
    if found is None:
        definition = error_type.__strawberry_definition__
        field = next(f for f in definition.fields if f.python_name == "code")
        found = _CODE_ENUM[error_type] = field.type.wrapped_cls
    return found


def field_errors(error_type: type, error: UserInputError, **extra: Any) -> list:
    """The payload's `errors`: one `error_type` per problem (`field`, `message`, `code`)."""
    target = _code_enum(error_type)
    problems = getattr(error, "problems", None) or [error]
    return [
        error_type(field=p.field, message=p.message, code=code_for(target, p.code), **extra)
        for p in problems
    ]
