"""Seeding helper for the browser tests: run in a subprocess against the test server's database.

    python tests/browser/seed.py SCENARIO

The environment (ASPIRE_DATABASE_URL, ASPIRE_ENV=test, ...) names the database; the scenario's
data is created with tests/factories.py and described as one JSON object on stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


from server.models import Account, Organisation  # noqa: E402
from server.models.enums import PupilAccess, Role  # noqa: E402
from tests import factories  # noqa: E402
from tests.browser.seeding import print_seeded  # noqa: E402


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



async def first_hour() -> dict:
    """The school scenario plus what a new administrator's first hour fills: pending users
    (long names, one locked out of its activation code), a second administrator (the limit of
    2 reached), a user batch with rows to check, and 30 Year 11 pupils for Manage benchmarks."""
    from server.models import Activation
    from server.models.enums import AccountKind, BatchKind
    from server.services.accounts.people import add_pending_person
    from server.services.audit import Actor
    from server.services.batches.store import upload_batch
    from server.services.estimates.parameters import load_parameters
    from tests.batches import files
    from tests.target_settings.helpers import make_pupils, subjects, value_added

    made = await school()
    organisation = await Organisation.get(name=made["organisation"])
    administrator = await Account.get(login_name=made["administrator"]["login_name"])
    n = await Account.all().count()
    people = [
        ("Bartholomew-Alexander", "Featherstonehaugh-Smythe", "Data Manager", "FULL"),
        ("Ann", "Lee", "Teacher", "AGGREGATE"),
        ("Gus", "Vernor", "Governor", "AGGREGATE"),
        ("Maximiliana", "Oyelaran-Whitcombe", "Head Teacher/Senior Leader", "FULL"),
    ]
    pending = []
    for forename, surname, role, access in people:
        account, _ = await add_pending_person(
            organisation, AccountKind.USER, forename, surname,
            f"{forename.lower()[:12]}.{surname.lower()[:14]}{n}@browser.sch.uk", role, access,
            administrator, governor_full_confirmed=False, actor=Actor(administrator),
        )
        pending.append({"id": account.id, "name": f"{forename} {surname}"})
    locked = pending[0]
    await Activation.filter(account_id=locked["id"]).update(tries=5, locked=True)
    second, _ = await add_pending_person(
        organisation, AccountKind.ADMINISTRATOR, "Second", "Administrator",
        f"second.admin.{n}@browser.sch.uk", None, None, administrator,
        governor_full_confirmed=False, actor=Actor(administrator),
    )
    sheet = files.xlsx([
        ["Ann", "Lee", f"ann.lee.{n}@browser.sch.uk", "Teacher", files.FULL],
        ["Bartholomew-Alexander", "Featherstonehaugh-Smythe",
         f"bartholomew.featherstone{n}@browser.sch.uk",
         "Data Manager", files.FULL],
        ["Gus", "Vernor", f"gus.vernor.{n}@browser.sch.uk", "Governor", files.FULL],
        ["X" * 51, "Y", "not-an-email", "Caretaker", "everything"],
    ])
    batch = await upload_batch(Actor(administrator), organisation, BatchKind.USERS, "staff.xlsx", sheet)
    await make_pupils(organisation, 11, 30)
    subs = await subjects()
    for code, percentile_su in (("maths", 1.0), ("art", 0.0), ("physics", -0.5)):
        su = load_parameters("KS4")[code].su * percentile_su
        await value_added(organisation, subs[code], {2023: su, 2024: su, 2025: su})
    return {**made, "pending": pending, "locked": locked, "batch": batch.id,
            "second_administrator": second.id}


async def ctf_targets() -> dict:
    """The school scenario plus a Data Manager (full pupil access) and Year 10 set up by the
    administrator to use target setting with pre-populated targets (issue 13's data manager
    going from a CTF to targets)."""
    from server.models import YearGroupSettings
    from server.models.enums import Editing, KeyStage, Prepopulate
    from server.services.catalogue import ensure_subjects

    made = await school()
    organisation = await Organisation.get(name=made["organisation"])
    manager = await factories.make_user(organisation, role=Role.DATA_MANAGER,
                                        pupil_access=PupilAccess.FULL)
    await ensure_subjects()
    await YearGroupSettings.create(school=organisation, key_stage=KeyStage.KS4, year_group=10,
                                   use_target_setting=True, prepopulate=Prepopulate.BENCHMARK,
                                   editing=Editing.YES)
    return {**made, "data_manager": {"login_name": manager.login_name,
                                     "password": factories.PASSWORD}}


async def sharing() -> dict:
    """Issue 15: a school of an LA with targets in Years 10 and 11, a Head Teacher/Senior
    Leader, an LA officer, and an administrator's request to share aggregate targets with the
    LA in Years 7 to 11, waiting for approval."""
    from server.models.enums import KeyStage
    from server.services.audit import Actor
    from server.services.targets.settings import TargetSettings, save_settings
    from tests.targets.world import add_pupils, set_targets, subjects

    la = await factories.make_local_authority("Sharing Borough")
    organisation = await factories.make_school(la=la, name="Sharing Test Academy")
    leader = await factories.make_user(organisation, role=Role.HEAD_TEACHER,
                                       pupil_access=PupilAccess.FULL)
    administrator = await factories.make_administrator(organisation)
    officer = await factories.make_user(la, role=Role.OFFICER, pupil_access=PupilAccess.FULL)
    maths = (await subjects())["maths"]
    for year in (10, 11):
        pupils = await add_pupils(organisation, year, 8, surname=f"Share{year}")
        await set_targets(pupils, maths, ["4", "5", "6", "7", "3", "8", "5", "4"])
    await save_settings(organisation.id, KeyStage.KS4, 10, True,
                        TargetSettings(use_target_setting=True, aggregate_with_la=True), True,
                        Actor(administrator))
    account = lambda a: {"login_name": a.login_name, "password": factories.PASSWORD,  # noqa: E731
                         "name": a.full_name}
    return {"organisation": organisation.name, "urn": organisation.urn, "local_authority": la.name,
            "la_id": la.id, "leader": account(leader), "officer": account(officer),
            "administrator": account(administrator)}


SCENARIOS = {"school": school, "deactivated": deactivated, "first_hour": first_hour,
             "ctf_targets": ctf_targets, "sharing": sharing}


if __name__ == "__main__":
    print_seeded(SCENARIOS[sys.argv[1]])
