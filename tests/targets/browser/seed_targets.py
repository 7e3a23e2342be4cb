"""Seeding for the targets browser test: run in a subprocess against the server's database.

    python tests/targets/browser/seed_targets.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))


from server.models.enums import Editing, PupilAccess, Role  # noqa: E402
from tests import factories  # noqa: E402
from tests.browser.seeding import print_seeded  # noqa: E402
from tests.targets.world import add_pupils, set_targets, share, subjects  # noqa: E402


async def seed() -> dict:
    subs = await subjects()
    la = await factories.make_local_authority("Target Borough")
    school = await factories.make_school(la=la, name="Target Test School")
    pupils = await add_pupils(school, 10, 6, surname="Browser")
    await set_targets(pupils[:1], subs["maths"], ["5"], prepopulated=True)
    await share(school, 10, editing=Editing.YES, pupil_la=True)
    officer = await factories.make_user(la, Role.OFFICER, PupilAccess.FULL)
    user = await factories.make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    governor = await factories.make_user(school, Role.GOVERNOR, PupilAccess.AGGREGATE)
    return {
        "user": {"login_name": user.login_name, "password": factories.PASSWORD},
        "governor": {"login_name": governor.login_name, "password": factories.PASSWORD},
        "officer": {"login_name": officer.login_name, "password": factories.PASSWORD},
        "urn": school.urn,
        "pupil": {"upn": pupils[1].upn, "name": f"{pupils[1].forename} {pupils[1].surname}"},
        "surnames": [p.surname for p in pupils],
    }


if __name__ == "__main__":
    print_seeded(seed)
