"""The impact preview of a new national estimates version against pre-population.

The same school as bench_prepopulate.py (300 pupils, the 20 KS4 subjects, Year 11 with
target setting and pre-population on) in a temporary SQLite database (and PostgreSQL when
ASPIRE_BENCH_DATABASE_URL is set, in a scratch database). A new KS4 version is loaded with
half the subjects' intercepts moved up and half down, so the preview finds targets going
each way. Timed alternately in one run:

- prepopulate_year_group with no targets yet (6,000 targets written with their history);
- estimates_impact's service, `impact`, over the 6,000 pre-populated targets (estimates
  under the new version, the pre-population rule per pupil and subject, the counts).

Target: the preview <= 500 ms (issue 14 part 3).

Run: .venv/bin/python bench/bench_impact_preview.py [runs]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from tortoise import Tortoise

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.bench_prepopulate import PUPILS, YEAR, choose, clear, setup  # noqa: E402
from bench.serving import run_on_both_databases  # noqa: E402
from server.database import apply_migrations  # noqa: E402
from server.models import Target  # noqa: E402
from server.services.estimates import versions  # noqa: E402
from server.services.estimates.parameters import load_parameters, parameters_to_json  # noqa: E402
from server.services.targets.estimate_versions import impact  # noqa: E402
from server.services.targets.prepopulate import prepopulate_year_group  # noqa: E402
from server.settings import tortoise_config  # noqa: E402

TARGET_MS = 500.0


def summary(times: list[float]) -> str:
    return (f"median {statistics.median(times):7.1f} ms   min-max {min(times):.1f}-"
            f"{max(times):.1f} ms   (n={len(times)})")


async def bench(url: str, label: str, runs: int) -> None:
    await apply_migrations(url)
    await Tortoise.init(config=tortoise_config(url))
    try:
        school_id = await setup()
        await choose(school_id, None)
        data = parameters_to_json(load_parameters("KS4"))
        data["version"] = "bench.1"
        for i, code in enumerate(sorted(data["subjects"])):
            data["subjects"][code]["a"] += 0.8 if i % 2 else -0.8
        await versions.load_version(data, "Bench national data", "bench")
        times: dict[str, list[float]] = {"prepopulate": [], "preview": []}
        found = None
        for run in range(runs + 1):  # the first run warms caches
            await clear()
            start = time.perf_counter()
            written = await prepopulate_year_group(school_id, "KS4", YEAR, None)
            elapsed = (time.perf_counter() - start) * 1000
            assert written == PUPILS * 20, written
            start = time.perf_counter()
            found = await impact(school_id, "KS4", "bench.1")
            preview = (time.perf_counter() - start) * 1000
            if run:
                times["prepopulate"].append(elapsed)
                times["preview"].append(preview)
        assert await Target.all().count() == PUPILS * 20
        compared = sum(s.targets for s in found.subjects)
        up, down = sum(s.up for s in found.subjects), sum(s.down for s in found.subjects)
        assert compared == PUPILS * 20 and up and down, (compared, up, down)
        median = statistics.median(times["preview"])
        print(f"{label}: {PUPILS} pupils x 20 subjects = {compared} pre-populated targets "
              f"({up} up, {down} down)")
        print(f"  prepopulate_year_group  {summary(times['prepopulate'])}")
        print(f"  impact preview          {summary(times['preview'])}")
        print(f"  preview / pre-population {median / statistics.median(times['prepopulate']):.2f}x;"
              f" target <= {TARGET_MS:.0f} ms: {'met' if median <= TARGET_MS else 'NOT met'}")
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    run_on_both_databases(__file__, bench, "aspire_bench_impact", default_runs=7)
