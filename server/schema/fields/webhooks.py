"""Root fields of change notifications for outside tools (issue 15 item 3)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from server.resolvers import webhooks as resolve
from server.schema.enums import KeyStage
from server.schema.webhooks import (
    DeleteWebhookInput,
    DeleteWebhookPayload,
    RegisterWebhookInput,
    RegisterWebhookPayload,
    SharedTargetsChange,
    Webhook,
    WebhookSchool,
)

_WHO = "Users of a local authority or academy chain (anyone else: FORBIDDEN)."


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="The organisation's webhooks, each with its newest delivery. " + _WHO)
    async def webhooks(self, info: Info) -> list[Webhook]:
        return await resolve.webhooks(info.context)

    @strawberry.field(description="The organisation's schools and the key stages each shares "
                      "with it now (a webhook needs one). " + _WHO)
    async def webhook_schools(self, info: Info) -> list[WebhookSchool]:
        return await resolve.webhook_schools(info.context)


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(description="Tell an address when a school's shared targets of a key "
                         "stage change. The answer carries the signing secret, once. " + _WHO)
    async def register_webhook(self, info: Info, input: RegisterWebhookInput) -> RegisterWebhookPayload:
        return await resolve.register_webhook(info.context, input)

    @strawberry.mutation(description="Delete one of the organisation's webhooks; its queued "
                         "deliveries are not sent. " + _WHO)
    async def delete_webhook(self, info: Info, input: DeleteWebhookInput) -> DeleteWebhookPayload:
        return await resolve.delete_webhook(info.context, input)


@strawberry.type
class WebhookSubscription:
    @strawberry.subscription(description="Over WebSocket (graphql-transport-ws) at /graphql, with "
                             "the API token in connection_init's payload as authorization: "
                             "'Bearer <token>'. One event per school and key stage whose shared "
                             "targets changed (all the organisation's schools unless schoolId). "
                             + _WHO)
    async def shared_targets_changed(
        self, info: Info, school_id: strawberry.ID | None = None, key_stage: KeyStage | None = None
    ) -> AsyncGenerator[SharedTargetsChange, None]:
        async for event in resolve.shared_targets_changed(info.context, school_id, key_stage):
            yield event
