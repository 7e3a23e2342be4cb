"""Every service error code has its GraphQL value, and no code is a bare string (issue 17)."""

from __future__ import annotations

import importlib
import pathlib
import re
from enum import Enum

import pytest
import strawberry
from graphql import GraphQLEnumType

from server.schema import schema
from server.schema.error_codes import ACCEPTED, code_for, field_errors
from server.services.accounts.errors import AccountErrorCode, PersonErrorCode
from server.services.errors import NotFoundError, UserInputError
from server.services.estimates.errors import GradeErrorCode

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _service_enums() -> list[type[Enum]]:
    found = []
    for path in sorted((ROOT / "server" / "services").rglob("errors.py")):
        module = importlib.import_module(
            ".".join(path.relative_to(ROOT).with_suffix("").parts))
        found += [v for v in vars(module).values()
                  if isinstance(v, type) and issubclass(v, Enum) and v.__module__ == module.__name__]
    return found


def test_every_service_enum_reaches_the_schema():
    shown = {codes for accepted in ACCEPTED.values() for codes in accepted}
    missing = [e.__name__ for e in _service_enums() if e not in shown]
    assert not missing, f"error-code Enums no mutation shows: {missing}"


def test_each_graphql_error_enum_is_its_service_enum():
    graphql_schema = schema._schema
    for codes in ACCEPTED:
        shown = graphql_schema.type_map.get(codes.__name__)
        assert isinstance(shown, GraphQLEnumType), codes.__name__
        assert list(shown.values) == [m.name for m in codes], codes.__name__
        assert all(m.name == m.value for m in codes), codes.__name__


def test_every_shared_code_has_its_value_in_each_enum_it_reaches():
    for target, accepted in ACCEPTED.items():
        for codes in accepted:
            missing = [m.name for m in codes if m.name not in target.__members__]
            assert not missing, f"{codes.__name__} -> {target.__name__}: {missing}"


def test_a_bare_string_code_is_refused():
    with pytest.raises(TypeError, match="error-code Enum"):
        UserInputError("Enter a name", "name", "REQUIRED")
    with pytest.raises(TypeError):
        UserInputError("Enter a name", "name")
    assert isinstance(NotFoundError("No such thing", None, AccountErrorCode.NOT_FOUND), UserInputError)


def test_a_code_is_shown_by_name_and_one_it_cannot_reach_fails_loudly():
    assert code_for(AccountErrorCode, PersonErrorCode.INVALID_EMAIL) is AccountErrorCode.INVALID_EMAIL
    with pytest.raises(TypeError, match="GradeErrorCode"):
        code_for(AccountErrorCode, GradeErrorCode.INVALID_GRADE)

    @strawberry.type
    class ProbeError:
        field: str | None
        message: str
        code: AccountErrorCode

    error = UserInputError("Enter an email address", "email", PersonErrorCode.REQUIRED)
    shown = field_errors(ProbeError, error)
    assert [(e.field, e.message, e.code) for e in shown] == [
        ("email", "Enter an email address", AccountErrorCode.REQUIRED)]


def test_no_code_is_mapped_or_spelt_by_hand():
    """Resolvers and the schema never turn strings into codes; services never spell one."""
    by_hand = re.compile(r"ErrorCode\((?:error|p|problem)\.code\)|\bcode=\"[A-Z_]{3,}\"|"
                         r"ErrorCode\.of\(|except ValueError:\n\s+code = ")
    offenders = []
    for folder in ("resolvers", "schema", "services", "commands"):
        for path in (ROOT / "server" / folder).rglob("*.py"):
            if by_hand.search(path.read_text()):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders
