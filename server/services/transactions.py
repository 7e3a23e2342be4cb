"""Writes that PostgreSQL rolled back because of another writer, run again.

Two transactions that lock the same rows in opposite orders deadlock, and PostgreSQL rolls
one of them back (40P01) after deadlock_timeout; a serializable one may be rolled back for
a conflict (40001). Nothing of it was kept, so the write is run again from the start, after
a short random pause, before the person is told to try again (outages.py: a 503, never a
500, and their change is theirs to send again).

Only functions that run one transaction, with nothing but reads before it, are wrapped:
running one again can only do what its first run would have done. Inside a transaction
the caller opened, nothing is run again (the caller's transaction is lost as a whole).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient

from server.outages import is_rolled_back_by_another_writer

ATTEMPTS = 3
PAUSE_SECONDS = (0.01, 0.05)

logger = logging.getLogger("aspire.transactions")

P = ParamSpec("P")
T = TypeVar("T")


def _inside_a_transaction() -> bool:
    return isinstance(connections.get("default"), TransactionalDBClient)


def run_again_if_rolled_back(function: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    @functools.wraps(function)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        attempt = 1
        while True:
            try:
                return await function(*args, **kwargs)
            except Exception as error:
                if (attempt == ATTEMPTS or not is_rolled_back_by_another_writer(error)
                        or _inside_a_transaction()):
                    raise
                logger.warning("%s: PostgreSQL rolled the transaction back (%s); running it "
                               "again (%d of %d)", function.__qualname__, type(error).__name__,
                               attempt + 1, ATTEMPTS)
            await asyncio.sleep(random.uniform(*PAUSE_SECONDS) * attempt)  # noqa: S311
            attempt += 1

    return run
