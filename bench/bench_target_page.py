"""The pupil target page (/targets) for a school user with full access, 300 pupils x 20 subjects.

Over HTTP against one server process: the full page (not the htmx fragment) for one subject
(its first page of 50 pupils; the page reads the year group's estimates for all 300) and for
all subjects of one pupil. Goal (issue 8): p50 <= 150 ms.

Run: .venv/bin/python bench/bench_target_page.py   (ASPIRE_BENCH_DATABASE_URL=postgres://...
for PostgreSQL: a scratch database is made next to it and dropped afterwards)
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.school_year import school_year_database, sign_in  # noqa: E402
from bench.serving import bench_environment, running_server, summary  # noqa: E402

RUNS = int(os.environ.get("ASPIRE_BENCH_RUNS", "20"))


async def main() -> None:
    async with school_year_database() as (url, facts):
        pages = {
            "one subject (maths, 50 of 300 pupils)": "/targets?yearGroup=11&subject=maths",
            "all subjects of one pupil": f"/targets?yearGroup=11&subject=&upn={facts['upn']}",
        }
        times: dict[str, list[float]] = {label: [] for label in pages}
        with running_server(bench_environment(url)) as base:
            async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                await sign_in(client, facts["login"], facts["password"])
                for i in range(RUNS + 2):
                    for label, path in pages.items():
                        started = time.perf_counter()
                        response = await client.get(path)
                        elapsed = (time.perf_counter() - started) * 1000
                        assert response.status_code == 200, (path, response.status_code)
                        assert "<html" in response.text.lower()  # the full page
                        if i >= 2:
                            times[label].append(elapsed)
    print(f"# bench_target_page: {platform.node()}, {os.cpu_count()} cores, database "
          f"{url.split(':')[0]}; {facts['targets']} targets (300 pupils x 20 subjects)")
    for label, millis in times.items():
        print(summary(f"/targets full page, {label}", millis))


if __name__ == "__main__":
    asyncio.run(main())
