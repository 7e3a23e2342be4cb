"""Reading uploads safely: good files in every format, and the hostile corpus."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from server.models.enums import BatchKind
from server.services.spreadsheets.columns import COLUMNS, SHEET_NAMES
from server.services.spreadsheets.reading import (
    MAX_FILE_BYTES,
    UploadError,
    check_zip,
    read_upload,
    sniff,
)
from tests.batches import files

USERS = COLUMNS[BatchKind.USERS]
ADMINS = COLUMNS[BatchKind.ADMINISTRATORS]


def read(data: bytes, name: str = "users.xlsx", columns=USERS):
    return read_upload(data, name, columns, [SHEET_NAMES[BatchKind.USERS]])


def refused(data: bytes, name: str = "users.xlsx", columns=USERS) -> UploadError:
    with pytest.raises(UploadError) as caught:
        read(data, name, columns)
    return caught.value


def test_xlsx_xls_and_csv_read_the_same_rows():
    rows = files.rows_of_people(3)
    for data, name, kind in (
        (files.xlsx(rows), "a.xlsx", "xlsx"),
        (files.xls(rows), "a.xls", "xls"),
        (files.csv_bytes(rows), "a.csv", "csv"),
    ):
        sheet = read(data, name)
        assert sheet.file_format == kind
        assert [r.row_number for r in sheet.rows] == [2, 3, 4]
        assert sheet.rows[0].values == {
            "forename": "Forename1", "surname": "Surname1",
            "email": "person1@school.example.org", "role": "Teacher",
            "pupilAccess": files.AGGREGATE,
        }


def test_headings_in_any_order_case_and_spacing_and_blank_rows_and_spaces_ignored():
    headings = ["  email ADDRESS ", "Pupil access level", "ROLE", "sur name", "Forename*", "Notes"]
    rows = [
        ["  a@school.example.org ", "full", "Governor", " Lee ", " Ann ", "ignored"],
        [None, None, None, None, None, None],
        ["", "  ", "", "", "", ""],
        ["b@school.example.org", "aggregate", "Teacher", "Khan", "Bo", None],
    ]
    sheet = read(files.xlsx(rows, headings))
    assert [r.row_number for r in sheet.rows] == [2, 5]
    assert sheet.rows[0].values == {
        "forename": "Ann", "surname": "Lee", "email": "a@school.example.org",
        "role": "Governor", "pupilAccess": "full",
    }


def test_missing_heading_is_named():
    error = refused(files.xlsx([["Ann", "Lee", "Teacher"]], ["Forename", "Surname", "Role"]))
    assert error.code == "MISSING_COLUMNS"
    assert "\u201cEmail Address\u201d" in error.message
    assert "\u201cPupil Access Level\u201d" in error.message


def test_a_title_above_the_headings_is_passed_over_but_data_without_headings_is_not():
    book = files.xlsx([files.USER_HEADINGS, files.person(1)], ["Staff to add, September 2026"])
    sheet = read(book)
    assert [r.row_number for r in sheet.rows] == [3]
    error = refused(files.xlsx(files.rows_of_people(3), files.person(0)))
    assert error.code == "MISSING_COLUMNS" and "“Forename”" in error.message
    error = refused(files.xlsx(files.rows_of_people(2), ["Forename", "Surname", "Email Address"]))
    assert error.code == "MISSING_COLUMNS" and "“Role”" in error.message


def test_duplicate_heading_is_refused():
    error = refused(files.xlsx([], ["Forename", "Surname", "Email", "Email Address", "Role",
                                    "Pupil Access Level"]))
    assert error.code == "DUPLICATE_COLUMN"


def test_administrator_file_needs_only_three_columns_and_ignores_extra_ones():
    sheet = read(files.xlsx([["Ann", "Lee", "a@school.example.org"]], files.ADMIN_HEADINGS),
                 columns=ADMINS)
    assert sheet.rows[0].values == {"forename": "Ann", "surname": "Lee",
                                    "email": "a@school.example.org"}
    sheet = read(files.xlsx(files.rows_of_people(1)), columns=ADMINS)
    assert set(sheet.rows[0].values) == {"forename", "surname", "email"}


def test_one_hundred_rows_are_accepted_and_one_hundred_and_one_refused():
    assert len(read(files.xlsx(files.rows_of_people(100))).rows) == 100
    for data, name in (
        (files.xlsx(files.rows_of_people(101)), "a.xlsx"),
        (files.xls(files.rows_of_people(101)), "a.xls"),
        (files.csv_bytes(files.rows_of_people(101)), "a.csv"),
    ):
        error = refused(data, name)
        assert error.code == "TOO_MANY_ROWS"
        assert "more than 100 rows of data" in error.message


def test_blank_rows_do_not_count_towards_the_limit():
    rows = []
    for n in range(1, 101):
        rows += [files.person(n), [None] * 5]
    assert len(read(files.xlsx(rows)).rows) == 100


def test_file_names_that_are_not_spreadsheets_are_refused():
    good = files.xlsx(files.rows_of_people(1))
    for name in ("users.pdf", "users.txt", "users", "users.xlsx.exe", ""):
        error = refused(good, name)
        assert error.code in {"WRONG_TYPE", "REQUIRED"}


def test_content_decides_not_the_name():
    data = files.xlsx(files.rows_of_people(2))
    assert read(data, "really-xlsx.csv").file_format == "xlsx"
    assert read(files.csv_bytes(files.rows_of_people(2)), "text.xls").file_format == "csv"


def test_html_renamed_xls():
    error = refused(files.html_renamed(), "users.xls")
    assert error.code == "NOT_A_SPREADSHEET"
    assert "web page" in error.message


@pytest.mark.parametrize(
    "maker, code",
    [
        (files.truncated_xlsx, "DAMAGED"),
        (files.ratio_bomb, "UNSAFE"),
        (files.declared_size_bomb, "UNSAFE"),
        (files.many_members, "UNSAFE"),
        (files.entity_bomb, "UNSAFE"),
        (lambda: files.entity_bomb("xl/worksheets/sheet1.xml"), "UNSAFE"),
        (lambda: files.entity_bomb("xl/styles.xml"), "UNSAFE"),
        (files.external_entity, "UNSAFE"),
        (files.not_xlsx_zip, "NOT_A_SPREADSHEET"),
        (files.png, "NOT_A_SPREADSHEET"),
        (files.damaged_xls, "DAMAGED"),
        (files.utf16_csv, "NOT_A_SPREADSHEET"),
        (lambda: b"", "EMPTY"),
        (files.huge_row_index, "TOO_MANY_ROWS"),
        (files.password_protected_xlsx, "PROTECTED"),
    ],
)
def test_hostile_and_broken_files_get_a_clear_message_quickly(maker, code):
    data = maker()
    started = time.perf_counter()
    error = refused(data, "users.xlsx")
    assert time.perf_counter() - started < 2
    assert error.code == code, error.message
    assert error.message.endswith(".")
    assert "Traceback" not in error.message and "Error" not in error.message


def test_zip_bombs_are_refused_from_the_directory_without_decompressing(monkeypatch):
    import zipfile

    def never(*args, **kwargs):
        raise AssertionError("decompressed")

    bombs = [files.ratio_bomb(), files.declared_size_bomb(), files.many_members()]
    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    for data in bombs:
        with pytest.raises(UploadError):
            check_zip(data)


def test_too_big_a_file():
    error = refused(b"a" * (MAX_FILE_BYTES + 1), "big.csv")
    assert error.code == "TOO_LARGE"


def test_formulas_are_read_as_text_never_evaluated():
    rows = [["=1+1", "=HYPERLINK(\"http://evil.example\",\"x\")", "a@school.example.org",
             "=A1", "@SUM(1)"]]
    values = read(files.xlsx(rows)).rows[0].values
    assert values["forename"] == "=1+1"
    assert values["surname"].startswith("=HYPERLINK(")
    assert values["role"] == "=A1"


def test_excel_dates_in_name_fields_are_shown_as_text():
    rows = [[dt.datetime(2026, 3, 1), dt.date(2026, 4, 2), "a@school.example.org", "Teacher",
             "full"]]
    for data, name in ((files.xlsx(rows), "a.xlsx"), (files.xls(rows), "a.xls")):
        values = read(data, name).rows[0].values
        assert values["forename"] == "01/03/2026"
        assert values["surname"] == "02/04/2026"


def test_numbers_and_booleans_read_as_people_typed_them():
    rows = [[1234, 12.5, True, "Teacher", "full"]]
    values = read(files.xlsx(rows)).rows[0].values
    assert (values["forename"], values["surname"], values["email"]) == ("1234", "12.5", "TRUE")


def test_csv_with_utf8_bom_cp1252_semicolons_and_unicode():
    rows = [["Zoë", "O\u2019Brien", "zoe@school.example.org", "Teacher", "full"]]
    sheet = read(files.csv_bytes(rows, bom=True), "a.csv")
    assert sheet.rows[0].values["forename"] == "Zoë"
    sheet = read(files.csv_bytes(rows, encoding="cp1252"), "a.csv")
    assert sheet.rows[0].values["surname"] == "O\u2019Brien"
    text = "Forename;Surname;Email Address;Role;Pupil Access Level\nAnn;Lee;a@b.org;Teacher;full\n"
    assert read(text.encode(), "a.csv").rows[0].values["email"] == "a@b.org"


def test_long_values_are_kept_long_enough_to_be_refused_later():
    rows = [["A" * 51, "B" * 5000, "c@school.example.org", "Teacher", "full"]]
    values = read(files.xlsx(rows)).rows[0].values
    assert len(values["forename"]) == 51
    assert 50 < len(values["surname"]) <= 500


def test_headings_only_and_empty_files():
    assert refused(files.xlsx([])).code == "NO_ROWS"
    assert refused(b"\n\n", "a.csv").code == "EMPTY"


def test_sniff():
    assert sniff(files.xlsx([])) == "xlsx"
    assert sniff(files.xls([])) == "xls"
    assert sniff(b"Forename,Surname\n") == "csv"
