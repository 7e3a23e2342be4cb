"""One pass of the notification worker: `aspire serve`'s task and `aspire maintain` run it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from server.services.webhooks.delivery import DeliveryConfig, DeliveryResult, deliver_due
from server.services.webhooks.queue import enqueue_changes

logger = logging.getLogger("aspire.webhooks")


async def run_webhooks(config: DeliveryConfig | None = None) -> tuple[int, DeliveryResult]:
    """Queue what changed, then send what is due: (deliveries queued, what sending did)."""
    queued = await enqueue_changes(datetime.now(UTC))
    result = await deliver_due(config)
    if queued or any(result.counts.values()):
        logger.info("webhooks: %d queued, %s", queued, result.counts)
    return queued, result
