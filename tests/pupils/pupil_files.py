"""Pupil files for tests: valid UPNs and CSV/.xlsx content."""

from __future__ import annotations

import io

from server.services.pupils_upn import upn_check_letter

HEADER = ["UPN", "Forename", "Surname", "Gender", "Date of birth", "Year group",
          "Prior attainment", "Disadvantaged", "SEN", "EAL"]


def upn(serial: int, la: str = "801", school: str = "2000", year: str = "15") -> str:
    rest = f"{la}{school}{year}{serial:03d}"
    return upn_check_letter(rest) + rest


def pupil_row(serial: int, year_group: int = 10, **changes) -> dict[str, str]:
    born_year = 2026 - year_group - 4  # spring birthday of the year group in 2026/27
    row = {
        "UPN": upn(serial), "Forename": f"Pupil{serial}", "Surname": "Smith", "Gender": "F",
        "Date of birth": f"15/03/{born_year}", "Year group": str(year_group),
        "Prior attainment": "104.5" if year_group <= 11 else "5.5",
        "Disadvantaged": "N", "SEN": "", "EAL": "Y",
    }
    if year_group <= 6:
        row["Prior attainment"] = "15"
    row.update(changes)
    return row


def csv_bytes(rows: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    header = header or HEADER
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join(row.get(h, "") for h in header))
    return ("\r\n".join(lines) + "\r\n").encode()


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
