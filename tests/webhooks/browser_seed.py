"""Seeding for the Change notifications browser test, run against the server's database:

    python tests/webhooks/browser_seed.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


from server.models.enums import PupilAccess, Role  # noqa: E402
from tests import factories  # noqa: E402
from tests.browser.seeding import print_seeded  # noqa: E402
from tests.webhooks.world import share  # noqa: E402


async def seed() -> dict:
    la = await factories.make_local_authority("Notice Borough")
    school = await factories.make_school(la=la, name="Notice Test School")
    await factories.make_school(la=la, name="Quiet School")
    await share(school)
    officer = await factories.make_user(la, Role.OFFICER, PupilAccess.AGGREGATE)
    return {"officer": {"login_name": officer.login_name, "password": factories.PASSWORD},
            "school": school.name, "choice": f"{school.id}:KS4"}


if __name__ == "__main__":
    print_seeded(seed)
