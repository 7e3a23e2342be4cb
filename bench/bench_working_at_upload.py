"""Working-at spreadsheets (issue 14 part 1): a whole year group's template, filled in, from
check to confirm (services.tracking.uploading), on a temporary SQLite database.

300 Year 11 pupils; the template carries every included subject (20 KS4 subjects by
default), every cell filled with a grade (one in fifty refused). Prints the median and
spread of building the template, checking the upload (read, verdicts, store) and
confirming it (every accepted grade in one transaction), with the SQL statements of each.

Run: nice -n 5 .venv/bin/python -m bench.bench_working_at_upload   (ASPIRE_BENCH_RUNS=5)
"""

from __future__ import annotations

import asyncio
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RUNS = int(os.environ.get("ASPIRE_BENCH_RUNS", "5"))
PUPILS = 300
GRADES = ("4", "5", "6", "7", "3", "C", "B", "8", "2", "9")


def summary(label: str, millis: list[float]) -> str:
    ordered = sorted(millis)
    quartiles = statistics.quantiles(ordered, n=4) if len(ordered) > 1 else [ordered[0]] * 3
    return (f"{label}: n={len(ordered)} median={statistics.median(ordered):.1f} ms "
            f"IQR={quartiles[0]:.1f}-{quartiles[2]:.1f} ms min={ordered[0]:.1f} ms "
            f"max={ordered[-1]:.1f} ms")


def filled(template: bytes, run: int) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template))
    sheet = book["Working at"]
    for r, row in enumerate(sheet.iter_rows(min_row=2, min_col=3), start=0):
        for c, cell in enumerate(row):
            n = r * len(row) + c + run
            cell.value = "Z" if n % 50 == 0 else GRADES[n % len(GRADES)]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="aspire-bench-working-at-"))
    url = f"sqlite://{folder / 'bench.sqlite3'}"
    os.environ.update({"ASPIRE_ENV": "test", "ASPIRE_DATABASE_URL": url,
                       "ASPIRE_OUTBOX_DIR": str(folder / "outbox"),
                       "ASPIRE_SECRET_KEY": "bench-secret-key-" + "x" * 32})
    from tortoise import Tortoise

    from server.database import apply_migrations
    from server.models import AssessmentPoint, Organisation, Pupil, WorkingAtGrade
    from server.models.enums import KeyStage, OrganisationKind
    from server.observability import count_sql
    from server.services.audit import Actor
    from server.services.catalogue import ensure_subjects
    from server.services.tracking.uploading import check_upload, confirm_upload, template
    from server.settings import get_settings

    await apply_migrations(url)
    await Tortoise.init(config=get_settings().tortoise_config())
    await ensure_subjects()
    school = await Organisation.create(kind=OrganisationKind.SCHOOL, name="Bench School",
                                       urn="999998")
    await Pupil.bulk_create([Pupil(
        school=school, upn=f"B{n:012d}", forename=f"Pupil{n}", surname=f"Bench{n:03d}",
        gender="F" if n % 2 else "M", date_of_birth=date(2011, 1 + n % 12, 3), year_group=11,
        prior_attainment=95.0 + n % 20) for n in range(PUPILS)])
    actor = Actor.command_line()
    made_ms, check_ms, confirm_ms = [], [], []
    statements: dict[str, int] = {}
    for run in range(RUNS):
        point = await AssessmentPoint.create(
            school=school, key_stage=KeyStage.KS4, year_group=11, academic_year=2026,
            name=f"Point {run}", on=date(2026, 11, 1))
        started = time.perf_counter()
        with count_sql() as counted:
            made = await template(school.id, point.id, 11)
        made_ms.append((time.perf_counter() - started) * 1000)
        statements["template"] = counted.value
        data = filled(made.content, run)
        started = time.perf_counter()
        with count_sql() as counted:
            upload = await check_upload(actor, school.id, point.id, 11, "year11.xlsx", data)
        check_ms.append((time.perf_counter() - started) * 1000)
        statements["check"] = counted.value
        started = time.perf_counter()
        with count_sql() as counted:
            result = await confirm_upload(actor, school.id, upload.id)
        confirm_ms.append((time.perf_counter() - started) * 1000)
        statements["confirm"] = counted.value
        assert await WorkingAtGrade.filter(point=point).count() == result["saved"]
    await Tortoise.close_connections()
    print(f"# bench_working_at_upload: {platform.node()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, SQLite (temporary), {PUPILS} pupils, "
          f"{len(data):,}-byte .xlsx")
    print(summary("template (build .xlsx)", made_ms))
    print(summary("check (read, verdicts, store pending)", check_ms))
    print(summary("confirm (save accepted grades)", confirm_ms))
    print(f"grades per upload: {result['accepted']} accepted, {result['refused']} refused; "
          f"SQL statements: {statements}")


if __name__ == "__main__":
    asyncio.run(main())
