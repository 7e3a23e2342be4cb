"""Export of a year group's targets as .xlsx (/targets/export.xlsx): 300 pupils x 20 subjects.

Time over HTTP against one server process (p50 and spread), and memory: the peak Python
allocation (tracemalloc) of one export in-process, for the whole year group (6,000 rows)
and for half of it (3,000 rows), so that "flat" can be read off: a peak that grows with the
rows is memory proportional to the export. The memory run starts from a collected heap and
sends the body to a file as it comes (httpx's ASGI transport would keep the whole body,
which is the client's memory, not the server's). Goal (issue 8): <= 1 s for 6,000 rows.

In the same run, to split the time: /targets/export.csv over HTTP (the same pages of the
TargetExport query with the csv module as the writer: the rows-read part), alternating
with the .xlsx requests; and, in-process on the same 6,000 rows, the workbook writer alone
against the one used before (openpyxl write-only, a styled WriteOnlyCell per value).

Run: .venv/bin/python bench/bench_export.py   (ASPIRE_BENCH_DATABASE_URL=postgres://... for
PostgreSQL: a scratch database is made next to it and dropped afterwards)
"""

from __future__ import annotations

import asyncio
import csv
import gc
import io
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.school_year import PUPILS, YEAR, school_year_database, sign_in  # noqa: E402
from bench.serving import bench_environment, running_server, summary  # noqa: E402

RUNS = int(os.environ.get("ASPIRE_BENCH_RUNS", "10"))
PATH = f"/targets/export.xlsx?yearGroup={YEAR}"
CSV_PATH = f"/targets/export.csv?yearGroup={YEAR}"


def openpyxl_styled(rows: list[list[str]]) -> bytes:
    """The writer before (server/services/targets/export.py up to issue 8's export work)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Targets")
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cell.number_format = "@"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def streamed(rows: list[list[str]]) -> bytes:
    """The writer now: server/xlsx_stream.py, fed pages of 2,000 rows as the page does."""
    from server.xlsx_stream import TextSheetStream

    sheet = TextSheetStream("Targets")
    out = [sheet.start(rows[0])]
    out += [sheet.rows(rows[i:i + 2000]) for i in range(1, len(rows), 2000)]
    out.append(sheet.finish())
    return b"".join(out)


def writer_times(rows: list[list[str]]) -> list[str]:
    lines = []
    for name, write in (("before: openpyxl styled cells", openpyxl_styled),
                        ("now: xlsx_stream", streamed)):
        millis = []
        for _ in range(RUNS):
            started = time.perf_counter()
            write(rows)
            millis.append((time.perf_counter() - started) * 1000)
        lines.append(summary(f"writer alone, {len(rows) - 1} rows, {name}", millis))
    return lines


def rows_in(content: bytes) -> int:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return sum(1 for _ in book.active.iter_rows()) - 1


async def served_to_file(app, path: str, cookies: httpx.Cookies, sink) -> int:
    """GET `path` from the ASGI app, the body written to `sink` (a file) as it comes, so that
    the client's copy of the body is not counted as the server's memory; the status."""
    target, _, query = path.partition("?")
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": target, "raw_path": target.encode(), "root_path": "",
        "query_string": query.encode(), "client": ("127.0.0.1", 50000), "server": ("bench", 80),
        "headers": [(b"host", b"bench"), (b"cookie", cookie.encode())],
    }
    done = asyncio.Event()
    sent_request = False
    status = 0

    async def receive() -> dict:
        nonlocal sent_request
        if not sent_request:
            sent_request = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            sink.write(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    await app(scope, receive, send)
    done.set()
    return status


async def peak_memory(url: str, facts: dict, pupils_left: int) -> tuple[int, float]:
    """Rows exported and the peak traced allocation (MB) of one in-process export, from a
    collected heap (gc.collect() first), the body going to a file as it is sent."""
    from tortoise import Tortoise

    from server.app import create_app
    from server.models import Pupil
    from server.settings import tortoise_config

    await Tortoise.init(config=tortoise_config(url))
    try:
        current = await Pupil.filter(left_at__isnull=True).order_by("id").values_list("id", flat=True)
        await Pupil.filter(id__in=current[pupils_left:]).update(left_at="2026-11-01")
        app = create_app(open_database=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await sign_in(client, facts["login"], facts["password"])
            await client.get(PATH)  # warm: templates, schema, first queries
            cookies = client.cookies
        with tempfile.TemporaryFile() as sink:
            gc.collect()
            tracemalloc.start()
            status = await served_to_file(app, PATH, cookies, sink)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            sink.seek(0)
            content = sink.read()
        await Pupil.filter(id__in=current[pupils_left:]).update(left_at=None)
        assert status == 200, status
        return rows_in(content), peak / 2**20
    finally:
        await Tortoise.close_connections()


async def main() -> None:
    async with school_year_database() as (url, facts):
        times: dict[str, list[float]] = {PATH: [], CSV_PATH: []}
        with running_server(bench_environment(url)) as base:
            async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                await sign_in(client, facts["login"], facts["password"])
                for i in range(RUNS + 1):
                    for path in (PATH, CSV_PATH):  # alternating: the same noise for both
                        started = time.perf_counter()
                        response = await client.get(path)
                        elapsed = (time.perf_counter() - started) * 1000
                        assert response.status_code == 200, response.status_code
                        if i >= 1:
                            times[path].append(elapsed)
                        if path == PATH:
                            content = response.content
                        else:
                            csv_rows = list(csv.reader(io.StringIO(response.text)))
                rows = rows_in(content)
        memory = [await peak_memory(url, facts, n) for n in (PUPILS // 2, PUPILS)]
    print(f"# bench_export: {platform.node()}, {os.cpu_count()} cores, database "
          f"{url.split(':')[0]}")
    print(summary(f"/targets/export.xlsx over HTTP ({rows} rows, {len(content) // 1024} KB)",
                  times[PATH]))
    print(summary(f"/targets/export.csv over HTTP ({len(csv_rows) - 1} rows), same pages: rows read",
                  times[CSV_PATH]))
    for line in writer_times(csv_rows):
        print(line)
    for exported, peak in memory:
        print(f"peak traced memory of one export, {exported} rows: {peak:.1f} MB")


if __name__ == "__main__":
    asyncio.run(main())
