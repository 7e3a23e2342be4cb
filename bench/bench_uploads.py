"""What the shared upload checks cost (services/uploads.py, issue 17): a 2,000-pupil .xlsx.

Prints, in one run, the median time of: the zip directory check alone (what the readers did
before), the whole check_zip (directory plus the DOCTYPE scan of every part), and reading the
file as a pupil table (read_table, which runs check_zip first). Run:
`.venv/bin/python -m bench.bench_uploads`.
"""

from __future__ import annotations

import io
import platform
import statistics
import time
import zipfile

from server.services import uploads
from server.services.pupils import reading

PUPILS = 2000
ROUNDS = 15


def pupil_workbook(count: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["UPN", "Forename", "Surname", "Gender", "Date of birth", "Year group",
                  "Prior attainment"])
    for n in range(count):
        sheet.append([f"A{n:012d}", f"Forename{n}", f"Surname{n}", "F", "01/09/2014",
                      7 + n % 5, 100 + n % 20])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def median_ms(work) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def directory_only(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        uploads._check_directory(archive.infolist(), reading.WORDING)


def main() -> None:
    data = pupil_workbook(PUPILS)
    print(f"{PUPILS} pupils, {len(data):,}-byte .xlsx, Python {platform.python_version()}, "
          f"median of {ROUNDS}")
    directory = median_ms(lambda: directory_only(data))
    whole = median_ms(lambda: uploads.check_zip(data, reading.WORDING))
    table = median_ms(lambda: reading.read_table(data, PUPILS))
    print(f"  zip directory only          {directory:8.2f} ms")
    print(f"  check_zip (+ DOCTYPE scan)  {whole:8.2f} ms")
    print(f"  read_table (all of it)      {table:8.2f} ms")
    print(f"  the scan's share of reading {100 * (whole - directory) / table:8.1f} %")


if __name__ == "__main__":
    main()
