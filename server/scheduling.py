"""The periodic tasks inside `aspire serve`: upkeep (ASPIRE_UPKEEP_INTERVAL_MINUTES, 0 = off)
and the change-notification worker (ASPIRE_WEBHOOK_POLL_SECONDS, 0 = off).

Every worker polls; the claim row lets one of them run upkeep when it is due, so several
workers (or servers on one database) run it once per interval between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import timedelta

from server.services.audit import Actor
from server.services.upkeep import run_upkeep
from server.settings import Settings

logger = logging.getLogger("aspire.upkeep")


async def _every(poll_seconds: float, what: str, step) -> None:
    """Run `step()` every poll, for ever; a failure (the database away) waits for the next."""
    # Workers started together do not all poll at the same instant.
    await asyncio.sleep(random.uniform(0, min(poll_seconds, 5.0)))  # noqa: S311 (not a secret)
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("%s could not run; trying again in %.1f s", what, poll_seconds,
                           exc_info=True)
        await asyncio.sleep(poll_seconds)


@contextlib.asynccontextmanager
async def _running(worker, enabled: bool):
    """`worker()` as a task for the lifetime of the app, when `enabled`."""
    if not enabled:
        yield
        return
    task = asyncio.create_task(worker())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def periodic_upkeep(settings: Settings, poll_seconds: float = 60.0,
                          interval: timedelta | None = None) -> None:
    interval = interval or timedelta(minutes=settings.upkeep_interval_minutes)
    idle = timedelta(minutes=settings.session_idle_minutes)
    await _every(poll_seconds, "upkeep", lambda: run_upkeep(Actor.system(), idle, every=interval))


def upkeep_task(settings: Settings):
    """Runs the periodic task for the lifetime of the app when the setting asks for it."""
    return _running(lambda: periodic_upkeep(settings), settings.upkeep_interval_minutes > 0)


async def periodic_webhooks(settings: Settings) -> None:
    """Every ASPIRE_WEBHOOK_POLL_SECONDS: queue what changed and send what is due. Each
    delivery is claimed by one worker, so several workers or servers share the queue."""
    from server.services.webhooks.delivery import DeliveryConfig
    from server.services.webhooks.run import run_webhooks

    config = DeliveryConfig.from_settings(settings)
    await _every(settings.webhook_poll_seconds, "webhooks", lambda: run_webhooks(config))


def webhook_task(settings: Settings):
    """The notification worker for the lifetime of the app (ASPIRE_WEBHOOK_POLL_SECONDS=0: none)."""
    return _running(lambda: periodic_webhooks(settings), settings.webhook_poll_seconds > 0)
