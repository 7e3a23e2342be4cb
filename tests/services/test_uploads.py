"""The shared upload checks (services/uploads.py): one set of rules, each reader's words."""

from __future__ import annotations

import base64

import pytest

from server.errors import BadUserInput
from server.models.enums import BatchKind
from server.services import uploads
from server.services.pupils import reading as pupil_reading
from server.services.pupils.errors import PupilFileErrorCode
from server.services.spreadsheets import reading as people_reading
from server.services.spreadsheets.columns import COLUMNS
from server.services.spreadsheets.errors import SpreadsheetErrorCode
from server.services.uploads import UploadError
from tests.batches import files

DOCTYPE_PART = (b'<?xml version="1.0"?><!DOCTYPE Properties [<!ENTITY a "aaaaaaaaaa">]>'
                b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'custom-properties">&a;</Properties>')


def _with_custom_part(content: bytes) -> bytes:
    return files.add_member(files.xlsx(files.rows_of_people(2)), "docProps/custom.xml", content)


def test_a_doctype_in_a_part_openpyxl_never_reads_is_refused_by_both_readers():
    data = _with_custom_part(DOCTYPE_PART)
    with pytest.raises(UploadError) as people:
        people_reading.read_upload(data, "users.xlsx", COLUMNS[BatchKind.USERS])
    assert people.value.code is SpreadsheetErrorCode.UNSAFE
    assert people.value.field == "file"
    assert "cannot be opened safely" in people.value.message

    with pytest.raises(UploadError) as pupils:
        pupil_reading.read_table(data, 100)
    assert pupils.value.code is PupilFileErrorCode.UNREADABLE
    assert "DOCTYPE" in pupils.value.message and "Traceback" not in pupils.value.message


def test_a_utf16_doctype_is_found_too_and_a_plain_custom_part_is_fine():
    wide = DOCTYPE_PART.decode().replace('encoding="UTF-8"', "").encode("utf-16")
    with pytest.raises(UploadError):
        people_reading.check_zip(_with_custom_part(wide))
    plain = DOCTYPE_PART.replace(b'<!DOCTYPE Properties [<!ENTITY a "aaaaaaaaaa">]>', b"")
    plain = plain.replace(b"&a;", b"")
    sheet = people_reading.read_upload(_with_custom_part(plain), "users.xlsx",
                                       COLUMNS[BatchKind.USERS])
    assert len(sheet.rows) == 2


def test_one_rule_in_each_readers_words():
    for data, people_code, pupil_code in (
        (b"", SpreadsheetErrorCode.EMPTY, PupilFileErrorCode.REQUIRED),
        (b"a" * (uploads.MAX_FILE_BYTES + 1), SpreadsheetErrorCode.TOO_LARGE,
         PupilFileErrorCode.TOO_LARGE),
        (files.ratio_bomb(), SpreadsheetErrorCode.UNSAFE, PupilFileErrorCode.UNREADABLE),
        (files.many_members(), SpreadsheetErrorCode.UNSAFE, PupilFileErrorCode.UNREADABLE),
    ):
        with pytest.raises(UploadError) as people:
            people_reading.read_upload(data, "users.xlsx", COLUMNS[BatchKind.USERS])
        with pytest.raises(UploadError) as pupils:
            pupil_reading.read_table(data, 100)
        assert (people.value.code, pupils.value.code) == (people_code, pupil_code)


def test_base64_is_refused_as_too_large_before_it_is_decoded():
    too_long = "A" * ((uploads.MAX_FILE_BYTES // 3 + 3) * 4)
    with pytest.raises(UploadError) as caught:
        uploads.decode_base64(too_long, people_reading.WORDING)
    assert caught.value.message == "The selected file must be smaller than 5 MB."
    with pytest.raises(UploadError) as caught:
        uploads.decode_base64("not base64!", pupil_reading.WORDING)
    assert caught.value.code is PupilFileErrorCode.UNREADABLE
    with pytest.raises(BadUserInput):
        uploads.decode_base64("not base64!", people_reading.WORDING)
    assert uploads.decode_base64(base64.b64encode(b"abc").decode(), pupil_reading.WORDING) == b"abc"


def test_the_pupil_row_caps():
    rows = [["UPN", "Forename"]] + [[f"A{n}", "Ann"] for n in range(11)]
    csv = "\r\n".join(",".join(r) for r in rows).encode()
    with pytest.raises(UploadError) as caught:
        pupil_reading.read_table(csv, 10, "pupils")
    assert caught.value.code is PupilFileErrorCode.TOO_MANY_ROWS
    assert "more than 10 pupils" in caught.value.message
    assert len(pupil_reading.read_table(csv, 11).rows) == 11
