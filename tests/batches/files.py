"""Spreadsheets for the bulk-upload tests, made here: good ones and a corpus of hostile ones."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile

import openpyxl
import xlwt

USER_HEADINGS = ["Forename", "Surname", "Email Address", "Role", "Pupil Access Level"]
ADMIN_HEADINGS = ["Forename", "Surname", "Email Address"]
AGGREGATE = "No access to pupil data, aggregate data only"
FULL = "Full access to pupil data including suppressed/sensitive items"


def person(n: int, role: str = "Teacher", access: str = AGGREGATE) -> list[str]:
    return [f"Forename{n}", f"Surname{n}", f"person{n}@school.example.org", role, access]


def xlsx(rows: list[list[object]], headings: list[str] | None = None,
         sheet_title: str = "User Details") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_title
    sheet.append(headings if headings is not None else USER_HEADINGS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls(rows: list[list[object]], headings: list[str] | None = None) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("User Details")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for c, value in enumerate(headings if headings is not None else USER_HEADINGS):
        sheet.write(0, c, value)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write(r, c, value, date_style)
            else:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[str]], headings: list[str] | None = None,
              encoding: str = "utf-8", bom: bool = False) -> bytes:
    import csv

    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(headings if headings is not None else USER_HEADINGS)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def rows_of_people(count: int) -> list[list[str]]:
    return [person(n) for n in range(1, count + 1)]


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    """The same .xlsx with one member's content replaced (stored compressed as usual)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, content if item.filename == name else source.read(item))
    return out.getvalue()


def add_member(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item))
        target.writestr(name, content)
    return out.getvalue()


# ---- the hostile corpus -------------------------------------------------------------------

def html_renamed() -> bytes:
    return (b"<!DOCTYPE html><html><body><table><tr><td>Forename</td><td>Surname</td></tr>"
            b"<tr><td><img src=x onerror=alert(1)></td></tr></table></body></html>")


def truncated_xlsx() -> bytes:
    data = xlsx(rows_of_people(3))
    return data[: len(data) // 2]


def ratio_bomb() -> bytes:
    """An .xlsx with an extra member of 20 MB of zeros: tiny on disk, a ratio near 1000."""
    return add_member(xlsx(rows_of_people(1)), "xl/media/padding.bin", b"\x00" * (20 * 1024 * 1024))


def declared_size_bomb() -> bytes:
    """A small zip whose central directory declares a member of nearly 4 GB."""
    data = bytearray(xlsx(rows_of_people(1)))
    at = data.find(b"PK\x01\x02")  # first central directory header
    assert at > 0
    struct.pack_into("<I", data, at + 24, 0xFFFFFFF0)  # uncompressed size
    return bytes(data)


def many_members() -> bytes:
    data = xlsx(rows_of_people(1))
    for n in range(60):
        data = add_member(data, f"xl/media/image{n}.bin", b"x")
    return data


def entity_bomb(member: str = "xl/workbook.xml") -> bytes:
    """Billion laughs inside the workbook (or a sheet): defusedxml must refuse it."""
    data = xlsx(rows_of_people(1))
    lol = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        + b"".join(
            f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
            for i in range(1, 10)
        )
        + b"]>\n"
    )
    original = zipfile.ZipFile(io.BytesIO(data)).read(member)
    body = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    body = body.replace(b"Forename1", b"&lol9;", 1) if b"Forename1" in body else body
    return replace_member(data, member, lol + body)


def external_entity(member: str = "xl/worksheets/sheet1.xml") -> bytes:
    data = xlsx(rows_of_people(1))
    original = zipfile.ZipFile(io.BytesIO(data)).read(member)
    body = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    body = body.replace(b"Forename1", b"&xxe;", 1)
    doctype = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return replace_member(data, member, doctype + body)


def huge_row_index() -> bytes:
    """A sheet whose only data row claims to be row 1,000,000 (and a lying dimension)."""
    data = xlsx([])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace('<dimension ref="A1:E1"/>', '<dimension ref="A1:XFD1048576"/>')
    extra = ('<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>Late</t></is></c></row>'
             "</sheetData>")
    sheet = sheet.replace("</sheetData>", extra)
    return replace_member(data, "xl/worksheets/sheet1.xml", sheet.encode())


def not_xlsx_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hello.txt", "not a workbook")
    return out.getvalue()


def png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def damaged_xls() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x07" * 2048


def utf16_csv() -> bytes:
    return "\ufeffForename,Surname\r\nAnn,Lee\r\n".encode("utf-16-le")


def password_protected_xlsx() -> bytes:
    """What Excel saves for a password-protected .xlsx: an OLE2 file with an EncryptedPackage."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptedInfo".encode("utf-16-le") + b"\x00" * 50
    directory += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 50
    return header + directory + b"\x00" * 1024
