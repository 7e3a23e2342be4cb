"""Pre-populating a year group: prepopulate_year_group against a raw bulk INSERT.

A temporary SQLite database (and PostgreSQL when ASPIRE_BENCH_DATABASE_URL is set, e.g.
postgres://postgres@127.0.0.1:5432/test: a scratch database is created next to it and
dropped afterwards) gets one school, 300 pupils and the 20 KS4 subjects, with target
setting and pre-population switched on for Year 11. Each run deletes every target, then
times prepopulate_year_group (estimates from the engine, the existing-target check, the
6,000 targets with their "prepopulated" change history and the audit entry, in one
transaction).

The floor is the same 6,000 rows (the columns pre-population writes, values as it wrote
them) written to the same table, summary triggers active, by the bulk INSERT each database
does best, in one transaction:
- PostgreSQL: one INSERT ... SELECT FROM unnest(one array per column), so the statement
  triggers run once, as they do for pre-population;
- SQLite (row triggers, so they run per row whichever way): one prepared INSERT run for
  every row (executemany), multi-row INSERTs (at most 32,766 values a statement, so 2,000
  rows each), and one INSERT ... SELECT FROM json_each(one JSON array of the rows), its
  unnest; the ratio is taken against the fastest.
The two are timed alternately (ours, raw, ours, raw, ...) so that a busy machine slows both.

Custom challenge levels (issue 14 part 2): in the same run, alternating with the others,
the same pre-population with every subject at a custom level (CUSTOM_LEVEL below, the
costliest kind: two benchmark estimates per pupil, or the percentile's extra estimate)
instead of a plain benchmark; the settings are switched before each timed call.

Run: .venv/bin/python bench/bench_prepopulate.py [runs]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date, datetime
from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.transactions import in_transaction

from server.database import apply_migrations
from server.models import Organisation, Pupil, SubjectSettings, Target, YearGroupSettings
from server.models.enums import BenchmarkLevel, KeyStage, OrganisationKind, Prepopulate
from server.services.catalogue import ensure_subjects
from server.services.targets.prepopulate import _INSERT_COLUMNS as INSERT_COLUMNS
from server.services.targets.prepopulate import prepopulate_year_group
from server.settings import tortoise_config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.serving import run_on_both_databases  # noqa: E402

PUPILS = 300
YEAR = 11
# The raw INSERT writes exactly the columns pre-population writes.
COLUMNS = INSERT_COLUMNS
CUSTOM_LEVELS = ("M50/20", "P35")  # midpoint of Average and High; the 35th percentile


async def choose(school_id: int, custom_level: str | None) -> None:
    """Every KS4 subject of the year group at `custom_level` (None: the Average benchmark)."""
    subjects = await ensure_subjects()
    await SubjectSettings.filter(school_id=school_id).delete()
    await SubjectSettings.bulk_create([
        SubjectSettings(school_id=school_id, key_stage=KeyStage.KS4, year_group=YEAR,
                        subject_id=row.id, custom_level=custom_level,
                        benchmark=BenchmarkLevel.CUSTOM if custom_level else BenchmarkLevel.AVERAGE)
        for (ks, _), row in subjects.items() if ks == KeyStage.KS4
    ])


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


# The PostgreSQL array type of each column pre-population writes.
PG_TYPES = {
    "school_id": "INTEGER", "pupil_id": "INTEGER", "subject_id": "INTEGER",
    "key_stage": "VARCHAR", "year_group": "INTEGER", "grade": "VARCHAR",
    "points": "DOUBLE PRECISION", "prepopulated": "BOOLEAN", "prepopulated_grade": "VARCHAR",
    "prepopulated_points": "DOUBLE PRECISION", "benchmark": "VARCHAR",
    "model_version": "VARCHAR", "set_by_id": "INTEGER", "updated_at": "TIMESTAMPTZ",
    "custom_level": "VARCHAR",
}


def raw_inserts(rows: list[tuple], postgres: bool) -> dict:
    """The bulk INSERTs of `rows` into target, each in one transaction, by name."""
    columns = ", ".join(COLUMNS)
    if postgres:
        arrays = ", ".join(f"${i}::{PG_TYPES[c]}[]" for i, c in enumerate(COLUMNS, 1))
        unnest = f"INSERT INTO target ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608
        values = [list(column) for column in zip(*rows, strict=True)]

        async def one_unnest() -> None:
            async with in_transaction() as tx:
                await tx.execute_query(unnest, values)

        return {"INSERT ... unnest": one_unnest}
    row = "(" + ", ".join("?" for _ in COLUMNS) + ")"
    single = f"INSERT INTO target ({columns}) VALUES {row}"  # noqa: S608
    per = 32_000 // len(COLUMNS)

    async def executemany() -> None:
        async with in_transaction() as tx:
            await tx.execute_many(single, [list(r) for r in rows])

    async def multi_row() -> None:
        async with in_transaction() as tx:
            for start in range(0, len(rows), per):
                chunk = rows[start : start + per]
                statement = f"INSERT INTO target ({columns}) VALUES {', '.join([row] * len(chunk))}"  # noqa: S608
                await tx.execute_query(statement, [v for r in chunk for v in r])

    picks = ", ".join(f"json_extract(j.value, '$[{i}]')" for i in range(len(COLUMNS)))
    from_json = f"INSERT INTO target ({columns}) SELECT {picks} FROM json_each(?) AS j"  # noqa: S608
    document = json.dumps([[v.isoformat(" ") if isinstance(v, datetime) else v for v in r] for r in rows])

    async def one_json_each() -> None:
        async with in_transaction() as tx:
            await tx.execute_query(from_json, [document])

    return {
        "executemany INSERT": executemany,
        "multi-row INSERT": multi_row,
        "INSERT ... json_each": one_json_each,
    }


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
        written = 0

        async def ours() -> None:
            nonlocal written
            written = await prepopulate_year_group(school_id, "KS4", YEAR, None)

        def at_level(custom_level: str):
            async def write() -> None:
                nonlocal written
                written = await prepopulate_year_group(school_id, "KS4", YEAR, None)
                assert written == PUPILS * 20, written
            write.level = custom_level
            return write

        customs = {f"custom {code}": at_level(code) for code in CUSTOM_LEVELS}
        await choose(school_id, None)
        await ours()
        assert written == PUPILS * 20, written
        rows = [tuple(r) for r in await Target.all().order_by("id").values_list(*COLUMNS)]
        rows = [tuple(getattr(v, "value", v) for v in r) for r in rows]
        floors = raw_inserts(rows, postgres)
        times: dict[str, list[float]] = {"ours": [], **{name: [] for name in floors},
                                         **{name: [] for name in customs}}
        for run in range(runs + 1):  # the first run of each warms caches
            for name, write in (("ours", ours), *floors.items(), *customs.items()):
                await clear()
                await choose(school_id, getattr(write, "level", None))
                start = time.perf_counter()
                await write()
                if run:
                    times[name].append((time.perf_counter() - start) * 1000)
                assert await Target.all().count() == len(rows), name
        assert written == PUPILS * 20, written
        floor = min(floors, key=lambda name: statistics.median(times[name]))
        print(f"{label}: {PUPILS} pupils x 20 subjects = {len(rows)} targets")
        print(f"  prepopulate_year_group      {summary(times['ours'])}")
        for name in floors:
            print(f"  raw {name:<24}{summary(times[name])}")
        ratio = statistics.median(times["ours"]) / statistics.median(times[floor])
        print(f"  ratio (medians)             {ratio:.2f}x raw {floor}")
        for name in customs:
            print(f"  {name:<28}{summary(times[name])}")
            custom_ratio = statistics.median(times[name]) / statistics.median(times["ours"])
            print(f"    vs the Average benchmark  {custom_ratio:.2f}x")
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    run_on_both_databases(__file__, bench, "aspire_bench", default_runs=7)
