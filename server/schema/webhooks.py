"""Change notifications for outside tools (issue 15 item 3): webhooks and the subscription."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from server.schema.enums import KeyStage
from server.schema.error_codes import error_codes
from server.services.webhooks.errors import WebhookErrorCode


@strawberry.enum(description="Where a webhook delivery stands")
class WebhookDeliveryStatus(Enum):
    QUEUED = strawberry.enum_value("queued", description="Waiting to be sent, or to be retried")
    DELIVERED = strawberry.enum_value("delivered", description="The receiver answered 2xx")
    FAILED = strawberry.enum_value("failed", description="Gave up after the last attempt")
    STOPPED = strawberry.enum_value(
        "stopped", description="Not sent: sharing stopped, or its user's account left")


@strawberry.type(description="The newest delivery of a webhook")
class WebhookDelivery:
    event_id: str
    status: WebhookDeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = strawberry.field(description="When queued: next try")
    finished_at: datetime | None
    response_status: int | None = strawberry.field(description="The receiver's last HTTP status")
    last_error: str | None


@strawberry.type(description="An address told when a school's shared targets of a key stage change")
class Webhook:
    id: strawberry.ID
    school_id: strawberry.ID
    school_name: str
    urn: str | None
    key_stage: KeyStage
    url: str
    created_by: str | None
    created_at: datetime
    last_delivery: WebhookDelivery | None


@strawberry.type(description="A school of the organisation and the key stages it shares with it now")
class WebhookSchool:
    school_id: strawberry.ID
    name: str
    urn: str | None
    key_stages: list[KeyStage] = strawberry.field(
        description="Key stages with at least one year group shared with the organisation")


error_codes(WebhookErrorCode)


@strawberry.type
class WebhookError:
    field: str | None
    message: str
    code: WebhookErrorCode


@strawberry.input
class RegisterWebhookInput:
    school_id: strawberry.ID
    key_stage: KeyStage | None = None
    url: str = ""


@strawberry.type
class RegisterWebhookPayload:
    webhook: Webhook | None
    secret: str | None = strawberry.field(
        description="The signing secret: shown this once, keep it in the receiver")
    errors: list[WebhookError]


@strawberry.input
class DeleteWebhookInput:
    id: strawberry.ID


@strawberry.type
class DeleteWebhookPayload:
    deleted_id: strawberry.ID | None
    errors: list[WebhookError]


@strawberry.type(description="A year group whose shared targets changed")
class YearGroupChange:
    year_group: int
    revision: int = strawberry.field(description="Only grows: the year group's figures' revision")
    changes: int = strawberry.field(description="How far the revision moved since the last event")


@strawberry.type(description="A school's shared targets of a key stage changed: re-read "
                 "targetAggregates for it. Ids and counts only.")
class SharedTargetsChange:
    school_id: strawberry.ID
    urn: str | None
    key_stage: KeyStage
    year_groups: list[YearGroupChange]
    occurred_at: datetime
