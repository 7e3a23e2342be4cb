"""The periodic upkeep task inside `aspire serve` (ASPIRE_UPKEEP_INTERVAL_MINUTES, 0 = off).

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
