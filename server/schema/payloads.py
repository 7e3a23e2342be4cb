"""The shape every mutation answers with: the object and a list of field errors."""

from __future__ import annotations

from enum import Enum

import strawberry

from server.services.errors import UserInputError


@strawberry.type
class FieldError:
    field: str | None = strawberry.field(description="The input field's name, or null")
    message: str
    code: str


def field_errors(error: UserInputError) -> list[FieldError]:
    return [FieldError(field=error.field, message=error.message, code=error.code)]


def error_codes(name: str, codes: list[str]) -> type[Enum]:
    return strawberry.enum(Enum(name, {c: c for c in codes}))
