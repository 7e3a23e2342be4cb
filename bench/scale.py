"""The local-authority scale data set of issue 8, made with the project's own services.

100 secondary schools in one LA, KS4 Y7–Y11, 200 pupils a year group, 12 subjects each:
about 1.2 million pre-populated targets. Made once per database and reused (a marker row
says it is complete).
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
from tortoise import Tortoise

from server.auth.tokens import create_api_token
from server.models import Account, Organisation, Pupil, SubjectSettings, YearGroupSettings
from server.models.enums import (
    AccountKind,
    AccountStatus,
    KeyStage,
    OrganisationKind,
    Prepopulate,
    PupilAccess,
    Role,
)
from server.services.catalogue import ensure_subjects
from server.services.targets.prepopulate import prepopulate_year_group

SCHOOLS = 100
YEAR_GROUPS = (7, 8, 9, 10, 11)
PUPILS_PER_YEAR = 200
SUBJECTS = ("maths", "eng-lang", "eng-lit", "biology", "chemistry", "physics", "history",
            "geography", "french", "art", "music", "rs")
LA_CODE = "999"
OFFICER = "bench.officer@scale.example.org.uk"


async def scale_data_ready() -> bool:
    return await Account.filter(login_name=OFFICER).exists()


async def build_scale_data(log=print) -> None:
    started = time.perf_counter()
    subjects = await ensure_subjects()
    chosen = [subjects[(KeyStage.KS4, code)] for code in SUBJECTS if (KeyStage.KS4, code) in subjects]
    others = [s for (ks, _), s in subjects.items() if ks == KeyStage.KS4 and s not in chosen]
    la = await Organisation.create(kind=OrganisationKind.LOCAL_AUTHORITY, name="Scale County", la_code=LA_CODE)
    rng = np.random.default_rng(2026)
    for n in range(SCHOOLS):
        school = await Organisation.create(
            kind=OrganisationKind.SCHOOL, name=f"Scale Academy {n + 1:03d}", urn=f"9{n:05d}",
            phase="secondary", local_authority=la, current_academic_year=2026,
        )
        pupils = []
        for year in YEAR_GROUPS:
            born = dt.date(2026 - year - 5, 9, 1)
            prior = np.clip(rng.normal(104, 6.5, PUPILS_PER_YEAR), 80, 120)
            days = rng.integers(0, 365, PUPILS_PER_YEAR)
            for i in range(PUPILS_PER_YEAR):
                pupils.append(Pupil(
                    school=school, upn=f"S{n:04d}{year:02d}{i:05d}"[:13], forename=f"Pupil{i}",
                    surname=f"Year{year}", gender="F" if i % 2 else "M",
                    date_of_birth=born + dt.timedelta(days=int(days[i])), year_group=year,
                    prior_attainment=float(round(prior[i], 1)),
                ))
        await Pupil.bulk_create(pupils, batch_size=2000)
        for year in YEAR_GROUPS:
            await YearGroupSettings.create(
                school=school, key_stage=KeyStage.KS4, year_group=year, use_target_setting=True,
                prepopulate=Prepopulate.BENCHMARK, aggregate_with_la=True, pupil_level_with_la=n % 2 == 0,
            )
            await SubjectSettings.bulk_create([
                SubjectSettings(school=school, key_stage=KeyStage.KS4, year_group=year, subject=s,
                                included=s in chosen)
                for s in chosen + others
            ])
            await prepopulate_year_group(school.id, KeyStage.KS4, year, None)
        if (n + 1) % 10 == 0:
            log(f"  {n + 1} schools made ({time.perf_counter() - started:.0f} s)")
    await Account.create(
        kind=AccountKind.USER, organisation=la, forename="Bench", surname="Officer", email=OFFICER,
        login_name=OFFICER, role=Role.OFFICER, pupil_access=PupilAccess.FULL, status=AccountStatus.ACTIVE,
    )
    log(f"scale data set made in {time.perf_counter() - started:.0f} s")


async def officer_token() -> str:
    officer = await Account.get(login_name=OFFICER)
    plain, _ = await create_api_token(officer, "bench")
    return plain


async def open_database(url: str) -> None:
    from server.database import apply_migrations
    from server.settings import tortoise_config

    await apply_migrations(url)
    await Tortoise.init(config=tortoise_config(url))
