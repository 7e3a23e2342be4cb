"""What every browser-test seed script does around its seeding: open the server's database
(the environment names it), number what the factories make past what is there, run, close,
and print the description as one JSON object."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable

from tortoise import Tortoise

from server.models import Account, Organisation
from server.settings import get_settings
from tests import factories


async def seeded(make: Callable[[], Awaitable[dict]]) -> dict:
    await Tortoise.init(config=get_settings().tortoise_config())
    try:
        # The factories number what they make from 1 in each process; every number makes one
        # organisation or account, so starting past the highest ids keeps names, URNs and
        # login names unique when a session seeds more than once (not the row counts: tests
        # delete accounts, and a count that falls would hand a number out a second time).
        last = [await model.all().order_by("-id").first() for model in (Organisation, Account)]
        factories._numbers = itertools.count(sum(row.id for row in last if row is not None) + 1)
        return await make()
    finally:
        await Tortoise.close_connections()


def print_seeded(make: Callable[[], Awaitable[dict]]) -> None:
    print(json.dumps(asyncio.run(seeded(make))))
