"""A shorter path through graphql-core for fields that only read an attribute.

graphql-core builds a resolve info, looks for arguments, calls Strawberry's default
resolver and completes the value for every field of every row: for a 1,200-row
targetAggregates answer (~14,000 fields) that is most of the request. A field without a
resolver, arguments or field extensions whose type is a scalar or an enum is read and
serialised here directly; one whose type is an object (without is_type_of) and whose
selection is only such fields is read and its selection run without the resolve info; a
field given a pure function (`pure_resolver`) is called with its arguments worked out once
per operation. Anything unusual (no such attribute, a null where the schema says
non-null, a value the scalar refuses, middleware) goes the usual way, so errors keep their
messages and paths.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
)
from graphql.execution.values import get_argument_values
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter


class PlainField(NamedTuple):
    attribute: str | None  # None: computed by `pure`
    leaf: GraphQLScalarType | GraphQLEnumType | None  # None: an object type
    nullable: bool
    object_type: GraphQLObjectType | None = None
    pure: Callable[..., Any] | None = None
    field: GraphQLField | None = None


def pure_resolver(field: GraphQLField, function: Callable[..., Any]) -> None:
    """Resolve a scalar or enum field by `function(source, **arguments)`: no info, no side
    effects, so the executor may call it directly and again the usual way if it fails."""

    def resolve(source: Any, _info: Any, **arguments: Any) -> Any:
        return function(source, **arguments)

    resolve.pure = function  # type: ignore[attr-defined]
    field.resolve = resolve


_PLAIN: weakref.WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], PlainField]] = (
    weakref.WeakKeyDictionary()
)


def plain_fields(schema: GraphQLSchema) -> dict[tuple[str, str], PlainField]:
    """(type name, field name) of every field that Strawberry resolves by getattr."""
    found = _PLAIN.get(schema)
    if found is None:
        found = {}
        for type_ in schema.type_map.values():
            if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
                continue
            for name, field in type_.fields.items():
                plain = _plain(field)
                if plain is not None:
                    found[(type_.name, name)] = plain
        _PLAIN[schema] = found
    return found


def _plain(field: GraphQLField) -> PlainField | None:
    pure = getattr(field.resolve, "pure", None)
    if pure is not None:
        nullable = not isinstance(field.type, GraphQLNonNull)
        named = field.type if nullable else field.type.of_type
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            return PlainField(None, named, nullable, pure=pure, field=field)
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is None or field.args or not getattr(field.resolve, "_is_default", False):
        return None
    if definition.base_resolver is not None or definition.extensions:
        return None
    nullable = not isinstance(field.type, GraphQLNonNull)
    named = field.type if nullable else field.type.of_type
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return PlainField(definition.python_name, named, nullable)
    if isinstance(named, GraphQLObjectType) and named.is_type_of is None:
        return PlainField(definition.python_name, None, nullable, named)
    return None


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        self._plain = {} if middleware and middleware.middlewares else plain_fields(self.schema)
        self._plain_selections: dict[int, tuple[Any, bool]] = {}
        self._arguments: dict[int, tuple[Any, dict | None]] = {}

    def execute_field(self, parent_type, source, field_details_list, path, *rest):
        plain = self._plain.get((parent_type.name, field_details_list[0].node.name.value))
        if plain is not None:
            if plain.pure is not None:
                value = self._pure(plain, source, field_details_list)
            else:
                value = getattr(source, plain.attribute, Undefined)
            if value is None and plain.nullable:
                return None
            if value is not None and value is not Undefined:
                if plain.object_type is not None:
                    if self._only_plain_leaves(plain.object_type, field_details_list):
                        completed = self._object(plain.object_type, field_details_list, path,
                                                 value, rest)
                        if completed is not Undefined:
                            return completed
                else:
                    try:
                        serialised = plain.leaf.serialize(value)
                    except Exception:  # noqa: BLE001 - the usual path reports it
                        serialised = None
                    if serialised is not None and serialised is not Undefined:
                        return serialised
        return super().execute_field(parent_type, source, field_details_list, path, *rest)

    def _pure(self, plain: PlainField, source: Any, field_details_list) -> Any:
        arguments = self._arguments.get(id(field_details_list))
        if arguments is None or arguments[0] is not field_details_list:
            first = field_details_list[0]
            try:
                found = get_argument_values(plain.field, first.node, self.variable_values,
                                            first.fragment_variable_values,
                                            self.hide_suggestions)
            except Exception:  # noqa: BLE001 - the usual path reports it
                found = None
            # Kept with the list so that its id cannot be reused meanwhile.
            arguments = self._arguments[id(field_details_list)] = (field_details_list, found)
        if arguments[1] is None:
            return Undefined
        try:
            return plain.pure(source, **arguments[1])
        except Exception:  # noqa: BLE001 - the usual path reports it
            return Undefined

    def _object(self, object_type, field_details_list, path, value, rest):
        try:
            return self.collect_and_execute_subfields(
                object_type, field_details_list, path, value, *rest
            )
        except Exception:  # noqa: BLE001 - a non-null leaf was null: the usual path reports it
            return Undefined

    def _only_plain_leaves(self, object_type: GraphQLObjectType, field_details_list) -> bool:
        """The selection on the object is only plain scalar or enum fields, nothing deferred:
        running it has no side effects, so it may be run again the usual way."""
        cached = self._plain_selections.get(id(field_details_list))
        if cached is None or cached[0] is not field_details_list:
            grouped, deferred, _ = self.collect_subfields(object_type, field_details_list)
            plain = not deferred and all(
                (found := self._plain.get((object_type.name, details[0].node.name.value)))
                is not None and found.leaf is not None
                for details in grouped.values()
            )
            # The list is kept with the answer so that its id cannot be reused meanwhile.
            cached = self._plain_selections[id(field_details_list)] = (field_details_list, plain)
        return cached[1]


@strawberry.type
class ProbeRow:
    value: int


@strawberry.type
class ProbeQuery:
    @strawberry.field
    def rows(self) -> list[ProbeRow]:
        return [ProbeRow(value=1), ProbeRow(value=2)]


class FastPathUnavailable(RuntimeError):
    """The short path would silently not run (a Strawberry or graphql-core upgrade changed
    what it relies on): refuse to start rather than serve every field the slow way."""


def verify_fast_path(schema: GraphQLSchema, expected: tuple[tuple[str, str], ...]) -> None:
    """Run a probe query through the executor and check the project's own hot fields are
    still found, so that an upgrade that disables the short path fails at start-up."""
    slow: list[str] = []

    class UsualPath(StrawberryGraphQLCoreExecutionContext):
        def execute_field(self, parent_type, source, field_details_list, path, *rest):
            if parent_type.name == "ProbeRow":
                slow.append(field_details_list[0].node.name.value)
            return super().execute_field(parent_type, source, field_details_list, path, *rest)

    class Probe(PlainFieldExecutor, UsualPath):  # the short path's fallback is UsualPath
        pass

    result = strawberry.Schema(ProbeQuery, execution_context_class=Probe).execute_sync(
        "{ rows { value } }"
    )
    problems = []
    if result.errors or result.data != {"rows": [{"value": 1}, {"value": 2}]}:
        problems.append(f"the probe query answered {result.data!r} {result.errors!r}")
    if slow:
        problems.append("plain fields are not read directly")
    found = plain_fields(schema)
    missing = [f"{kind}.{name}" for kind, name in expected if (kind, name) not in found]
    if missing:
        problems.append("these fields are no longer plain: " + ", ".join(missing))
    if problems:
        raise FastPathUnavailable(
            "The GraphQL short path (server/schema/execution.py) cannot run: "
            + "; ".join(problems)
            + ". Check it against the installed Strawberry and graphql-core, or set "
            "ASPIRE_GRAPHQL_EXECUTOR=ordinary to serve with graphql-core's own executor."
        )
