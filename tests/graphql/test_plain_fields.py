"""The short path for attribute fields answers exactly as graphql-core's usual path."""

import datetime as dt
from enum import Enum

import strawberry

from server.schema.execution import PlainFieldExecutor, plain_fields


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
    from server.schema import schema

    assert schema.execution_context_class is PlainFieldExecutor
    assert ("TargetAggregate", "pupils") in plain_fields(schema._schema)
