"""A school whose year groups look like the nation, for the Manage benchmarks browser test.

    python tests/target_settings/national_seed.py

Run in a subprocess against the server's database. Year 10: sixty pupils whose KS2 scores are
the quantiles of the national KS2 distribution the model uses; Year 13: sixty whose mean GCSE
points are those of A level students. Girls and boys alternate and birthdays run through the
year. Year 10 is pre-populated at the benchmark and shared with the school's LA.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
from scipy.special import ndtri  # noqa: E402

from server.models import Account, Organisation, Pupil, YearGroupSettings  # noqa: E402
from server.models.enums import Prepopulate, PupilAccess, Role  # noqa: E402
from server.services.accounts.audit import Actor  # noqa: E402
from server.services.estimates.parameters import load_parameters  # noqa: E402
from server.services.targets.settings import TargetSettings, save_settings  # noqa: E402
from tests import factories  # noqa: E402
from tests.browser.seeding import print_seeded  # noqa: E402

PUPILS = 60


def national_priors(key_stage: str) -> list[float]:
    prior = load_parameters(key_stage).prior
    z = ndtri((np.arange(PUPILS) + 0.5) / PUPILS)
    return [round(float(v), 1) for v in np.clip(prior.mean + prior.sd * z, prior.low, prior.high)]


async def add_year(school: Organisation, year_group: int, key_stage: str, born: int) -> None:
    rows = [
        Pupil(school=school, upn=f"N{school.id:04d}{year_group:02d}{i:06d}", forename=f"Pupil{i}",
              surname=f"National{year_group}-{i:02d}", gender="F" if i % 2 else "M",
              date_of_birth=date(born + (i % 12 >= 4), (i % 12 + 8) % 12 + 1, 10), year_group=year_group,
              prior_attainment=prior)
        for i, prior in enumerate(national_priors(key_stage))
    ]  # fmt: skip
    await Pupil.bulk_create(rows)


async def seed() -> dict:
    la = await factories.make_local_authority("Calibration Borough")
    school = await factories.make_school(la=la, name="Calibration Academy")
    admin = await factories.make_administrator(school)
    await add_year(school, 10, "KS4", 2011)
    await add_year(school, 13, "KS5", 2008)
    settings = TargetSettings(use_target_setting=True, prepopulate=Prepopulate.BENCHMARK)
    await save_settings(school.id, "KS4", 10, False, settings, False, Actor(admin))
    # Shared with the LA as if its widening had been approved (the approval is not tested here).
    await YearGroupSettings.filter(school=school, year_group=10).update(
        pupil_level_with_la=True, aggregate_with_la=True)
    user = await factories.make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    officer = await factories.make_user(la, Role.OFFICER, PupilAccess.FULL)
    pupil = await Pupil.filter(school=school, year_group=10).order_by("surname").first()

    def login(account: Account) -> dict:
        return {"login_name": account.login_name, "password": factories.PASSWORD}

    return {"administrator": login(admin), "user": login(user), "officer": login(officer),
            "urn": school.urn, "pupil_upn": pupil.upn}


if __name__ == "__main__":
    print_seeded(seed)
