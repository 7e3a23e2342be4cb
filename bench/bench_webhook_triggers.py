"""What the change-notification triggers (migration 0015) cost target writes.

The same writes with the shared_targets_revision triggers on target_summary in place and
dropped, alternately (on, off, on, off, ...) so that a busy machine slows both:
- pre-populating 300 pupils x 20 subjects (6,000 targets, one transaction), as
  bench_prepopulate.py does;
- 200 single-target changes, each its own transaction (a teacher saving one target).

A temporary SQLite database, and PostgreSQL when ASPIRE_BENCH_DATABASE_URL is set (a scratch
database next to it, dropped afterwards).

Run: .venv/bin/python bench/bench_webhook_triggers.py [runs]
"""

from __future__ import annotations

import importlib
import statistics
import sys
import time
from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.transactions import in_transaction

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.bench_prepopulate import PUPILS, YEAR, clear, setup  # noqa: E402
from bench.serving import run_on_both_databases  # noqa: E402
from server.database import apply_migrations  # noqa: E402
from server.models import SharedTargetsRevision, Target  # noqa: E402
from server.services.targets.prepopulate import prepopulate_year_group  # noqa: E402
from server.settings import tortoise_config  # noqa: E402

MIGRATION = importlib.import_module("server.migrations.0015_webhooks")
SINGLE = 200


async def triggers(on: bool) -> None:
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    for name in MIGRATION._TRIGGERS:
        await connection.execute_query(
            f"DROP TRIGGER IF EXISTS {name} ON target_summary" if postgres
            else f"DROP TRIGGER IF EXISTS {name}")
    if on:
        for statement in MIGRATION.POSTGRES if postgres else MIGRATION.SQLITE:
            await connection.execute_query(statement)


def summary(times: list[float]) -> str:
    return (f"median {statistics.median(times):8.1f} ms   "
            f"min-max {min(times):.1f}-{max(times):.1f} ms   (n={len(times)})")


async def bench(url: str, label: str, runs: int) -> None:
    await apply_migrations(url)
    await Tortoise.init(config=tortoise_config(url))
    try:
        school_id = await setup()
        times: dict[tuple[str, bool], list[float]] = {}
        for run in range(runs + 1):  # the first run of each warms caches
            for on in (True, False):
                await triggers(on)
                await clear()
                start = time.perf_counter()
                written = await prepopulate_year_group(school_id, "KS4", YEAR, None)
                prepopulated = (time.perf_counter() - start) * 1000
                assert written == PUPILS * 20, written
                ids = await Target.all().order_by("id").limit(SINGLE).values_list("id", flat=True)
                start = time.perf_counter()
                for n, target_id in enumerate(ids):
                    async with in_transaction() as tx:
                        await Target.filter(id=target_id).using_db(tx).update(points=4.0 + n % 3)
                single = (time.perf_counter() - start) * 1000
                if run:
                    times.setdefault(("prepopulate", on), []).append(prepopulated)
                    times.setdefault(("single", on), []).append(single)
        assert await SharedTargetsRevision.filter(school_id=school_id).exists()
        print(f"{label}: {PUPILS * 20} targets pre-populated; {SINGLE} single-target changes")
        for what, title in (("prepopulate", "pre-populate 6,000"), ("single", f"{SINGLE} single changes")):
            on, off = times[(what, True)], times[(what, False)]
            print(f"  {title:<22} triggers on   {summary(on)}")
            print(f"  {'':<22} triggers off  {summary(off)}")
            print(f"  {'':<22} cost          {statistics.median(on) / statistics.median(off) - 1:+.1%}")
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    run_on_both_databases(__file__, bench, "aspire_bench_wh", default_runs=5)
