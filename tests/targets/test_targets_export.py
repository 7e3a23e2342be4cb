"""Exports write every cell as text and neutralise formula-like values."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from server.services.targets.export import COLUMNS, neutralise, workbook_bytes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"), ("+44", "'+44"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"), ("\rx", "'\rx"), ("\x00x", "'\x00x"),
        ("O'Neil", "O'Neil"), ("A*", "A*"), ("5.4", "5.4"), ("", ""), (None, ""), (7, "7"),
        ("'=already", "'=already"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected
    assert neutralise(neutralise(value)) == expected  # idempotent


def test_workbook_cells_are_typed_text_without_a_stray_apostrophe():
    rows = [["A123456789012", "=HYPERLINK(\"http://x\")", "-Smith", "Mathematics", "5",
             "Average (50th percentile)", "4", "4.60", "GCSE 9-1", "KS2 result"]]
    book = load_workbook(io.BytesIO(workbook_bytes(rows)))
    sheet = book.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == list(COLUMNS)
    # A text cell is never evaluated, so the value stays as it was: no apostrophe inside.
    assert values[1] == rows[0]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type == "s" and cell.number_format == "@"


def test_workbook_keeps_awkward_text_as_text():
    from server.xlsx_stream import escape

    rows = [["<b>&", "'\rx", "_x0041_", "\x00nul", "", "tab\there", "  spaced  ", "x", "y", "z"]]
    book = load_workbook(io.BytesIO(workbook_bytes(rows)))
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    # openpyxl leaves the spreadsheet escapes (_xHHHH_) as they are; Excel reads them back.
    assert values[1] == ["<b>&", "'_x000D_x", "_x005F_x0041_", "_x0000_nul", None, "tab\there",
                         "  spaced  ", "x", "y", "z"]
    assert all(c.number_format == "@" for row in book.active.iter_rows() for c in row)
    assert escape("a_x00zz_b") == "a_x00zz_b"


def test_streamed_workbook_is_the_same_in_chunks():
    from server.xlsx_stream import TextSheetStream, column_letters
    from server.xlsx_stream import workbook_bytes as whole

    assert [column_letters(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
    columns = [f"c{i}" for i in range(30)]
    rows = [[f"{r}-{i}" for i in range(30)] for r in range(3000)]
    stamp = (2026, 11, 29, 20, 30, 0)
    sheet = TextSheetStream("Targets", date_time=stamp)
    chunks = [sheet.start(columns)] + [sheet.rows(rows[i:i + 700]) for i in range(0, 3000, 700)]
    chunks.append(sheet.finish())
    assert b"".join(chunks) == whole(columns, rows, "Targets", date_time=stamp)
    assert sum(1 for c in chunks if c) > 2  # written as it goes, not only at the end
    book = load_workbook(io.BytesIO(b"".join(chunks)), read_only=True)
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert values[0] == columns and values[1:] == rows and book.sheetnames == ["Targets"]


async def test_export_rows_show_the_estimates_of_the_pupil_page():
    """export_row formats a subject's estimates once per year group: the same cells as
    PupilTargetRow.estimate() row by row."""
    from server.models.enums import KeyStage
    from server.services.targets.export import export_row
    from server.services.targets.pupil_targets import pupils_page
    from tests.factories import make_local_authority, make_school
    from tests.targets.world import add_pupils, set_targets, subjects

    subs = await subjects()
    school = await make_school(la=await make_local_authority())
    pupils = await add_pupils(school, 10, 5, surname="Est")
    await add_pupils(school, 10, 2, surname="NoPrior", prior=None)
    await set_targets(pupils[:2], subs["maths"], ["6", "7"])
    total, page = await pupils_page(school.id, KeyStage.KS4, 10, 0, 100)
    rows = [r for pupil in page for r in pupil]
    assert total == 7 and rows
    seen = set()
    for row in rows:
        estimate = row.estimate()
        expected = ((estimate.grade, f"{estimate.fine_points:.2f}") if estimate else ("", ""))
        cells = export_row(row)
        assert cells[6:8] == list(expected), (row.pupil.surname, row.subject.code)
        assert cells[5] == "Average (50th percentile)" and cells[8] == row.scale.name
        seen.add(bool(estimate))
    assert seen == {True, False}
    from server.services.targets import export

    key = id(rows[0].cohort)
    assert key in export._FORMATTED  # formatted once per cohort ...
    del page, rows, row
    import gc

    gc.collect()
    assert key not in export._FORMATTED  # ... and dropped with it
