"""Values a spreadsheet would read as a formula (starting with =, +, -, @, tab, carriage
return or NUL: OWASP CSV injection).

A CSV file has no cell types, so such a value gets a leading single quote there. An .xlsx
cell written by server/xlsx_stream.py is typed text (an inline string in the text number
format), which Excel never evaluates, so the workbook keeps the value exactly as it is.
"""

from __future__ import annotations

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\x00")


def neutralise(value: object) -> str:
    """The value as CSV text, with a leading ' when it starts like a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text
