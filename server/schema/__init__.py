"""The GraphQL schema: root types merged from one module per domain."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from server.schema.execution import PlainFieldExecutor
from server.schema.extensions import schema_extensions
from server.schema.fields.accounts import AccountsMutation, AccountsQuery
from server.schema.fields.auth import AuthMutation
from server.schema.fields.batches import BatchMutation, BatchQuery
from server.schema.fields.organisations import OrganisationQuery
from server.schema.fields.pupils import PupilsMutation, PupilsQuery
from server.schema.fields.sharing import SharingMutation, SharingQuery
from server.schema.fields.target_settings import TargetSettingsMutation, TargetSettingsQuery
from server.schema.fields.targets import TargetMutation, TargetQuery
from server.schema.fields.tokens import TokenMutation, TokenQuery
from server.schema.targets import lean_resolvers

QUERIES: tuple[type, ...] = (
    OrganisationQuery, TokenQuery, TargetQuery, AccountsQuery, BatchQuery,
    TargetSettingsQuery, PupilsQuery, SharingQuery,
)
MUTATIONS: tuple[type, ...] = (
    AuthMutation, TokenMutation, TargetMutation, AccountsMutation, BatchMutation,
    TargetSettingsMutation, PupilsMutation, SharingMutation,
)

Query = merge_types("Query", QUERIES)
Mutation = merge_types("Mutation", MUTATIONS) if MUTATIONS else None

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    extensions=schema_extensions(),
    config=StrawberryConfig(disable_field_suggestions=True),
    execution_context_class=PlainFieldExecutor,
)
lean_resolvers(schema._schema)
