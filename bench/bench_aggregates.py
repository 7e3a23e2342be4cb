"""targetAggregates for a whole LA (100 schools, KS4 Y11, all subjects: 1,200 rows) over HTTP,
against a raw SQL GROUP BY over the targets table alone, measured in the same run.

Goal (issue 8): p50 <= 50 ms and no slower than the raw GROUP BY. Also prints the number of
SQL statements the contract query runs, and the floor Strawberry itself sets: a toy schema of
the same shape executing 1,200 prebuilt rows with the same selection, in-process, no database.

Run: .venv/bin/python bench/bench_aggregates.py   (ASPIRE_BENCH_DATABASE_URL=postgres://... for
PostgreSQL; the SQLite data set is kept in bench/data/ and reused)

ASPIRE_BENCH_BASELINE=<folder>: also serve the code in that folder (a checkout of an earlier
commit with the same migrations, e.g. `git archive <commit> | tar -x -C <folder>`) on the same
database, and time its targetAggregates alternately with this tree's (issue 15: recording who
read what must cost at most 10%).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import statistics
import sys
import time
from enum import Enum
from pathlib import Path

import httpx
import strawberry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale import build_scale_data, officer_token, open_database, scale_data_ready  # noqa: E402
from bench.serving import bench_environment, running_server, summary  # noqa: E402

RUNS = int(os.environ.get("ASPIRE_BENCH_RUNS", "20"))
QUERY = """query($ks: KeyStage!, $yg: Int!) { targetAggregates(keyStage: $ks, yearGroup: $yg) {
  school { urn name } subject { code name } pupils suppressed targetsSet averageTargetPoints
  benchmark averageEstimatePoints } }"""
RAW = ("SELECT school_id, subject_id, COUNT(*) AS n, AVG(points) AS average FROM target "
       "WHERE key_stage = 'KS4' AND year_group = 11 AND deleted_at IS NULL GROUP BY school_id, subject_id")


@strawberry.enum
class FloorLevel(Enum):
    AVERAGE = "AVERAGE"


@strawberry.type
class FloorSchool:
    urn: str
    name: str


@strawberry.type
class FloorSubject:
    code: str
    name: str


@strawberry.type
class FloorRow:
    school: FloorSchool
    subject: FloorSubject
    pupils: int
    suppressed: bool
    targets_set: int | None
    average_target_points: float | None
    benchmark: FloorLevel
    average_estimate_points: float | None


_FLOOR_ROWS = [
    FloorRow(school=FloorSchool(urn=f"9{n:05d}", name=f"Scale Academy {n:03d}"),
             subject=FloorSubject(code=f"s{k}", name=f"Subject {k}"), pupils=200,
             suppressed=False, targets_set=200, average_target_points=5.25,
             benchmark=FloorLevel.AVERAGE, average_estimate_points=5.1)
    for n in range(100) for k in range(12)
]


@strawberry.type
class FloorQuery:
    @strawberry.field
    async def target_aggregates(self) -> list[FloorRow]:
        return _FLOOR_ROWS


async def strawberry_floor() -> list[float]:
    """Strawberry + graphql-core alone: the same selection over 1,200 prebuilt rows."""
    schema = strawberry.Schema(FloorQuery)
    selection = QUERY[QUERY.index("targetAggregates"):]
    query = "{ targetAggregates " + selection[selection.index("{"):]
    times = []
    for _ in range(RUNS + 2):
        started = time.perf_counter()
        result = await schema.execute(query)
        times.append((time.perf_counter() - started) * 1000)
        assert result.errors is None and len(result.data["targetAggregates"]) == 1200
    return times[2:]


async def main() -> None:
    from tortoise import Tortoise, connections

    from server.observability import count_sql

    url = os.environ.get("ASPIRE_BENCH_DATABASE_URL")
    if not url:
        (ROOT / "bench" / "data").mkdir(exist_ok=True)
        url = f"sqlite://{ROOT / 'bench' / 'data' / 'scale.sqlite3'}"
    await open_database(url)
    if not await scale_data_ready():
        print("making the scale data set (once per database)...", file=sys.stderr)
        await build_scale_data(lambda line: print(line, file=sys.stderr))
    token = await officer_token()
    variables = {"ks": "KS4", "yg": 11}

    from server.app import create_app

    transport = httpx.ASGITransport(app=create_app(open_database=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        with count_sql() as counted:
            r = await client.post("/graphql", json={"query": QUERY, "variables": variables},
                                  headers={"authorization": f"Bearer {token}"})
        rows = len(r.json()["data"]["targetAggregates"])
    statements = counted.value

    raw_times = []
    connection = connections.get("default")
    for _ in range(RUNS + 2):
        started = time.perf_counter()
        result = await connection.execute_query_dict(RAW)
        raw_times.append((time.perf_counter() - started) * 1000)
    raw_times = raw_times[2:]
    raw_rows = len(result)
    await Tortoise.close_connections()

    floor_times = await strawberry_floor()
    env = bench_environment(url)
    baseline = os.environ.get("ASPIRE_BENCH_BASELINE")
    http_times: list[float] = []
    baseline_times: list[float] = []
    pair_ratios: list[float] = []

    async def timed(client: httpx.AsyncClient) -> float:
        started = time.perf_counter()
        r = await client.post("/graphql", json={"query": QUERY, "variables": variables},
                              headers={"authorization": f"Bearer {token}"})
        elapsed = (time.perf_counter() - started) * 1000
        assert r.status_code == 200 and "errors" not in r.json(), r.text[:500]
        return elapsed

    with contextlib.ExitStack() as servers:
        # With a baseline, both servers start the same way (their tree first on the import
        # path): started differently, two copies of the same code differed by ~10 %.
        base = servers.enter_context(running_server(env, root=ROOT if baseline else None))
        before = servers.enter_context(running_server(env, root=Path(baseline))) if baseline else None
        async with contextlib.AsyncExitStack() as clients:
            client = await clients.enter_async_context(httpx.AsyncClient(base_url=base, timeout=60))
            other = (await clients.enter_async_context(httpx.AsyncClient(base_url=before, timeout=60))
                     if before else None)
            for i in range(RUNS + 2):
                # Alternately, each first in turn: the two servers see the same machine.
                pair = [(client, http_times), (other, baseline_times)] if other else [(client, http_times)]
                for c, times in (pair if i % 2 == 0 else pair[::-1]):
                    elapsed = await timed(c)
                    if i >= 2:
                        times.append(elapsed)
                if other and i >= 2:
                    pair_ratios.append(http_times[-1] / baseline_times[-1])

    print(f"# bench_aggregates: {platform.node()}, {os.cpu_count()} cores, database {url.split(':')[0]}")
    print(summary(f"targetAggregates over HTTP ({rows} rows)", http_times))
    if baseline_times:
        print(summary(f"targetAggregates over HTTP, baseline {baseline}", baseline_times))
        print(f"this tree / baseline (p50): "
              f"{statistics.median(http_times) / statistics.median(baseline_times):.3f}; "
              f"median of the {len(pair_ratios)} paired ratios: {statistics.median(pair_ratios):.3f}")
    print(summary(f"raw GROUP BY over target ({raw_rows} groups)", raw_times))
    print(f"ratio HTTP/raw (p50): {statistics.median(http_times) / statistics.median(raw_times):.2f}")
    print(summary("Strawberry alone, same selection, 1,200 prebuilt rows (floor)", floor_times))
    print(f"SQL statements in targetAggregates: {statements}")


if __name__ == "__main__":
    asyncio.run(main())
