"""The short path for attribute fields answers exactly as graphql-core's usual path."""

import datetime as dt
from enum import Enum

import pytest
import strawberry

from server.schema.execution import (
    FastPathUnavailable,
    PlainFieldExecutor,
    plain_fields,
    verify_fast_path,
)


@strawberry.enum
class Colour(Enum):
    RED = "red"


@strawberry.type
class Owner:
    name: str
    nickname: str | None


@strawberry.type
class Thing:
    owner: Owner
    name: str
    size: int | None
    colour: Colour
    when: dt.datetime
    missing: str  # the source may lie: None where the schema says non-null

    @strawberry.field
    def loud(self) -> str:
        return self.name.upper()


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing]:
        at = dt.datetime(2026, 11, 29, 20, 30, tzinfo=dt.UTC)
        return [
            Thing(owner=Owner(name="o", nickname=None), name="a", size=1, colour=Colour.RED,
                  when=at, missing="x"),
            Thing(owner=Owner(name=None, nickname="n"), name="b", size=None, colour=Colour.RED,
                  when=at, missing=None),
        ]


QUERY = "{ things { name size colour when loud n: name missing } }"
OWNERS = "{ things { owner { name nickname } o: owner { nickname } } }"


def _both(query: str):
    usual = strawberry.Schema(Query).execute_sync(query)
    short = strawberry.Schema(Query, execution_context_class=PlainFieldExecutor).execute_sync(query)
    return usual, short


def test_same_data_and_errors_as_the_usual_path():
    usual, short = _both(QUERY)
    assert short.data == usual.data
    assert [(e.message, e.path) for e in short.errors] == [(e.message, e.path) for e in usual.errors]
    assert short.errors[0].path == ["things", 1, "missing"]


def test_same_data_and_errors_for_plain_objects():
    usual, short = _both(OWNERS)
    assert short.data == usual.data
    assert [(e.message, e.path) for e in short.errors] == [(e.message, e.path) for e in usual.errors]
    assert [e.path for e in short.errors] == [["things", 1, "owner", "name"]]


def test_only_attribute_fields_of_scalars_and_enums_take_the_short_path():
    schema = strawberry.Schema(Query, execution_context_class=PlainFieldExecutor)
    fields = {name for kind, name in plain_fields(schema._schema) if kind == "Thing"}
    assert fields == {"owner", "name", "size", "colour", "when", "missing"}  # not `loud`
    assert not any(kind == "Query" for kind, _ in plain_fields(schema._schema))


def test_the_project_schema_uses_the_short_path():
    from server.schema import FAST_EXECUTOR, schema

    if not FAST_EXECUTOR:
        pytest.skip("this run uses graphql-core's own executor (ASPIRE_GRAPHQL_EXECUTOR)")
    assert schema.execution_context_class is PlainFieldExecutor
    assert ("TargetAggregate", "pupils") in plain_fields(schema._schema)
    assert plain_fields(schema._schema)[("TargetAggregate", "averageEstimatePoints")].pure


@strawberry.type
class Scaled:
    base: float

    @strawberry.field
    def times(self, factor: float = 1.0) -> float | None:
        return self.base * factor


@strawberry.type
class ScaledQuery:
    @strawberry.field
    def rows(self) -> list[Scaled]:
        return [Scaled(base=1.5), Scaled(base=2.0), Scaled(base=0.0)]


def _scaled_schemas():
    from server.schema.execution import pure_resolver

    def divide(row, factor=1.0):
        return factor / row.base  # 0.0 raises: the error must be the usual one

    schemas = []
    for executor in (None, PlainFieldExecutor):
        schema = strawberry.Schema(ScaledQuery, execution_context_class=executor)
        pure_resolver(schema._schema.type_map["Scaled"].fields["times"], divide)
        schemas.append(schema)
    return schemas


def test_pure_resolvers_answer_as_the_usual_path_with_arguments_and_errors():
    query = "query($f: Float) { rows { a: times b: times(factor: 3) c: times(factor: $f) } }"
    usual, short = (s.execute_sync(query, variable_values={"f": 6.0}) for s in _scaled_schemas())
    assert short.data == usual.data
    assert short.data["rows"][0] == {"a": 1 / 1.5, "b": 2.0, "c": 4.0}
    assert [(e.message, e.path) for e in short.errors] == [(e.message, e.path) for e in usual.errors]
    assert {tuple(e.path) for e in short.errors} == {("rows", 2, k) for k in "abc"}


def test_start_up_refuses_a_short_path_that_no_longer_runs(monkeypatch):
    from server.schema import schema

    verify_fast_path(schema._schema, (("TargetAggregate", "pupils"),))
    with pytest.raises(FastPathUnavailable, match="no longer plain: TargetAggregate.gone"):
        verify_fast_path(schema._schema, (("TargetAggregate", "gone"),))

    def always_the_usual_way(self, parent_type, source, field_details_list, path, *rest):
        return super(PlainFieldExecutor, self).execute_field(
            parent_type, source, field_details_list, path, *rest
        )

    # What an upgrade that renamed the hook graphql-core calls would amount to.
    monkeypatch.setattr(PlainFieldExecutor, "execute_field", always_the_usual_way)
    with pytest.raises(FastPathUnavailable, match="not read directly"):
        verify_fast_path(schema._schema, ())
