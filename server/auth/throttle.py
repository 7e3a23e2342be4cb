"""Fixed-window counters shared by every worker: in Redis when configured, else the database.

`hit` counts one event and returns the window's total in one atomic step (Redis INCR in a
MULTI, or one INSERT … ON CONFLICT DO UPDATE … RETURNING): decide from what it returns.
`current` only reads a window's total (to refuse early without counting).
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from tortoise import connections
from tortoise.timezone import now

from server.settings import get_settings

PREFIX = "aspire:throttle:"


@functools.cache
def _redis():
    import redis.asyncio as redis

    return redis.from_url(get_settings().redis_url)


def _window(moment: datetime, seconds: int) -> datetime:
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=moment.tzinfo)


def _marks(connection, n: int) -> list[str]:
    if connection.capabilities.dialect == "postgres":
        return [f"${i}" for i in range(1, n + 1)]
    return ["?"] * n


async def hit(key: str, window_seconds: int = 60) -> int:
    """Count one event under key in the current window and return the window's total."""
    start = _window(now(), window_seconds)
    if get_settings().redis_url:
        name = f"{PREFIX}{key}:{int(start.timestamp())}"
        async with _redis().pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds * 2)
            count, _ = await pipe.execute()
        return int(count)
    connection = connections.get("default")
    first, second = _marks(connection, 2)
    sql = (
        f"INSERT INTO throttle_counter (key, window_start, count) VALUES ({first}, {second}, 1) "  # noqa: S608 (placeholders only)
        "ON CONFLICT (key, window_start) DO UPDATE SET count = throttle_counter.count + 1 "
        "RETURNING count"
    )
    rows = await connection.execute_query_dict(sql, [key, start])
    return int(rows[0]["count"])


async def current(key: str, window_seconds: int = 60) -> int:
    """The current window's total under key, without counting."""
    start = _window(now(), window_seconds)
    if get_settings().redis_url:
        value = await _redis().get(f"{PREFIX}{key}:{int(start.timestamp())}")
        return int(value or 0)
    connection = connections.get("default")
    first, second = _marks(connection, 2)
    rows = await connection.execute_query_dict(
        f"SELECT count FROM throttle_counter WHERE key = {first} AND window_start = {second}",  # noqa: S608
        [key, start],
    )
    return int(rows[0]["count"]) if rows else 0


async def too_many(key: str, limit: int, window_seconds: int = 60) -> bool:
    return await hit(key, window_seconds) > limit


async def purge_old_counters(older_than: timedelta = timedelta(hours=2)) -> None:
    from server.models import ThrottleCounter

    await ThrottleCounter.filter(window_start__lt=now() - older_than).delete()
