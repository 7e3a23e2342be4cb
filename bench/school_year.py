"""One school's year group for the page and export benchmarks, made with the project's services.

300 pupils in KS4 Year 11, every KS4 subject included (20), targets pre-populated (6,000),
and a Data Manager with full access to pupil data who signs in with a password. SQLite by
default (a fresh file), or a scratch PostgreSQL database next to ASPIRE_BENCH_DATABASE_URL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
from tortoise import Tortoise

from bench.serving import postgres_scratch
from server.auth.passwords import hash_password
from server.models import Account, Organisation, Pupil, YearGroupSettings
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

PUPILS = 300
YEAR = 11
LOGIN = "bench.datamanager@school.example.org.uk"
PASSWORD = "bench password for the target pages"  # noqa: S105 - a throwaway bench database


async def make_school_year() -> dict:
    await ensure_subjects()
    la = await Organisation.create(kind=OrganisationKind.LOCAL_AUTHORITY, name="Bench LA",
                                   la_code="998")
    school = await Organisation.create(
        kind=OrganisationKind.SCHOOL, name="Bench School", urn="199998", phase="secondary",
        local_authority=la, current_academic_year=2026,
    )
    rng = np.random.default_rng(11)
    prior = np.clip(rng.normal(104, 6.5, PUPILS), 80, 120)
    born = dt.date(2026 - YEAR - 5, 9, 1)
    await Pupil.bulk_create([
        Pupil(school=school, upn=f"B{i:012d}", forename=f"Pupil{i}", surname=f"Surname{i:03d}",
              gender="FM"[i % 2], date_of_birth=born + dt.timedelta(days=int(i * 1.2)),
              year_group=YEAR, prior_attainment=float(round(prior[i], 1)))
        for i in range(PUPILS)
    ])
    await YearGroupSettings.create(school=school, key_stage=KeyStage.KS4, year_group=YEAR,
                                   use_target_setting=True, prepopulate=Prepopulate.BENCHMARK)
    written = await prepopulate_year_group(school.id, KeyStage.KS4, YEAR, None)
    await Account.create(
        kind=AccountKind.USER, organisation=school, forename="Bench", surname="Manager",
        email=LOGIN, login_name=LOGIN, role=Role.DATA_MANAGER, pupil_access=PupilAccess.FULL,
        status=AccountStatus.ACTIVE, password_hash=await hash_password(PASSWORD),
    )
    return {"targets": written, "upn": "B000000000007", "login": LOGIN, "password": PASSWORD}


@contextlib.asynccontextmanager
async def school_year_database() -> AsyncIterator[tuple[str, dict]]:
    """A migrated database holding the year group: (url, facts); removed afterwards."""
    from server.database import apply_migrations
    from server.settings import tortoise_config

    base = os.environ.get("ASPIRE_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        url = (await postgres_scratch(base, f"aspire_bench_year_{os.getpid()}", True) if base
               else f"sqlite://{Path(tmp) / 'year.sqlite3'}")
        try:
            await apply_migrations(url)
            await Tortoise.init(config=tortoise_config(url))
            try:
                facts = await make_school_year()
            finally:
                await Tortoise.close_connections()
            yield url, facts
        finally:
            if base:
                await postgres_scratch(base, f"aspire_bench_year_{os.getpid()}", False)


async def sign_in(client, login: str, password: str) -> None:
    await client.get("/sign-in")
    response = await client.post("/sign-in", data={
        "csrftoken": client.cookies.get("csrftoken", ""), "loginName": login,
        "password": password})
    assert response.status_code == 303, (response.status_code, response.text[:300])
