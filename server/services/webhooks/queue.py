"""From revisions to queued deliveries.

`enqueue_changes` compares each webhook's `seen` revisions with the current ones. A change
of a year group that shares with the webhook's organisation becomes one queued delivery,
created in the same transaction as the conditional UPDATE that moves the webhook's mark
(`seen_version` still what was read): of several workers, only one enqueues each change,
and a crash leaves either both or neither. Changes of year groups that do not share are
passed over (marked seen), so turning sharing on later does not tell of them.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from server.models import Webhook, WebhookDelivery
from server.services.webhooks import signing
from server.services.webhooks.sharing import changed_year_groups, revisions, shared_year_groups


def payload(webhook: Webhook, changes: dict[int, int], revision: dict[str, int], now: datetime,
            event_id: str) -> dict:
    """What a delivery carries: ids and counts, never a pupil (nor a count of targets, which
    for a small group would say more than the suppressed aggregates do).

    Per year group: `revision`, which only grows, and `changes`, how far it moved since the
    last notice (one save of several targets may move it once or several times).
    """
    return {
        "event": signing.EVENT,
        "eventId": event_id,
        "occurredAt": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "webhookId": str(webhook.id),
        "organisationId": str(webhook.organisation_id),
        "school": {"id": str(webhook.school_id), "urn": webhook.school.urn},
        "keyStage": webhook.key_stage.value,
        "yearGroups": [{"yearGroup": y, "revision": revision[str(y)], "changes": n}
                       for y, n in sorted(changes.items())],
    }


async def enqueue_changes(now: datetime | None = None) -> int:
    """Queue a delivery for every webhook whose shared year groups changed; how many."""
    now = now or datetime.now(UTC)
    webhooks = await Webhook.all().prefetch_related("school", "organisation")
    if not webhooks:
        return 0
    current = await revisions({(w.school_id, w.key_stage.value) for w in webhooks})
    by_organisation: dict[int, list[Webhook]] = defaultdict(list)
    for webhook in webhooks:
        by_organisation[webhook.organisation_id].append(webhook)
    queued = 0
    for group in by_organisation.values():
        organisation = group[0].organisation
        shared = await shared_year_groups(organisation, {(w.school_id, w.key_stage.value) for w in group})
        for webhook in group:
            pair = (webhook.school_id, webhook.key_stage.value)
            changes = changed_year_groups(webhook.seen or {}, current[pair])
            if not changes:
                continue
            told = {y: n for y, n in changes.items() if y in shared[pair]}
            queued += await _move_mark(webhook, {**(webhook.seen or {}), **current[pair]}, told, now)

    return queued


async def _move_mark(webhook: Webhook, seen: dict[str, int], told: dict[int, int],
                     now: datetime) -> int:
    async with in_transaction() as connection:
        won = await Webhook.filter(id=webhook.id, seen_version=webhook.seen_version).using_db(
            connection).update(seen=seen, seen_version=F("seen_version") + 1)
        if won != 1 or not told:
            return 0
        event_id = str(uuid.uuid4())
        await WebhookDelivery.create(
            webhook_id=webhook.id, event_id=event_id,
            payload=payload(webhook, told, seen, now, event_id),
            next_attempt_at=now, created_at=now, using_db=connection,
        )
    return 1
