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


def test_workbook_cells_are_text_and_neutralised():
    rows = [["A123456789012", "=HYPERLINK(\"http://x\")", "-Smith", "Mathematics", "5", "4",
             "4.6"]]
    book = load_workbook(io.BytesIO(workbook_bytes(rows)))
    sheet = book.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == list(COLUMNS)
    assert values[1] == ["A123456789012", "'=HYPERLINK(\"http://x\")", "'-Smith", "Mathematics",
                         "5", "4", "4.6"]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type == "s"
