"""Reading a Common Transfer File (CTF, the DfE's XML file every MIS exports) of pupils.

The file is streamed (defusedxml's iterparse, each <Pupil> cleared once read), so a
2,000-pupil file is never held as a tree. A DOCTYPE, an entity, or anything that is not an
England CTF (root <CTfile>) is refused before a pupil is read. What it gives back has the
shape of a spreadsheet of pupils (`Table` with the pupil spreadsheet's column names), so the
check and confirm steps of services.pupils.importing are the same for both; the CTF's own
findings (a result code instead of a score, a pupil sent to another school) come back per
row as problems. docs/CTF.md says which versions and codes are followed.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from server.services.pupils.errors import PupilImportErrorCode
from server.services.pupils.reading import Table
from server.services.uploads import Refusal, RowCap, UploadError

ROOT = "CTfile"
DOCUMENT_NAME = "Common Transfer File"
# Local authority numbers of Wales (CTFs between Welsh schools use them).
WELSH_LAS = range(660, 700)

HEADER = ("UPN", "Forename", "Surname", "Gender", "Date of birth", "Year group",
          "Prior attainment", "Disadvantaged", "SEN", "EAL")

# KS2 test result codes that stand in for a scaled score (STA's KS2 test outcome codes, as the
# DfE's CTF assessment lists them: docs/CTF.md). Anything else is "not a scaled score".
KS2_CODES: dict[str, str] = {
    "A": "absent",
    "AS": "achieved the standard, without a scaled score",
    "B": "working below the standard of the test",
    "D": "disapplied",
    "F": "will take the test in the future",
    "H": "result withheld (cheating)",
    "J": "just arrived in the school",
    "L": "left before the test",
    "M": "missing",
    "N": "took the test but was not awarded a scaled score",
    "NS": "did not achieve the standard, without a scaled score",
    "P": "took the test in the past",
    "Q": "maladministration",
    "T": "unable to access the test",
    "U": "unable to access the test",
}
# NC years of key stage 5, whose prior attainment is the mean GCSE point, not KS2.
SIXTH_FORM = ("12", "13")
# NC years whose prior attainment is the KS2 scaled score (key stage 4's years).
KS2_PRIOR_YEARS = ("7", "8", "9", "10", "11")
READING = "reading"
MATHS = "maths"


def _refuse(message: str, code: PupilImportErrorCode = PupilImportErrorCode.UNREADABLE) -> UploadError:
    return UploadError(message, code)


def _row_cap(max_rows: int) -> RowCap:
    too_many = Refusal(f"The file has more than {max_rows:,} pupils: export it in smaller "
                       "parts (a year group at a time)", PupilImportErrorCode.TOO_MANY_ROWS)
    return RowCap(rows=max_rows, scanned=max_rows, too_many_rows=too_many,
                  too_many_scanned=too_many)


def looks_like_xml(data: bytes) -> bool:
    """True when the first bytes are an XML declaration or element (after a BOM or spaces)."""
    head = data[:64].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<")


@dataclass
class CtfFile:
    version: str = ""
    source_urn: str = ""
    source_la: str = ""
    source_estab: str = ""
    source_name: str = ""
    dest_urn: str = ""
    expected_urn: str = ""
    academic_year: str = ""
    table: Table | None = None
    # row number -> problems found in the CTF itself: (field, message, severity)
    notes: dict[int, list[tuple[str, str, str]]] = field(default_factory=dict)


def _text(element: Element | None) -> str:
    if element is None or element.text is None:
        return ""
    return " ".join(element.text.split())[:200]


def _ks2_result(assessment: Element) -> tuple[str, str] | None:
    """(reading|maths, result) for a KS2 test scaled-score entry, else None."""
    subject = _text(assessment.find("Subject")).upper()
    component = _text(assessment.find("Component")).upper()
    method = _text(assessment.find("Method")).upper()
    qualifier = _text(assessment.find("ResultQualifier")).upper()
    if method != "TT" or qualifier not in ("SS", "SC", ""):
        return None
    if (subject == "ENG" and component in ("RD", "REA", "READ")) or subject in ("RD", "REA"):
        return READING, _text(assessment.find("Result")).upper()
    if subject in ("MAT", "MA") and component in ("", "MAT", "MA"):
        return MATHS, _text(assessment.find("Result")).upper()
    return None


def _gcse_point(assessment: Element) -> float | None:
    """A 9-1 GCSE grade as a point (KS4 results are prior attainment for KS5)."""
    qualifier = _text(assessment.find("ResultQualifier")).upper()
    result = _text(assessment.find("Result"))
    if qualifier not in ("GN", "GCSE", "9-1") or not result.isdigit():
        return None
    point = int(result)
    return float(point) if 1 <= point <= 9 else None


def _prior(pupil: Element, notes: list[tuple[str, str, str]]) -> float | None:
    """The prior attainment of the pupil's key stage (docs/CTF.md): for Years 12-13 the mean
    9-1 GCSE point (a KS2 score is not on that scale), for Years 7-11 the mean KS2 reading
    and maths scaled score; None without it, and for Years 3-6 (KS1 is not read)."""
    latest: dict[str, tuple[str, str]] = {}  # subject -> (year, result)
    gcse: list[float] = []
    for stage in pupil.iterfind("StageAssessments/KeyStage"):
        name = _text(stage.find("Stage")).upper()
        for assessment in stage.iterfind("StageAssessment"):
            locale = _text(assessment.find("Locale")).upper()
            if locale not in ("", "EN"):
                continue
            if name == "KS2":
                found = _ks2_result(assessment)
                if found:
                    year = _text(assessment.find("Year"))
                    if found[0] not in latest or year >= latest[found[0]][0]:
                        latest[found[0]] = (year, found[1])
            elif name == "KS4":
                point = _gcse_point(assessment)
                if point is not None:
                    gcse.append(point)
    year_group = _text(pupil.find("NCyearActual"))
    if year_group in SIXTH_FORM:
        return round(sum(gcse) / len(gcse), 2) if gcse else None
    if year_group not in KS2_PRIOR_YEARS:
        return None  # Years 3-6 take KS1, which is not read (a Year 6 CTF may hold KS2 results)
    scores: list[float] = []
    for subject in (READING, MATHS):
        if subject not in latest:
            continue
        result = latest[subject][1]
        if result.isdigit() and 80 <= int(result) <= 120:
            scores.append(float(result))
        else:
            meaning = KS2_CODES.get(result, "not a scaled score")
            notes.append(("prior_attainment",
                          f"KS2 {subject} test result is {result!r} ({meaning}), not a scaled "
                          "score: no prior attainment from KS2 (a standardised score can be "
                          "entered instead)", "warning"))
    if len(scores) == 2:
        return round(sum(scores) / 2, 1)
    if latest and len(scores) == 1:
        notes.append(("prior_attainment", "Only one of the KS2 reading and maths tests has a "
                      "scaled score: prior attainment needs both", "warning"))
    return None


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _pupils(root_events: Iterator[tuple[str, Element]], result: CtfFile, max_rows: int
            ) -> Iterator[tuple[int, tuple[Any, ...]]]:
    parent: Element | None = None
    number = 0
    cap = _row_cap(max_rows)
    for event, element in root_events:
        tag = element.tag
        if event == "start":
            if tag == "CTFpupilData":
                parent = element
            continue
        if tag == "Header":
            _header(element, result)
            element.clear()
        elif tag == "Pupil":
            number += 1
            cap.check_kept(number)
            notes: list[tuple[str, str, str]] = []
            prior = _prior(element, notes)
            if result.dest_urn and result.dest_urn != result.expected_urn:
                notes.append(("upn", f"This CTF was made for the school with URN "
                              f"{result.dest_urn}, not this school", "error"))
            if notes:
                result.notes[number] = notes
            born = _text(element.find("DOB"))
            yield number, (
                _text(element.find("UPN")),
                _text(element.find("Forename")),
                _text(element.find("Surname")),
                _text(element.find("Gender")),
                born,
                _text(element.find("NCyearActual")),
                _cell(prior),
                "", "", "",
            )
            element.clear()
            if parent is not None:
                parent.clear()


def _header(header: Element, result: CtfFile) -> None:
    name = _text(header.find("DocumentName"))
    if name and name.lower() != DOCUMENT_NAME.lower():
        raise _refuse(f"The file is a {name!r}, not a Common Transfer File", code=PupilImportErrorCode.NOT_CTF)
    result.version = _text(header.find("CTFversion"))
    source = header.find("SourceSchool")
    if source is not None:
        result.source_la = _text(source.find("LEA"))
        result.source_estab = _text(source.find("Estab"))
        result.source_urn = _text(source.find("URN"))
        result.source_name = _text(source.find("SchoolName"))
        result.academic_year = _text(source.find("AcademicYear"))
    dest = header.find("DestSchool")
    if dest is not None:
        result.dest_urn = _text(dest.find("URN"))
    if result.source_la.isdigit() and int(result.source_la) in WELSH_LAS:
        raise _refuse("This is a CTF from a school in Wales (LA "
                      f"{result.source_la}): only England's DfE Common Transfer File can be "
                      "read here", code=PupilImportErrorCode.NOT_CTF)


def read_ctf(data: bytes, max_rows: int, school_urn: str | None = None) -> CtfFile:
    """The CTF's header and its pupils as a pupil table. UploadError (field "file") for a
    file that is not a readable England CTF, has a DOCTYPE or entities, or too many pupils."""
    result = CtfFile(expected_urn=(school_urn or "").strip())
    rows: list[tuple[int, tuple[Any, ...]]] = []
    try:
        events = iterparse(io.BytesIO(data), events=("start", "end"),
                           forbid_dtd=True, forbid_entities=True, forbid_external=True)
        first = next(events, None)
        if first is None:
            raise _refuse("The file is empty")
        if first[1].tag != ROOT:
            raise _refuse(f"The file is XML but not a Common Transfer File (its first element "
                          f"is <{str(first[1].tag)[:40]}>, not <{ROOT}>): export a CTF from "
                          "your MIS", code=PupilImportErrorCode.NOT_CTF)
        for row in _pupils(events, result, max_rows):
            rows.append(row)
    except UploadError:
        raise
    except DefusedXmlException:
        raise _refuse("The file contains a DOCTYPE or entity declarations, which a Common "
                      "Transfer File never has: it was not read", code=PupilImportErrorCode.UNSAFE) from None
    except (ParseError, ValueError, TypeError):
        raise _refuse("The file is not a readable XML Common Transfer File: export it from "
                      "your MIS again") from None
    if not result.version:
        raise _refuse("The file has no CTF header (<Header> with <CTFversion>): export a CTF "
                      "from your MIS", code=PupilImportErrorCode.NOT_CTF)
    result.table = Table(header=HEADER, rows=tuple(rows))
    return result
