"""Bulk upload: a 100-row .xlsx from upload to the rendered "Check and create your users".

Through the ASGI app in-process (httpx), a temporary SQLite database, a signed-in
administrator and the real pages: POST /admin/users/upload (multipart, CSRF) then GET the
check page it redirects to. Each run uploads a fresh file (a few rows red or amber, as a
real one would be). Prints median and spread of the whole round trip and of each half,
and the SQL statements of the check page.

Run: .venv/bin/python bench/bench_upload.py   (ASPIRE_BENCH_RUNS=20 by default)
"""

from __future__ import annotations

import asyncio
import io
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RUNS = int(os.environ.get("ASPIRE_BENCH_RUNS", "20"))
WARM_UP = 2
PASSWORD = "a long bench password 4 upload"
ACCESS = ("No access to pupil data, aggregate data only",
          "Full access to pupil data including suppressed/sensitive items")
ROLES = ("Teacher", "Middle Leader", "Head Teacher/Senior Leader", "Data Manager", "Governor")


def workbook(run: int, rows: int = 100) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "User Details"
    sheet.append(["Forename", "Surname", "Email Address", "Role", "Pupil Access Level"])
    for n in range(rows):
        forename = "X" * 51 if n % 25 == 7 else f"Forename{n}"  # 4 red rows
        role = ROLES[n % len(ROLES)]  # every 5th a Governor: amber when full access
        sheet.append([forename, f"Surname{n}", f"r{run}.person{n}@school.example.org", role,
                      ACCESS[n % 2]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def summary(label: str, millis: list[float]) -> str:
    ordered = sorted(millis)
    quartiles = statistics.quantiles(ordered, n=4) if len(ordered) > 1 else [ordered[0]] * 3
    spread = statistics.pstdev(ordered) if len(ordered) > 1 else 0.0
    return (f"{label}: n={len(ordered)} median={statistics.median(ordered):.1f} ms "
            f"IQR={quartiles[0]:.1f}-{quartiles[2]:.1f} ms min={ordered[0]:.1f} ms "
            f"max={ordered[-1]:.1f} ms sd={spread:.1f} ms")


async def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="aspire-bench-upload-"))
    url = f"sqlite://{folder / 'bench.sqlite3'}"
    os.environ.update({
        "ASPIRE_ENV": "test", "ASPIRE_DATABASE_URL": url,
        "ASPIRE_OUTBOX_DIR": str(folder / "outbox"),
        "ASPIRE_SECRET_KEY": "bench-secret-key-" + "x" * 32,
    })
    import httpx
    from tortoise import Tortoise

    from server.app import create_app
    from server.auth.passwords import hash_password
    from server.database import apply_migrations
    from server.models import Account, AdministratorSlot, Organisation
    from server.models.enums import AccountKind, AccountStatus, OrganisationKind
    from server.observability import count_sql
    from server.settings import get_settings

    await apply_migrations(url)
    await Tortoise.init(config=get_settings().tortoise_config())
    la = await Organisation.create(kind=OrganisationKind.LOCAL_AUTHORITY, name="Benchshire",
                                   la_code="999")
    school = await Organisation.create(kind=OrganisationKind.SCHOOL, name="Bench School",
                                       urn="999999", local_authority=la)
    admin = await Account.create(
        kind=AccountKind.ADMINISTRATOR, organisation=school, forename="Bench", surname="Admin",
        email="bench.admin@school.example.org", login_name="benchadmin1",
        status=AccountStatus.ACTIVE, password_hash=await hash_password(PASSWORD),
    )
    await AdministratorSlot.create(organisation=school, slot=1, account=admin)

    transport = httpx.ASGITransport(app=create_app(open_database=False), client=("127.0.0.1", 1))
    totals, uploads, checks = [], [], []
    statements = rows_shown = 0
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await client.get("/admin/sign-in")
        signed = await client.post("/admin/sign-in", data={
            "csrftoken": client.cookies.get("csrftoken"), "loginName": admin.login_name,
            "password": PASSWORD})
        assert signed.status_code == 303, signed.text[:300]
        for run in range(WARM_UP + RUNS):
            data = workbook(run)
            started = time.perf_counter()
            posted = await client.post(
                "/admin/users/upload", data={"csrftoken": client.cookies.get("csrftoken")},
                files={"file": ("staff.xlsx", data, "application/octet-stream")})
            middle = time.perf_counter()
            assert posted.status_code == 303, posted.text[:500]
            with count_sql() as counted:
                page = await client.get(posted.headers["location"])
            ended = time.perf_counter()
            assert page.status_code == 200 and "Check and create your users" in page.text
            if run >= WARM_UP:
                totals.append((ended - started) * 1000)
                uploads.append((middle - started) * 1000)
                checks.append((ended - middle) * 1000)
                statements = counted.value
                rows_shown = len(re.findall(r'<tr class="govuk-table__row" id="row-', page.text))
    await Tortoise.close_connections()

    print(f"# bench_upload: {platform.node()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, SQLite (temporary), {len(data):,}-byte .xlsx")
    print(summary("upload to rendered check page (100 rows)", totals))
    print(summary("  POST /admin/users/upload (parse, store)", uploads))
    print(summary("  GET /admin/batches/{id} (check, render)", checks))
    print(f"rows on the check page: {rows_shown}; SQL statements for the check page: {statements}")


if __name__ == "__main__":
    asyncio.run(main())
