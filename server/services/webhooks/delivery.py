"""Sending queued deliveries: claim, check sharing again, sign, POST, retry or give up.

A worker claims each due row with one conditional UPDATE (still queued, due, and not
claimed or its lease run out), decided by the UPDATE's own row count, as upkeep claims its
job. The lease lets a row claimed by a worker that was killed be sent by another once it
runs out. Sharing is checked again just before sending: a school that stopped sharing, or
a webhook whose account has left, stops its deliveries. A 2xx answer delivers; anything
else (another status, a time-out, a refused connection) is retried after
`retry * 2 ** (attempt - 1)` seconds, at most MAX_DELAY apart, until the last attempt fails.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import orjson
from tortoise.expressions import F, Q

from server.faultpoints import pause_point
from server.models import WebhookDelivery
from server.models.enums import AccountStatus
from server.services.upkeep import holder_name
from server.services.webhooks import signing
from server.services.webhooks.addresses import resolves_outside
from server.services.webhooks.registry import secret_of
from server.services.webhooks.sharing import shared_year_groups
from server.settings import Settings, get_settings

logger = logging.getLogger("aspire.webhooks")

QUEUED, DELIVERED, FAILED, STOPPED = "queued", "delivered", "failed", "stopped"
MAX_DELAY = timedelta(hours=6)
BATCH = 20
MAX_BATCHES = 10  # a pass sends at most 200; the next poll sends the rest
USER_AGENT = "Aspire-Webhooks/1"


@dataclass(frozen=True)
class DeliveryConfig:
    max_attempts: int = 8
    retry_seconds: float = 30.0
    timeout_seconds: float = 5.0
    lease_seconds: float = 60.0
    development: bool = False

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> DeliveryConfig:
        s = settings or get_settings()
        return cls(max_attempts=s.webhook_max_attempts, retry_seconds=s.webhook_retry_seconds,
                   timeout_seconds=s.webhook_timeout_seconds, lease_seconds=s.webhook_lease_seconds,
                   development=s.is_development)

    def delay(self, attempts: int) -> timedelta:
        return min(timedelta(seconds=self.retry_seconds * 2 ** max(0, attempts - 1)), MAX_DELAY)


@dataclass
class DeliveryResult:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        (DELIVERED, "retrying", FAILED, STOPPED), 0))

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1


def _free(now: datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)


async def claim_due(holder: str, now: datetime, config: DeliveryConfig, limit: int = BATCH) -> list[int]:
    """Ids this worker now holds: each taken by its own conditional UPDATE."""
    candidates = await WebhookDelivery.filter(
        Q(status=QUEUED) & Q(next_attempt_at__lte=now) & _free(now)
    ).order_by("next_attempt_at", "id").limit(limit).values_list("id", flat=True)
    claimed = []
    for delivery_id in candidates:
        won = await WebhookDelivery.filter(Q(id=delivery_id) & Q(status=QUEUED) & _free(now)).update(
            claimed_by=holder, claimed_until=now + timedelta(seconds=config.lease_seconds),
            attempts=F("attempts") + 1,
        )
        if won == 1:
            claimed.append(delivery_id)
    return claimed


async def _still_shared(delivery: WebhookDelivery) -> str | None:
    """None when the delivery may go, else why it stops."""
    webhook = delivery.webhook
    account = webhook.created_by
    if account is None or account.status != AccountStatus.ACTIVE or (
        account.organisation_id != webhook.organisation_id
    ):
        return "the user who registered it no longer has an active account"
    pair = (webhook.school_id, webhook.key_stage.value)
    if not (await shared_year_groups(webhook.organisation, [pair]))[pair]:
        return "the school no longer shares these targets"
    return None


async def _finish(delivery: WebhookDelivery, holder: str, **values) -> None:
    await WebhookDelivery.filter(id=delivery.id, claimed_by=holder).update(
        claimed_by=None, claimed_until=None, **values)


async def _post(client: httpx.AsyncClient, delivery: WebhookDelivery) -> httpx.Response:
    body = orjson.dumps(delivery.payload)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.EVENT_HEADER: signing.EVENT,
        signing.DELIVERY_HEADER: delivery.event_id,
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.signature(secret_of(delivery.webhook), timestamp, body),
    }
    return await client.post(delivery.webhook.url, content=body, headers=headers)


async def send_one(client: httpx.AsyncClient, delivery_id: int, holder: str,
                   config: DeliveryConfig) -> str:
    delivery = await WebhookDelivery.get_or_none(id=delivery_id, claimed_by=holder).prefetch_related(
        "webhook__organisation", "webhook__created_by")
    if delivery is None:  # the webhook was deleted, or the lease ran out and another took it
        return STOPPED
    now = datetime.now(UTC)
    stop = await _still_shared(delivery)
    if stop is not None:
        await _finish(delivery, holder, status=STOPPED, finished_at=now, last_error=stop)
        logger.info("webhook delivery %s stopped: %s", delivery.id, stop)
        return STOPPED
    await pause_point("webhook.deliver", delivery.id)
    error = await resolves_outside(delivery.webhook.url, config.development)
    status_code = None
    if error is None:
        try:
            response = await _post(client, delivery)
            status_code = response.status_code
            if 200 <= status_code < 300:
                await _finish(delivery, holder, status=DELIVERED, finished_at=datetime.now(UTC),
                              response_status=status_code, last_error=None)
                return DELIVERED
            error = f"the receiver answered HTTP {status_code}"
        except httpx.TimeoutException:
            error = f"no answer within {config.timeout_seconds:g} s"
        except httpx.HTTPError as exc:
            error = f"could not connect ({type(exc).__name__})"
    now = datetime.now(UTC)
    if delivery.attempts >= config.max_attempts:
        await _finish(delivery, holder, status=FAILED, finished_at=now, response_status=status_code,
                      last_error=f"gave up after {delivery.attempts} attempts: {error}"[:300])
        logger.warning("webhook delivery %s gave up: %s", delivery.id, error)
        return FAILED
    await _finish(delivery, holder, next_attempt_at=now + config.delay(delivery.attempts),
                  response_status=status_code, last_error=error[:300])
    return "retrying"


async def deliver_due(config: DeliveryConfig | None = None, holder: str | None = None,
                      now: datetime | None = None) -> DeliveryResult:
    """Send every delivery that is due (in batches), once each."""
    config = config or DeliveryConfig.from_settings()
    holder = holder or holder_name()
    result = DeliveryResult()
    timeout = httpx.Timeout(config.timeout_seconds, connect=min(3.0, config.timeout_seconds))
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_BATCHES):
            claimed = await claim_due(holder, now or datetime.now(UTC), config)
            for delivery_id in claimed:
                result.add(await send_one(client, delivery_id, holder, config))
            if len(claimed) < BATCH:
                break
    return result
