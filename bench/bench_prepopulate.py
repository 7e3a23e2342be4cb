"""Pre-populating a year group: prepopulate_year_group against a raw bulk INSERT.

A temporary SQLite database (and PostgreSQL when ASPIRE_BENCH_DATABASE_URL is set, e.g.
postgres://postgres@127.0.0.1:5432/test: a scratch database is created next to it and
dropped afterwards) gets one school, 300 pupils and the 20 KS4 subjects, with target
setting and pre-population switched on for Year 11. Each run deletes every target, then
times prepopulate_year_group (estimates from the engine, the existing-target check, one
multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING per 2,000 targets, the "prepopulated"
change history and the audit entry, in one transaction). In the same process the same
6,000 rows are then written by a plain executemany INSERT, the floor for writing them.

Run: .venv/bin/python bench/bench_prepopulate.py [runs]
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.transactions import in_transaction

from server.database import apply_migrations
from server.models import Organisation, Pupil, Target, YearGroupSettings
from server.models.enums import KeyStage, OrganisationKind, Prepopulate
from server.services.catalogue import ensure_subjects
from server.services.targets.prepopulate import _INSERT_COLUMNS as INSERT_COLUMNS
from server.services.targets.prepopulate import prepopulate_year_group
from server.settings import tortoise_config

PUPILS = 300
YEAR = 11
# The raw INSERT writes exactly the columns pre-population writes.
COLUMNS = INSERT_COLUMNS


async def setup() -> int:
    await ensure_subjects()
    la = await Organisation.create(kind=OrganisationKind.LOCAL_AUTHORITY, name="LA", la_code="999")
    school = await Organisation.create(
        kind=OrganisationKind.SCHOOL,
        name="Bench School",
        urn="199999",
        local_authority=la,
        current_academic_year=2026,
    )
    await Pupil.bulk_create(
        [
            Pupil(
                school=school,
                upn=f"B{i:012d}",
                forename="Pupil",
                surname=str(i),
                gender="FM"[i % 2],
                date_of_birth=date(2010, 1 + i % 12, 1 + i % 28),
                year_group=YEAR,
                prior_attainment=95 + (i * 7919 % 250) / 10,
            )
            for i in range(PUPILS)
        ]
    )
    await YearGroupSettings.create(
        school=school,
        key_stage=KeyStage.KS4,
        year_group=YEAR,
        use_target_setting=True,
        prepopulate=Prepopulate.BENCHMARK,
    )
    return school.id


async def clear() -> None:
    connection = connections.get("default")
    await connection.execute_script("DELETE FROM audit_event; DELETE FROM target_change; DELETE FROM target;")


def summary(times: list[float]) -> str:
    spread = f"{min(times):.1f}-{max(times):.1f}"
    return f"median {statistics.median(times):7.1f} ms   min-max {spread} ms   (n={len(times)})"


async def bench(url: str, label: str, runs: int) -> None:
    await apply_migrations(url)
    await Tortoise.init(config=tortoise_config(url))
    try:
        school_id = await setup()
        connection = connections.get("default")
        postgres = connection.capabilities.dialect == "postgres"
        ours = []
        for _ in range(runs + 1):
            await clear()
            start = time.perf_counter()
            written = await prepopulate_year_group(school_id, "KS4", YEAR, None)
            ours.append((time.perf_counter() - start) * 1000)
        assert written == PUPILS * 20, written
        rows = [tuple(r) for r in await Target.all().values_list(*COLUMNS)]
        rows = [tuple(getattr(v, "value", v) for v in r) for r in rows]
        marks = ", ".join(f"${i}" if postgres else "?" for i in range(1, len(COLUMNS) + 1))
        insert = f"INSERT INTO target ({', '.join(COLUMNS)}) VALUES ({marks})"  # noqa: S608
        raw = []
        for _ in range(runs + 1):
            await clear()
            start = time.perf_counter()
            async with in_transaction() as tx:
                await tx.execute_many(insert, [list(r) for r in rows])
            raw.append((time.perf_counter() - start) * 1000)
        assert await Target.all().count() == len(rows)
        ours, raw = ours[1:], raw[1:]  # the first run of each warms caches
        print(f"{label}: {PUPILS} pupils x 20 subjects = {len(rows)} targets")
        print(f"  prepopulate_year_group      {summary(ours)}")
        print(f"  raw executemany INSERT      {summary(raw)}")
        print(f"  ratio (medians)             {statistics.median(ours) / statistics.median(raw):.2f}x")
    finally:
        await Tortoise.close_connections()


async def postgres_scratch(base: str, create: bool) -> str:
    import asyncpg

    name = f"aspire_bench_{os.getpid()}"
    admin = await asyncpg.connect(base.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return base.rpartition("/")[0] + "/" + name


async def main(argv: list[str]) -> None:
    runs = int(argv[0]) if argv and argv[0].isdigit() else 7
    base = os.environ.get("ASPIRE_BENCH_DATABASE_URL")
    if "--postgres" in argv:
        url = await postgres_scratch(base, create=True)
        try:
            await bench(url, "PostgreSQL", runs)
        finally:
            await postgres_scratch(base, create=False)
        return
    print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        await bench(f"sqlite://{Path(tmp) / 'bench.sqlite3'}", "SQLite", runs)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
    if os.environ.get("ASPIRE_BENCH_DATABASE_URL") and "--postgres" not in sys.argv:
        # Tortoise caches each table's SQL without the database type: another process.
        subprocess.run([sys.executable, __file__, *sys.argv[1:], "--postgres"], check=True)  # noqa: S603
