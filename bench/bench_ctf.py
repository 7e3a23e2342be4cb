"""Pupil import: a 2,000-pupil Common Transfer File from upload to the rendered check page,
against the CSV of the same pupils, in the same run.

Through the ASGI app in-process (httpx), a temporary SQLite database, a signed-in
administrator and the real pages: POST /admin/pupils/upload (multipart, CSRF) then GET the
check page it redirects to. Each run replaces the pending import. Then, once each, the peak
Python memory (tracemalloc) of the whole round trip for the CTF and the CSV, and the
process's peak resident set (resource.getrusage ru_maxrss: the whole process, app and data
included) before the first upload and after every run. The CSV carries the optional
Standardised score column for the pupils without KS2 (a fallback baseline).

Goal (issue 13): CTF round trip <= 1 s, peak memory <= 50 MB.

Run: .venv/bin/python bench/bench_ctf.py   (ASPIRE_BENCH_RUNS=5 by default)
"""

from __future__ import annotations

import asyncio
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "pupils"))

from bench.bench_upload import summary  # noqa: E402

RUNS = int(os.environ.get("ASPIRE_BENCH_RUNS", "5"))
PUPILS = int(os.environ.get("ASPIRE_BENCH_PUPILS", "2000"))
PASSWORD = "a long bench password 4 ctf"


async def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="aspire-bench-ctf-"))
    url = f"sqlite://{folder / 'bench.sqlite3'}"
    os.environ.update({
        "ASPIRE_ENV": "test", "ASPIRE_DATABASE_URL": url,
        "ASPIRE_OUTBOX_DIR": str(folder / "outbox"),
        "ASPIRE_SECRET_KEY": "bench-secret-key-" + "x" * 32,
    })
    import httpx
    from ctf_files import big_ctf
    from pupil_files import csv_bytes
    from tortoise import Tortoise

    from server.app import create_app
    from server.auth.passwords import hash_password
    from server.database import apply_migrations
    from server.models import Account, AdministratorSlot, Organisation
    from server.models.enums import AccountKind, AccountStatus, OrganisationKind
    from server.settings import get_settings

    await apply_migrations(url)
    await Tortoise.init(config=get_settings().tortoise_config())
    la = await Organisation.create(kind=OrganisationKind.LOCAL_AUTHORITY, name="Benchshire",
                                   la_code="801")
    school = await Organisation.create(kind=OrganisationKind.SCHOOL, name="Bench School",
                                       urn="999999", local_authority=la, phase="secondary",
                                       current_academic_year=2026)
    admin = await Account.create(
        kind=AccountKind.ADMINISTRATOR, organisation=school, forename="Bench", surname="Admin",
        email="bench.admin@school.example.org", login_name="benchadmin1",
        status=AccountStatus.ACTIVE, password_hash=await hash_password(PASSWORD),
    )
    await AdministratorSlot.create(organisation=school, slot=1, account=admin)
    ctf, rows = big_ctf(PUPILS)
    for serial, row in enumerate(rows):
        if not row["Prior attainment"]:
            row["Standardised score"] = f"{70 + serial % 60}"
    from pupil_files import HEADER

    csv = csv_bytes(rows, HEADER + ["Standardised score"])

    def peak_rss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    transport = httpx.ASGITransport(app=create_app(open_database=False), client=("127.0.0.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await client.get("/admin/sign-in")
        signed = await client.post("/admin/sign-in", data={
            "csrftoken": client.cookies.get("csrftoken"), "loginName": admin.login_name,
            "password": PASSWORD})
        assert signed.status_code == 303, signed.text[:300]

        cpu: dict[str, list[float]] = {"ctf": [], "csv": []}

        async def round_trip(name: str, data: bytes, kind: str | None = None) -> float:
            started, cpu_started = time.perf_counter(), time.process_time()
            posted = await client.post(
                "/admin/pupils/upload", data={"csrftoken": client.cookies.get("csrftoken")},
                files={"file": (name, data, "application/octet-stream")})
            assert posted.status_code == 303, posted.text[:500]
            page = await client.get(posted.headers["location"])
            assert page.status_code == 200 and "Check your pupil file" in page.text, page.text[:300]
            if kind:
                cpu[kind].append((time.process_time() - cpu_started) * 1000)
            return (time.perf_counter() - started) * 1000

        rss_before = peak_rss_mb()
        await round_trip("warm.xml", ctf)
        await round_trip("warm.csv", csv)
        times: dict[str, list[float]] = {"ctf": [], "csv": []}
        for _ in range(RUNS):  # alternated, so load from others hits both alike
            times["ctf"].append(await round_trip("mis.xml", ctf, "ctf"))
            times["csv"].append(await round_trip("pupils.csv", csv, "csv"))
        peaks = {}
        for kind, name, data in (("ctf", "mis.xml", ctf), ("csv", "pupils.csv", csv)):
            tracemalloc.start()
            await round_trip(name, data)
            peaks[kind] = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
        rss_after = peak_rss_mb()
    await Tortoise.close_connections()

    import statistics

    print(f"# bench_ctf: {platform.node()}, {os.cpu_count()} cores (shared), Python "
          f"{platform.python_version()}, SQLite (temporary); {PUPILS:,} pupils: CTF "
          f"{len(ctf):,} bytes, CSV {len(csv):,} bytes")
    print(summary("CTF upload to rendered check page", times["ctf"]))
    print(summary("CSV upload to rendered check page", times["csv"]))
    print(f"CPU time of the process per round trip (all threads; less moved by other load "
          f"than wall time): CTF median {statistics.median(cpu['ctf']):.0f} ms, CSV "
          f"{statistics.median(cpu['csv']):.0f} ms; load average {os.getloadavg()[0]:.1f}")
    ratio = statistics.median(times["ctf"]) / statistics.median(times["csv"])
    print(f"CTF / CSV median ratio: {ratio:.2f} (goal: CTF <= 1,000 ms)")
    print(f"peak traced Python memory of one round trip: CTF {peaks['ctf']:.1f} MB, "
          f"CSV {peaks['csv']:.1f} MB (goal: CTF <= 50 MB)")
    print(f"process peak RSS: {rss_before:.0f} MB before the first upload (app loaded, files "
          f"made), {rss_after:.0f} MB after every run: +{rss_after - rss_before:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
