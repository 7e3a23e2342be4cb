"""Common Transfer Files for tests, written by hand to the DfE CTF layout (docs/CTF.md)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from pupil_files import pupil_row, upn


def assessment(subject: str, result: str, component: str = "", year: str = "2022",
               method: str = "TT", qualifier: str = "SS", locale: str = "EN") -> str:
    return (f"<StageAssessment><Locale>{locale}</Locale><Year>{year}</Year>"
            f"<Subject>{subject}</Subject><Method>{method}</Method>"
            f"<Component>{component}</Component><ResultQualifier>{qualifier}</ResultQualifier>"
            f"<Result>{result}</Result><ResultDate>{year}-07-05</ResultDate></StageAssessment>")


def ks2(reading: str, maths: str, year: str = "2022") -> str:
    return ("<KeyStage><Stage>KS2</Stage>" + assessment("ENG", reading, "RD", year)
            + assessment("MAT", maths, "MAT", year) + "</KeyStage>")


def pupil_xml(row: dict[str, str], stages: str | None = None) -> str:
    day, month, year = row["Date of birth"].split("/")
    if stages is None:
        prior = row.get("Prior attainment", "")
        stages = ks2(str(int(float(prior))), str(int(round(2 * float(prior) - int(float(prior)))))
                     ) if prior else ""
    return (f"<Pupil><UPN>{row['UPN']}</UPN><Surname>{escape(row['Surname'])}</Surname>"
            f"<Forename>{escape(row['Forename'])}</Forename><DOB>{year}-{month}-{day}</DOB>"
            f"<Gender>{row['Gender']}</Gender><NCyearActual>{row['Year group']}</NCyearActual>"
            f"<StageAssessments>{stages}</StageAssessments></Pupil>")


def ctf_bytes(pupils: list[str], dest_urn: str = "", la: str = "801", version: str = "20.0",
              root: str = "CTfile") -> bytes:
    header = (f"<Header><DocumentName>Common Transfer File</DocumentName>"
              f"<CTFversion>{version}</CTFversion><DateTime>2026-09-10T10:00:00</DateTime>"
              f"<DocumentQualifier>partial</DocumentQualifier><SupplierID>Test MIS</SupplierID>"
              f"<SourceSchool><LEA>{la}</LEA><Estab>2000</Estab><URN>100999</URN>"
              f"<SchoolName>Hillside Primary</SchoolName><AcademicYear>2026</AcademicYear>"
              f"</SourceSchool><DestSchool><LEA>801</LEA><Estab>4000</Estab>"
              f"<URN>{dest_urn}</URN></DestSchool></Header>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>{header}<CTFpupilData>'
            + "".join(pupils) + f"</CTFpupilData></{root}>").encode()


def spreadsheet_rows(count: int) -> list[dict[str, str]]:
    """`count` pupils of Years 7 to 11, as spreadsheet rows (flags as a CTF gives them)."""
    rows = []
    for serial in range(1, count + 1):
        row = pupil_row(1, 7 + serial % 5, Disadvantaged="", EAL="", Gender="FM"[serial % 2],
                        Forename=f"Pupil{serial}",
                        UPN=upn(serial % 1000, year=f"{15 + serial // 1000}"))
        row["Prior attainment"] = f"{95 + serial % 20}.5" if serial % 10 else ""
        rows.append(row)
    return rows


def big_ctf(count: int = 2000) -> tuple[bytes, list[dict[str, str]]]:
    """A CTF of `count` pupils and the spreadsheet rows of the same pupils."""
    rows = spreadsheet_rows(count)
    return ctf_bytes([pupil_xml(r) for r in rows]), rows
