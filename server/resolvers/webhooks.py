"""Thin: who may register change notifications and subscribe; the rules are in services/webhooks."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from server.auth.tokens import account_for_token
from server.models.enums import KeyStage as StoredKeyStage
from server.permissions.checks import require_account
from server.permissions.webhooks import may_register_webhooks
from server.schema.enums import KeyStage
from server.schema.error_codes import field_errors
from server.schema.errors import Forbidden, NotFound
from server.schema.webhooks import (
    DeleteWebhookInput,
    DeleteWebhookPayload,
    RegisterWebhookInput,
    RegisterWebhookPayload,
    SharedTargetsChange,
    Webhook,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookError,
    WebhookSchool,
    YearGroupChange,
)
from server.services.errors import UserInputError
from server.services.webhooks import registry
from server.services.webhooks.sharing import schools_of, shared_year_groups
from server.services.webhooks.watch import watch
from server.settings import get_settings

SUBSCRIPTION_POLL_SECONDS = 5.0


def _key_stage(value) -> KeyStage:
    return KeyStage(StoredKeyStage(value).value)


def delivery_type(row) -> WebhookDelivery | None:
    if row is None:
        return None
    return WebhookDelivery(
        event_id=row.event_id, status=WebhookDeliveryStatus(row.status), attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at if row.status == "queued" else None,
        finished_at=row.finished_at, response_status=row.response_status, last_error=row.last_error,
    )


def webhook_type(webhook, last=None) -> Webhook:
    return Webhook(
        id=strawberry.ID(str(webhook.id)), school_id=strawberry.ID(str(webhook.school_id)),
        school_name=webhook.school.name, urn=webhook.school.urn,
        key_stage=_key_stage(webhook.key_stage), url=webhook.url,
        created_by=webhook.created_by.full_name if webhook.created_by else None,
        created_at=webhook.created_at, last_delivery=delivery_type(last),
    )


def _outside_user(context):
    account = require_account(context)
    if not may_register_webhooks(account):
        raise Forbidden(registry.NOT_ALLOWED + ".")
    return account


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


async def webhooks(context) -> list[Webhook]:
    account = _outside_user(context)
    rows = await registry.webhooks_of(account)
    last = await registry.last_deliveries([w.id for w in rows])
    return [webhook_type(w, last.get(w.id)) for w in rows]


async def webhook_schools(context) -> list[WebhookSchool]:
    account = _outside_user(context)
    return [
        WebhookSchool(school_id=strawberry.ID(str(s.id)), name=s.name, urn=s.urn,
                      key_stages=[KeyStage(k) for k in stages])
        for s, stages in await registry.schools_to_choose(account)
    ]


async def register_webhook(context, input: RegisterWebhookInput) -> RegisterWebhookPayload:
    account = _outside_user(context)
    key_stage = StoredKeyStage(input.key_stage.value) if input.key_stage else None
    try:
        webhook, secret = await registry.register(
            account, _number(input.school_id), key_stage, input.url, context.actor,
            get_settings().is_development,
        )
    except UserInputError as error:
        return RegisterWebhookPayload(webhook=None, secret=None, errors=field_errors(WebhookError, error))
    return RegisterWebhookPayload(webhook=webhook_type(webhook), secret=secret, errors=[])


async def delete_webhook(context, input: DeleteWebhookInput) -> DeleteWebhookPayload:
    account = _outside_user(context)
    number = _number(input.id)
    try:
        webhook = await registry.delete(account, -1 if number is None else number, context.actor)
    except UserInputError as error:
        return DeleteWebhookPayload(deleted_id=None, errors=field_errors(WebhookError, error))
    return DeleteWebhookPayload(deleted_id=strawberry.ID(str(webhook.id)), errors=[])


async def shared_targets_changed(
    context, school_id: strawberry.ID | None, key_stage: KeyStage | None
) -> AsyncGenerator[SharedTargetsChange, None]:
    account = _outside_user(context)
    organisation = account.organisation
    wanted = None
    stage = StoredKeyStage(key_stage.value) if key_stage else None
    if school_id is not None:
        wanted = _number(school_id)
        schools = await schools_of(organisation, [wanted]) if wanted is not None else []
        if not schools:
            raise NotFound(f"No such school among {organisation.name}'s schools.")
        stages = [stage.value] if stage else [ks.value for ks in StoredKeyStage]
        shared = await shared_year_groups(organisation, [(wanted, ks) for ks in stages])
        if not any(shared.values()):
            raise Forbidden(f"{schools[0].name} does not share these targets with "
                            f"{organisation.name}.")
    plain = getattr(context, "token", None)

    async def still_allowed():
        # Asked before every look: a revoked token or a deactivated account ends the stream.
        if plain is None:
            return organisation
        found = await account_for_token(plain)
        if found is None or not may_register_webhooks(found[0]):
            return None
        return found[0].organisation

    poll = get_settings().webhook_poll_seconds or SUBSCRIPTION_POLL_SECONDS
    async for event in watch(still_allowed, wanted, stage, poll):
        yield SharedTargetsChange(
            school_id=strawberry.ID(str(event["school_id"])), urn=event["urn"],
            key_stage=_key_stage(event["key_stage"]), occurred_at=event["occurred_at"],
            year_groups=[YearGroupChange(year_group=y, revision=r, changes=n)
                         for y, r, n in event["year_groups"]],
        )
