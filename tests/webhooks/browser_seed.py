"""Seeding for the Change notifications browser test, run against the server's database:

    python tests/webhooks/browser_seed.py
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tortoise import Tortoise  # noqa: E402

from server.models import Account, Organisation  # noqa: E402
from server.models.enums import PupilAccess, Role  # noqa: E402
from server.settings import get_settings  # noqa: E402
from tests import factories  # noqa: E402
from tests.webhooks.world import share  # noqa: E402


async def seed() -> dict:
    la = await factories.make_local_authority("Notice Borough")
    school = await factories.make_school(la=la, name="Notice Test School")
    await factories.make_school(la=la, name="Quiet School")
    await share(school)
    officer = await factories.make_user(la, Role.OFFICER, PupilAccess.AGGREGATE)
    return {"officer": {"login_name": officer.login_name, "password": factories.PASSWORD},
            "school": school.name, "choice": f"{school.id}:KS4"}


async def main() -> dict:
    await Tortoise.init(config=get_settings().tortoise_config())
    try:
        made = await Organisation.all().count() + await Account.all().count()
        factories._numbers = itertools.count(made + 1)
        return await seed()
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
