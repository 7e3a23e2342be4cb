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


async def periodic_upkeep(settings: Settings, poll_seconds: float = 60.0,
                          interval: timedelta | None = None) -> None:
    interval = interval or timedelta(minutes=settings.upkeep_interval_minutes)
    idle = timedelta(minutes=settings.session_idle_minutes)
    # Workers started together do not all poll at the same instant.
    await asyncio.sleep(random.uniform(0, min(poll_seconds, 5.0)))  # noqa: S311 (not a secret)
    while True:
        try:
            await run_upkeep(Actor.system(), idle, every=interval)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database may be away: try again at the next poll
            logger.warning("upkeep could not run; trying again in %.0f s", poll_seconds, exc_info=True)
        await asyncio.sleep(poll_seconds)


@contextlib.asynccontextmanager
async def upkeep_task(settings: Settings):
    """Runs the periodic task for the lifetime of the app when the setting asks for it."""
    if settings.upkeep_interval_minutes <= 0:
        yield
        return
    task = asyncio.create_task(periodic_upkeep(settings))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def periodic_webhooks(settings: Settings) -> None:
    """Every ASPIRE_WEBHOOK_POLL_SECONDS: queue what changed and send what is due. Each
    delivery is claimed by one worker, so several workers or servers share the queue."""
    from server.services.webhooks.delivery import DeliveryConfig
    from server.services.webhooks.run import run_webhooks

    poll = settings.webhook_poll_seconds
    config = DeliveryConfig.from_settings(settings)
    await asyncio.sleep(random.uniform(0, min(poll, 1.0)))  # noqa: S311 (not a secret)
    while True:
        try:
            await run_webhooks(config)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database may be away: try again at the next poll
            logger.warning("webhooks could not run; trying again in %.1f s", poll, exc_info=True)
        await asyncio.sleep(poll)


@contextlib.asynccontextmanager
async def webhook_task(settings: Settings):
    """The notification worker for the lifetime of the app (ASPIRE_WEBHOOK_POLL_SECONDS=0: none)."""
    if settings.webhook_poll_seconds <= 0:
        yield
        return
    task = asyncio.create_task(periodic_webhooks(settings))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
