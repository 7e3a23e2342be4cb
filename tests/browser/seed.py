"""Seeding helper for the browser tests: run in a subprocess against the test server's database.

    python tests/browser/seed.py SCENARIO

The environment (ASPIRE_DATABASE_URL, ASPIRE_ENV=test, ...) names the database; the scenario's
data is created with tests/factories.py and described as one JSON object on stdout.
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


async def school() -> dict:
    """A school in an LA, with a user (Head Teacher, full pupil access) and an administrator."""
    la = await factories.make_local_authority("Browser Borough")
    organisation = await factories.make_school(la=la, name="Browser Test Academy")
    user = await factories.make_user(
        organisation, role=Role.HEAD_TEACHER, pupil_access=PupilAccess.FULL
    )
    administrator = await factories.make_administrator(organisation)
    return {
        "organisation": organisation.name,
        "urn": organisation.urn,
        "local_authority": la.name,
        "user": {"login_name": user.login_name, "password": factories.PASSWORD,
                 "name": f"{user.forename} {user.surname}"},
        "administrator": {"login_name": administrator.login_name, "password": factories.PASSWORD,
                          "name": f"{administrator.forename} {administrator.surname}"},
    }


async def deactivated() -> dict:
    """A school with an administrator and a deactivated user (issue 16 item 9)."""
    from server.models.enums import AccountStatus

    organisation = await factories.make_school(name="Deactivation Academy")
    administrator = await factories.make_administrator(organisation)
    user = await factories.make_user(organisation, status=AccountStatus.DEACTIVATED)
    return {
        "organisation": organisation.name,
        "administrator": {"name": f"{administrator.forename} {administrator.surname}"},
        "user": {"login_name": user.login_name, "password": factories.PASSWORD},
    }


SCENARIOS = {"school": school, "deactivated": deactivated}


async def main(scenario: str) -> dict:
    await Tortoise.init(config=get_settings().tortoise_config())
    try:
        # The factories number what they make from 1 in each process; every number makes one
        # organisation or account, so starting past the rows already made keeps names, URNs
        # and login names unique when a session seeds more than once.
        made = await Organisation.all().count() + await Account.all().count()
        factories._numbers = itertools.count(made + 1)
        return await SCENARIOS[scenario]()
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1]))))
