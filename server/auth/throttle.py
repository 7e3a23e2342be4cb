"""Fixed-window counters shared by every worker: in Redis when configured, else the database."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from tortoise import connections
from tortoise.timezone import now

from server.settings import get_settings

PER_IP_LOGIN_ATTEMPTS = 20  # a minute


@functools.cache
def _redis():
    import redis.asyncio as redis

    return redis.from_url(get_settings().redis_url)


def _window(moment: datetime, seconds: int) -> datetime:
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=moment.tzinfo)


async def hit(key: str, window_seconds: int = 60) -> int:
    """Count one event under key in the current window and return the window's total."""
    moment = now()
    start = _window(moment, window_seconds)
    if get_settings().redis_url:
        client = _redis()
        name = f"aspire:throttle:{key}:{int(start.timestamp())}"
        async with client.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds * 2)
            count, _ = await pipe.execute()
        return int(count)
    connection = connections.get("default")
    marks = ("$1", "$2") if connection.capabilities.dialect == "postgres" else ("?", "?")
    sql = (
        f"INSERT INTO throttle_counter (key, window_start, count) VALUES ({marks[0]}, {marks[1]}, 1) "  # noqa: S608 (placeholders only)
        "ON CONFLICT (key, window_start) DO UPDATE SET count = throttle_counter.count + 1 "
        "RETURNING count"
    )
    rows = await connection.execute_query_dict(sql, [key, start])
    return int(rows[0]["count"])


async def too_many(key: str, limit: int, window_seconds: int = 60) -> bool:
    return await hit(key, window_seconds) > limit


async def purge_old_counters(older_than: timedelta = timedelta(hours=1)) -> None:
    from server.models import ThrottleCounter

    await ThrottleCounter.filter(window_start__lt=now() - older_than).delete()
