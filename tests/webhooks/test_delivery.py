"""Webhook deliveries to a real receiver on loopback (issue 15 item 3)."""

from __future__ import annotations

import asyncio

from server.models import SharedTargetsRevision, WebhookDelivery
from server.services.webhooks.delivery import DeliveryConfig, deliver_due
from server.services.webhooks.queue import enqueue_changes
from tests.webhooks.world import hook, la_world, set_targets

FAST = DeliveryConfig(max_attempts=3, retry_seconds=0.0, timeout_seconds=3.0, lease_seconds=30,
                      development=True)


async def test_a_target_change_is_delivered_signed_with_ids_and_counts_only(receiver):
    la, _chain, school, _quiet, officer = await la_world()
    webhook, secret = await hook(officer, school, receiver.url)
    receiver.secret = secret
    assert await enqueue_changes() == 0  # nothing changed since it was made
    await set_targets(school, n=3)
    assert await SharedTargetsRevision.filter(school_id=school.id, year_group=10).count() == 1
    assert await enqueue_changes() == 1
    assert await enqueue_changes() == 0  # told once
    result = await deliver_due(FAST)
    assert result.counts["delivered"] == 1
    [got] = receiver.received
    assert got.signed and got.headers["aspire-event"] == "sharedTargets.changed"
    body = got.json
    assert body["school"] == {"id": str(school.id), "urn": school.urn}
    assert body["keyStage"] == "KS4" and body["webhookId"] == str(webhook.id)
    [year] = body["yearGroups"]
    revision = (await SharedTargetsRevision.get(school_id=school.id, year_group=10)).revision
    assert year == {"yearGroup": 10, "revision": revision, "changes": revision} and revision >= 3
    assert set(body) == {"event", "eventId", "occurredAt", "webhookId", "organisationId",
                         "school", "keyStage", "yearGroups"}
    row = await WebhookDelivery.get(webhook=webhook)
    assert row.status == "delivered" and row.attempts == 1 and row.response_status == 200


async def test_a_500_is_retried_and_the_last_failure_gives_up(receiver):
    _la, _chain, school, _quiet, officer = await la_world()
    _webhook, secret = await hook(officer, school, receiver.url)
    receiver.secret = secret
    receiver.answers = [500, 500]
    await set_targets(school, n=1)
    await enqueue_changes()
    assert (await deliver_due(FAST)).counts["retrying"] == 1
    row = await WebhookDelivery.get()
    assert row.status == "queued" and row.attempts == 1 and row.response_status == 500
    assert "HTTP 500" in row.last_error
    await deliver_due(FAST)
    assert (await deliver_due(FAST)).counts["delivered"] == 1
    assert len(receiver.received) == 3 and all(r.signed for r in receiver.received)
    assert len({r.headers["aspire-delivery"] for r in receiver.received}) == 1  # the same event

    receiver.answers = [500, 500, 500]
    await set_targets(school, n=1)
    await enqueue_changes()
    for _ in range(3):
        await deliver_due(FAST)
    last = await WebhookDelivery.filter().order_by("-id").first()
    assert last.status == "failed" and last.attempts == 3 and "gave up" in last.last_error


async def test_backoff_doubles():
    config = DeliveryConfig(retry_seconds=30)
    assert [config.delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert config.delay(30).total_seconds() == 6 * 3600


async def test_a_claimed_row_is_taken_once(receiver):
    _la, _chain, school, _quiet, officer = await la_world()
    _webhook, secret = await hook(officer, school, receiver.url)
    receiver.secret = secret
    await set_targets(school, n=1)
    await enqueue_changes()
    results = await asyncio.gather(*(deliver_due(FAST, holder=f"w{i}") for i in range(5)))
    assert sum(r.counts["delivered"] for r in results) == 1
    assert len(receiver.received) == 1


async def test_upkeep_removes_finished_deliveries_after_30_days_and_never_queued_ones(receiver):
    from datetime import UTC, datetime, timedelta

    from server.services.audit import Actor
    from server.services.upkeep import run_upkeep

    _la, _chain, school, _quiet, officer = await la_world()
    webhook, receiver.secret = await hook(officer, school, receiver.url)
    old = datetime.now(UTC) - timedelta(days=31)
    for n, status in enumerate(("delivered", "failed", "queued")):
        await WebhookDelivery.create(webhook=webhook, event_id=f"e{n}", payload={}, status=status,
                                     next_attempt_at=old, created_at=old,
                                     finished_at=None if status == "queued" else old)
    await WebhookDelivery.create(webhook=webhook, event_id="recent", payload={}, status="delivered",
                                 next_attempt_at=old, created_at=old, finished_at=datetime.now(UTC))
    result = await run_upkeep(Actor.command_line(), timedelta(minutes=30))
    assert result.removed["old webhook deliveries"] == 2
    assert sorted(await WebhookDelivery.all().values_list("event_id", flat=True)) == ["e2", "recent"]
