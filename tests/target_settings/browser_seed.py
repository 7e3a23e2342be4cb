"""Pupils for the target-setting browser test, run in a subprocess against the server's database.

    python tests/target_settings/browser_seed.py URN

Gives the school with that URN ten Year 11 pupils with prior attainment.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tortoise import Tortoise  # noqa: E402

from server.models import Organisation  # noqa: E402
from server.settings import get_settings  # noqa: E402
from tests.target_settings.helpers import make_pupils  # noqa: E402


async def main(urn: str) -> None:
    await Tortoise.init(config=get_settings().tortoise_config())
    try:
        school = await Organisation.get(urn=urn)
        await make_pupils(school, 11, 10)
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
