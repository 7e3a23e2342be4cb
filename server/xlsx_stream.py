"""A one-sheet .xlsx of text cells, written as a stream: rows in, zip bytes out.

Memory stays flat whatever the number of rows: the sheet's XML is deflated as it is made
and every chunk of the zip is handed back as soon as it is written (the zip entries carry
data descriptors, so nothing is sought back to). Every cell is an inline string with the
text number format (@), as is every column, so a spreadsheet never reads a value as a
number, a date or a formula. Values are written as given: neutralising formula-like text
is not needed: a typed text cell is never evaluated (server.formula_safety explains).

Used by the export page (streaming, page by page) and by the GraphQL workbook field
(`workbook_bytes`). Plain Python and zipfile only, so pages and services may both import it.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import quoteattr

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET = "xl/worksheets/sheet1.xml"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_FLUSH_PARTS = 4096  # XML pieces gathered before they are deflated
_TEXT_STYLE = 1  # cellXfs index of the text format (built-in number format 49, "@")

_PARTS: tuple[tuple[str, str], ...] = (
    ("[Content_Types].xml", _XML
     + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
     '<Default Extension="xml" ContentType="application/xml"/>'
     '<Override PartName="/xl/workbook.xml" '
     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
     '<Override PartName="/xl/worksheets/sheet1.xml" '
     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
     '<Override PartName="/xl/styles.xml" '
     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
     '</Types>'),
    ("_rels/.rels", _XML
     + f'<Relationships xmlns="{_PKG_REL}">'
     f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
     '</Relationships>'),
    ("xl/_rels/workbook.xml.rels", _XML
     + f'<Relationships xmlns="{_PKG_REL}">'
     f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
     f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
     '</Relationships>'),
    ("xl/styles.xml", _XML
     + f'<styleSheet xmlns="{_MAIN}">'
     '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
     '<fills count="2"><fill><patternFill patternType="none"/></fill>'
     '<fill><patternFill patternType="gray125"/></fill></fills>'
     '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
     '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
     '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
     '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
     '</cellXfs>'
     '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
     '</styleSheet>'),
)

# What XML 1.0 cannot carry, or a reader would change (\r becomes \n), is written as the
# spreadsheet escape _xHHHH_; text that already looks like such an escape has its "_"
# escaped (_x005F_), so that it reads back as itself.
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    return _ENTITIES.get(char) or f"_x{ord(char):04X}_"


def escape(text: str) -> str:
    """Cell text as XML character data, with the spreadsheet escapes where needed."""
    return _SPECIAL.sub(_escape_one, text)


def column_letters(index: int) -> str:
    """A, B, ..., Z, AA, ... for index 0, 1, ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _workbook_xml(title: str) -> str:
    return (_XML + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f'<sheets><sheet name={quoteattr(title)} sheetId="1" r:id="rId1"/></sheets></workbook>')


def sheet_title(title: str) -> str:
    """A valid sheet name: at most 31 characters, none of []:*?/\\ (replaced by a space)."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip("'")[:31]
    return cleaned or "Sheet1"


class _Chunks(io.RawIOBase):
    """An unseekable sink that keeps what was written until it is taken."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


class TextSheetStream:
    """Write `start(columns)`, then `rows(...)` any number of times, then `finish()`; each
    returns the next bytes of the .xlsx file (possibly empty)."""

    def __init__(self, title: str = "Sheet1", date_time: tuple[int, ...] | None = None) -> None:
        # Every part carries one time stamp: the same rows give the same bytes.
        self._date_time = tuple(date_time or time.localtime()[:6])
        self._title = sheet_title(title)
        self._out = _Chunks()
        self._zip = zipfile.ZipFile(self._out, "w", zipfile.ZIP_DEFLATED)
        self._sheet = None
        self._letters: list[str] = []
        self._next_row = 1

    def start(self, columns: Sequence[str]) -> bytes:
        for name, text in _PARTS:
            self._zip.writestr(self._part(name), text)
        self._zip.writestr(self._part("xl/workbook.xml"), _workbook_xml(self._title))
        self._letters = [column_letters(i) for i in range(len(columns))]
        self._sheet = self._zip.open(self._part(_SHEET), "w")
        width = len(columns) or 1
        self._sheet.write((
            _XML + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="{width}" width="18" '
            f'style="{_TEXT_STYLE}" customWidth="1"/></cols><sheetData>'
        ).encode())
        return self.rows([columns])

    def _part(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    def rows(self, rows: Iterable[Sequence[str | None]]) -> bytes:
        if self._sheet is None:
            raise RuntimeError("start() first")
        letters = self._letters
        n = self._next_row
        parts: list[str] = []
        append = parts.append
        for row in rows:
            append(f'<row r="{n}">')
            for i, value in enumerate(row):
                ref = (letters[i] if i < len(letters) else column_letters(i)) + str(n)
                if value is None or value == "":
                    append(f'<c r="{ref}" s="{_TEXT_STYLE}"/>')
                else:
                    text = value if isinstance(value, str) else str(value)
                    if _SPECIAL.search(text):
                        text = escape(text)
                    append(f'<c r="{ref}" s="{_TEXT_STYLE}" t="inlineStr"><is><t xml:space="preserve">'
                           f'{text}</t></is></c>')
            append("</row>")
            n += 1
            if len(parts) >= _FLUSH_PARTS:
                self._sheet.write("".join(parts).encode("utf-8"))
                parts.clear()
        self._next_row = n
        if parts:
            self._sheet.write("".join(parts).encode("utf-8"))
        return self._out.take()

    def finish(self) -> bytes:
        if self._sheet is None:
            self.start([])
        self._sheet.write(b"</sheetData></worksheet>")
        self._sheet.close()
        self._zip.close()
        return self._out.take()


def stream(columns: Sequence[str], rows: Iterable[Sequence[str | None]], title: str = "Sheet1",
           batch: int = 500, date_time: tuple[int, ...] | None = None) -> Iterator[bytes]:
    """The .xlsx file in chunks, `batch` rows at a time."""
    sheet = TextSheetStream(title, date_time=date_time)
    yield sheet.start(columns)
    chunk: list[Sequence[str | None]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            yield sheet.rows(chunk)
            chunk = []
    yield sheet.rows(chunk)
    yield sheet.finish()


def workbook_bytes(columns: Sequence[str], rows: Iterable[Sequence[str | None]], title: str = "Sheet1",
                   date_time: tuple[int, ...] | None = None) -> bytes:
    return b"".join(stream(columns, rows, title, date_time=date_time))
