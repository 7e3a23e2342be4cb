"""Export of a year group's targets as .xlsx (/targets/export.xlsx): 300 pupils x 20 subjects.

Time over HTTP against one server process (p50 and spread), and memory: the peak Python
allocation (tracemalloc) of one export in-process, for the whole year group (6,000 rows)
and for half of it (3,000 rows), so that "flat" can be read off: a peak that grows with the
rows is memory proportional to the export. Goal (issue 8): <= 1 s for 6,000 rows.

Run: .venv/bin/python bench/bench_export.py   (ASPIRE_BENCH_DATABASE_URL=postgres://... for
PostgreSQL: a scratch database is made next to it and dropped afterwards)
"""

from __future__ import annotations

import asyncio
import io
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.school_year import PUPILS, YEAR, school_year_database, sign_in  # noqa: E402
from bench.serving import bench_environment, running_server, summary  # noqa: E402

RUNS = int(os.environ.get("ASPIRE_BENCH_RUNS", "10"))
PATH = f"/targets/export.xlsx?yearGroup={YEAR}"


def rows_in(content: bytes) -> int:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return sum(1 for _ in book.active.iter_rows()) - 1


async def peak_memory(url: str, facts: dict, pupils_left: int) -> tuple[int, float]:
    """Rows exported and the peak traced allocation (MB) of one in-process export."""
    from tortoise import Tortoise

    from server.app import create_app
    from server.models import Pupil
    from server.settings import tortoise_config

    await Tortoise.init(config=tortoise_config(url))
    try:
        current = await Pupil.filter(left_at__isnull=True).order_by("id").values_list("id", flat=True)
        await Pupil.filter(id__in=current[pupils_left:]).update(left_at="2026-11-01")
        transport = httpx.ASGITransport(app=create_app(open_database=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await sign_in(client, facts["login"], facts["password"])
            await client.get(PATH)  # warm: templates, schema, first queries
            tracemalloc.start()
            response = await client.get(PATH)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        await Pupil.filter(id__in=current[pupils_left:]).update(left_at=None)
        assert response.status_code == 200, response.status_code
        return rows_in(response.content), peak / 2**20
    finally:
        await Tortoise.close_connections()


async def main() -> None:
    async with school_year_database() as (url, facts):
        times = []
        with running_server(bench_environment(url)) as base:
            async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                await sign_in(client, facts["login"], facts["password"])
                for i in range(RUNS + 1):
                    started = time.perf_counter()
                    response = await client.get(PATH)
                    elapsed = (time.perf_counter() - started) * 1000
                    assert response.status_code == 200, response.status_code
                    if i >= 1:
                        times.append(elapsed)
                rows = rows_in(response.content)
        memory = [await peak_memory(url, facts, n) for n in (PUPILS // 2, PUPILS)]
    print(f"# bench_export: {platform.node()}, {os.cpu_count()} cores, database "
          f"{url.split(':')[0]}")
    print(summary(f"/targets/export.xlsx over HTTP ({rows} rows, {len(response.content) // 1024} KB)",
                  times))
    for exported, peak in memory:
        print(f"peak traced memory of one export, {exported} rows: {peak:.1f} MB")


if __name__ == "__main__":
    asyncio.run(main())
