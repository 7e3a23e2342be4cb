"""The GraphQL schema: root types merged from one module per domain."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.tools import merge_types

from server.schema.error_log import log_errors
from server.schema.execution import PlainFieldExecutor, verify_fast_path
from server.schema.extensions import schema_extensions
from server.schema.fields.accounts import AccountsMutation, AccountsQuery
from server.schema.fields.auth import AuthMutation
from server.schema.fields.batches import BatchMutation, BatchQuery
from server.schema.fields.estimates import EstimatesMutation, EstimatesQuery
from server.schema.fields.organisations import OrganisationQuery
from server.schema.fields.pupils import PupilsMutation, PupilsQuery
from server.schema.fields.sharing import SharingMutation, SharingQuery
from server.schema.fields.target_settings import TargetSettingsMutation, TargetSettingsQuery
from server.schema.fields.targets import TargetMutation, TargetQuery
from server.schema.fields.tokens import TokenMutation, TokenQuery
from server.schema.fields.tracking import TrackingMutation, TrackingQuery
from server.schema.fields.webhooks import WebhookMutation, WebhookQuery, WebhookSubscription
from server.schema.targets import lean_resolvers
from server.settings import get_settings

QUERIES: tuple[type, ...] = (
    OrganisationQuery, TokenQuery, TargetQuery, AccountsQuery, BatchQuery,
    TargetSettingsQuery, PupilsQuery, TrackingQuery, SharingQuery, WebhookQuery, EstimatesQuery,
)
MUTATIONS: tuple[type, ...] = (
    AuthMutation, TokenMutation, TargetMutation, AccountsMutation, BatchMutation,
    TargetSettingsMutation, PupilsMutation, TrackingMutation, SharingMutation, WebhookMutation,
    EstimatesMutation,
)
SUBSCRIPTIONS: tuple[type, ...] = (WebhookSubscription,)

# graphql-core's own executor when ASPIRE_GRAPHQL_EXECUTOR=ordinary (the test suite runs the
# GraphQL tests that way too, so both paths answer the same).
FAST_EXECUTOR = get_settings().graphql_executor == "fast"

Query = merge_types("Query", QUERIES)
Mutation = merge_types("Mutation", MUTATIONS) if MUTATIONS else None
Subscription = merge_types("Subscription", SUBSCRIPTIONS)

class AspireSchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        log_errors(errors, execution_context)


schema = AspireSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=schema_extensions(),
    config=StrawberryConfig(disable_field_suggestions=True),
    execution_context_class=(
        PlainFieldExecutor if FAST_EXECUTOR else StrawberryGraphQLCoreExecutionContext
    ),
)
lean_resolvers(schema._schema)
if FAST_EXECUTOR:
    verify_fast_path(schema._schema, (
        ("TargetAggregate", "pupils"), ("TargetAggregate", "averageEstimatePoints"),
        ("Subject", "code"), ("School", "urn"),
    ))
