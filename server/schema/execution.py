"""A shorter path through graphql-core for fields that only read an attribute.

graphql-core builds a resolve info, looks for arguments, calls Strawberry's default
resolver and completes the value for every field of every row: for a 1,200-row
targetAggregates answer (~14,000 fields) that is most of the request. A field without a
resolver, arguments or field extensions whose type is a scalar or an enum is read and
serialised here directly. Anything unusual (no such attribute, a null where the schema says
non-null, a value the scalar refuses, middleware) goes the usual way, so errors keep their
messages and paths.
"""

from __future__ import annotations

import weakref
from typing import Any, NamedTuple

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter


class PlainField(NamedTuple):
    attribute: str
    leaf: GraphQLScalarType | GraphQLEnumType
    nullable: bool


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


def _plain(field) -> PlainField | None:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is None or field.args or not getattr(field.resolve, "_is_default", False):
        return None
    if definition.base_resolver is not None or definition.extensions:
        return None
    nullable = not isinstance(field.type, GraphQLNonNull)
    leaf = field.type if nullable else field.type.of_type
    if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return None
    return PlainField(definition.python_name, leaf, nullable)


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        self._plain = {} if middleware and middleware.middlewares else plain_fields(self.schema)

    def execute_field(self, parent_type, source, field_details_list, path, *rest):
        plain = self._plain.get((parent_type.name, field_details_list[0].node.name.value))
        if plain is not None:
            value = getattr(source, plain.attribute, Undefined)
            if value is None and plain.nullable:
                return None
            if value is not None and value is not Undefined:
                try:
                    serialised = plain.leaf.serialize(value)
                except Exception:  # noqa: BLE001 - the usual path reports it
                    serialised = None
                if serialised is not None and serialised is not Undefined:
                    return serialised
        return super().execute_field(parent_type, source, field_details_list, path, *rest)
