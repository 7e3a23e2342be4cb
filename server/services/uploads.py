"""The safety checks every uploaded file passes, once, before anything parses it.

A batch of people (services/spreadsheets/reading.py), a pupil or value-added file
(services/pupils/reading.py) and a Common Transfer File (services/pupils/ctf.py) are read by
their own parsers, but the rules that keep a hostile file harmless are here: the size (also
of base64 text, before it is decoded), an .xlsx's zip directory (parts, sizes, compression
ratio, encryption) read before anything is decompressed, no DOCTYPE or entity in ANY XML
part of the workbook (not only the parts openpyxl happens to parse), and a cap on the rows
looked at and kept. Each reader passes its own `Wording` (the words and codes its users
see) and `RowCap`; every refusal is an `UploadError` on the field `file`.
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
from dataclasses import dataclass
from enum import Enum

from server.errors import BadUserInput
from server.services.errors import UserInputError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 50
XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other old Office files
_SCAN_CHUNK = 64 * 1024
_MARKERS = (b"<!doctype", b"<!entity")
_BINARY_PARTS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".bin")


class UploadError(UserInputError):
    """The whole file is refused: nothing is created from it."""

    def __init__(self, message: str, code: Enum) -> None:
        super().__init__(message, "file", code)


@dataclass(frozen=True)
class Refusal:
    message: str
    code: Enum

    def error(self) -> UploadError:
        return UploadError(self.message, self.code)


@dataclass(frozen=True)
class Wording:
    """What a reader says for each refusal of the shared checks, in its users' words."""

    empty: Refusal
    too_large: Refusal
    damaged: Refusal  # not a readable zip
    too_many_parts: Refusal
    expands_too_far: Refusal  # over MAX_UNCOMPRESSED_BYTES once opened
    too_compressed: Refusal  # a part compressed more than MAX_COMPRESSION_RATIO
    protected: Refusal
    not_workbook: Refusal  # a zip without a workbook in it
    unsafe_xml: Refusal  # a DOCTYPE or entity in an XML part
    not_base64: Refusal | None = None  # None: BAD_USER_INPUT, the request itself is wrong


@dataclass(frozen=True)
class RowCap:
    """At most `rows` data rows kept, and `scanned` rows looked at (blank ones included)."""

    rows: int
    scanned: int
    too_many_rows: Refusal
    too_many_scanned: Refusal

    def check_scanned(self, row_number: int) -> None:
        if row_number > self.scanned:
            raise self.too_many_scanned.error()

    def check_kept(self, count: int) -> None:
        """`count`: the number of the data row about to be kept."""
        if count > self.rows:
            raise self.too_many_rows.error()


def check_size(data: bytes, wording: Wording) -> None:
    if not data:
        raise wording.empty.error()
    if len(data) > MAX_FILE_BYTES:
        raise wording.too_large.error()


def decode_base64(content: str, wording: Wording) -> bytes:
    """A file sent as base64 text; refused as too large before it is decoded."""
    if len(content) > (MAX_FILE_BYTES // 3 + 2) * 4:
        raise wording.too_large.error()
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        if wording.not_base64 is None:
            raise BadUserInput("contentBase64 is not valid base64.") from None
        raise wording.not_base64.error() from None


def check_zip(data: bytes, wording: Wording) -> None:
    """An .xlsx is safe to open: its directory first, then every part for a DOCTYPE."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_directory(members, wording)
            for member in members:
                if _declares_doctype(archive, member):
                    raise wording.unsafe_xml.error()
    except UploadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
            RuntimeError, NotImplementedError):
        raise wording.damaged.error() from None


def _check_directory(members: list[zipfile.ZipInfo], wording: Wording) -> None:
    if len(members) > MAX_ZIP_MEMBERS:
        raise wording.too_many_parts.error()
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / member.compress_size if member.compress_size else None
        if member.file_size > 0 and (ratio is None or ratio > MAX_COMPRESSION_RATIO):
            raise wording.too_compressed.error()
        if member.flag_bits & 0x1:
            raise wording.protected.error()
    if total > MAX_UNCOMPRESSED_BYTES:
        raise wording.expands_too_far.error()
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise wording.not_workbook.error()


def _declares_doctype(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """True when the part has a DOCTYPE or ENTITY declaration (UTF-8 or UTF-16 text)."""
    if member.is_dir() or member.file_size == 0 or member.filename.lower().endswith(_BINARY_PARTS):
        return False
    tail = b""
    wide: bool | None = None
    with archive.open(member) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            if wide is None:
                wide = chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in chunk[:4]
            text = tail + chunk
            probe = (text.replace(b"\x00", b"") if wide else text).lower()
            if any(marker in probe for marker in _MARKERS):
                return True
            tail = text[-32:]
    return False
