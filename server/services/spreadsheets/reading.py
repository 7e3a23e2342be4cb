"""Reading an uploaded .xlsx, .xls or .csv safely: a person's file is never trusted.

The content type comes from the first bytes, never the name; an .xlsx's zip directory
and every XML part are checked before openpyxl opens it (services/uploads.py, with this
reader's words); XML goes through defusedxml (openpyxl uses it when it is installed); the
sheet's declared dimensions are ignored and reading stops after the row limit plus a margin.
Every failure is an UploadError with words a school administrator can act on. Call
`read_upload` in a thread: it is blocking work.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from server.services import uploads
from server.services.spreadsheets.columns import MAX_DATA_ROWS, Column
from server.services.spreadsheets.errors import SpreadsheetErrorCode
from server.services.uploads import MAX_FILE_BYTES, OLE2_MAGIC, XLSX_MAGIC, Refusal, UploadError

__all__ = ["MAX_FILE_BYTES", "ReadSheet", "SheetRow", "UploadError", "check_zip", "read_cells",
           "read_upload"]
MAX_COLUMNS = 30  # cells to the right of this are never read
MAX_SCANNED_ROWS = 1000  # sheet rows looked at, blank ones included
MAX_TITLE_ROWS = 5  # non-blank rows above the headings that may be titles or notes
MAX_CELL_CHARACTERS = 500  # longer text is kept only this far (still far over any limit)
ALLOWED_EXTENSIONS = (".xlsx", ".xls", ".csv")

# A password-protected .xlsx is an OLE2 file holding this stream (its name in UTF-16).
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

RE_SAVE = "Download the template again, copy your data into it and upload it."
_UNSAFE = Refusal(
    "The selected file cannot be opened safely: it expands to far more data than a list "
    "of 100 people needs. " + RE_SAVE,
    SpreadsheetErrorCode.UNSAFE,
)
WORDING = uploads.Wording(
    empty=Refusal("The selected file is empty.", SpreadsheetErrorCode.EMPTY),
    too_large=Refusal("The selected file must be smaller than 5 MB.",
                      SpreadsheetErrorCode.TOO_LARGE),
    damaged=Refusal("The selected file is damaged or incomplete and cannot be opened. "
                    + RE_SAVE, SpreadsheetErrorCode.DAMAGED),
    too_many_parts=_UNSAFE,
    expands_too_far=_UNSAFE,
    too_compressed=_UNSAFE,
    protected=Refusal("The selected file is protected with a password. Remove the password "
                      "in Excel and upload it again.", SpreadsheetErrorCode.PROTECTED),
    not_workbook=Refusal("The selected file is a zip file but not an Excel workbook. Upload "
                         "an .xlsx, .xls or .csv file.", SpreadsheetErrorCode.NOT_A_SPREADSHEET),
    unsafe_xml=Refusal(
        "The selected file contains XML features that are not allowed (such as entity "
        "definitions) and cannot be opened safely. " + RE_SAVE,
        SpreadsheetErrorCode.UNSAFE,
    ),
)
ROW_CAP = uploads.RowCap(
    rows=MAX_DATA_ROWS,
    scanned=MAX_SCANNED_ROWS,
    too_many_rows=Refusal(
        f"The file has more than {MAX_DATA_ROWS} rows of data. Upload at most "
        f"{MAX_DATA_ROWS} people at a time: split the list into smaller files.",
        SpreadsheetErrorCode.TOO_MANY_ROWS,
    ),
    too_many_scanned=Refusal(
        f"The file has more than {MAX_SCANNED_ROWS:,} rows, counting blank or formatted "
        f"ones. A file can have at most {MAX_DATA_ROWS} rows of data: delete the empty "
        "rows below your data, or copy your data into a new template.",
        SpreadsheetErrorCode.TOO_MANY_ROWS,
    ),
)


@dataclass(frozen=True)
class SheetRow:
    row_number: int  # as the spreadsheet numbers it (the heading row is usually 1)
    values: dict[str, str]  # column key -> trimmed text


@dataclass(frozen=True)
class ReadSheet:
    file_format: str  # "xlsx", "xls" or "csv"
    rows: list[SheetRow] = field(default_factory=list)
    sheet_name: str | None = None


def read_upload(
    data: bytes, file_name: str, columns: Sequence[Column], sheet_names: Iterable[str] = ()
) -> ReadSheet:
    """Read the data rows of an upload, or raise UploadError saying why not."""
    kind, sheet_name, rows = read_cells(data, file_name, sheet_names)
    return ReadSheet(file_format=kind, rows=_table(rows, columns), sheet_name=sheet_name)


def read_cells(
    data: bytes, file_name: str, sheet_names: Iterable[str] = ()
) -> tuple[str, str | None, Iterator[list[object]]]:
    """The file's format, sheet and raw rows (at most MAX_SCANNED_ROWS + 1 of MAX_COLUMNS
    cells), after every safety check: for a reader whose columns are not fixed."""
    check_file_name(file_name)
    uploads.check_size(data, WORDING)
    kind = sniff(data)
    preferred = [name for name in sheet_names]
    if kind == "xlsx":
        check_zip(data)
        sheet_name, rows = _xlsx_rows(data, preferred)
    elif kind == "xls":
        sheet_name, rows = _xls_rows(data, preferred)
    else:
        sheet_name, rows = None, _csv_rows(data)
    return kind, sheet_name, rows


def check_file_name(file_name: str) -> None:
    if not file_name or not file_name.strip():
        raise UploadError("Select a file to upload.", SpreadsheetErrorCode.REQUIRED)
    if not file_name.strip().lower().endswith(ALLOWED_EXTENSIONS):
        raise UploadError(
            "The selected file must be an Excel workbook (.xlsx or .xls) or a CSV file (.csv).",
            SpreadsheetErrorCode.WRONG_TYPE,
        )


def sniff(data: bytes) -> str:
    """What the file really is, from its first bytes: xlsx, xls or csv."""
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        if ENCRYPTED_PACKAGE in data:
            raise UploadError(
                "The selected file is protected with a password. Remove the password in Excel "
                "(File, Info, Protect Workbook) and upload it again.",
                SpreadsheetErrorCode.PROTECTED,
            )
        return "xls"
    if data.startswith((b"PK", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise UploadError(
            "The selected file is not a spreadsheet. Upload an .xlsx, .xls or .csv file.",
            SpreadsheetErrorCode.NOT_A_SPREADSHEET,
        )
    text = decode_text(data)
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype", "<html", "<?xml", "<table", "<head", "<body", "<meta")):
        raise UploadError(
            "The selected file is a web page (HTML or XML) saved with a spreadsheet name, not a "
            "spreadsheet. Open it in Excel, save it as an Excel Workbook (.xlsx) and upload that.",
            SpreadsheetErrorCode.NOT_A_SPREADSHEET,
        )
    return "csv"


def decode_text(data: bytes) -> str:
    """CSV text: UTF-8 (with or without a byte order mark) or Windows-1252, and no NULs."""
    if b"\x00" in data:
        raise UploadError(
            "The selected file is not a spreadsheet or CSV file. If it is a CSV file, save it "
            "from Excel as \u201cCSV UTF-8\u201d and upload it again.",
            SpreadsheetErrorCode.NOT_A_SPREADSHEET,
        )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                pass
    raise UploadError(
        "The selected file is not a spreadsheet, and its text cannot be read. Save it from Excel "
        "as \u201cCSV UTF-8\u201d or as an Excel Workbook (.xlsx) and upload it again.",
        SpreadsheetErrorCode.NOT_A_SPREADSHEET,
    )


def check_zip(data: bytes) -> None:
    """Refuse a zip bomb from its directory alone, then any XML part with a DOCTYPE."""
    uploads.check_zip(data, WORDING)


def _damaged(kind: str) -> UploadError:
    return UploadError(
        f"The selected file could not be read as an Excel workbook ({kind}): it may be damaged "
        "or saved in another format. " + RE_SAVE,
        SpreadsheetErrorCode.DAMAGED,
    )


def _choose_sheet(names: list[str], preferred: list[str]) -> str:
    wanted = {name.strip().lower() for name in preferred}
    for name in names:
        if name.strip().lower() in wanted:
            return name
    return names[0]


def _xlsx_rows(data: bytes, preferred: list[str]) -> tuple[str, Iterator[list[object]]]:
    import openpyxl
    from defusedxml import DefusedXmlException

    if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a pinned dependency
        raise RuntimeError("defusedxml must be installed to read uploads safely")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
    except Exception as error:
        raise (_unsafe_xml() if _caused_by(error, DefusedXmlException) else _damaged(".xlsx")) from None
    names = [ws.title for ws in book.worksheets]
    if not names:
        raise _damaged(".xlsx")
    sheet_name = _choose_sheet(names, preferred)
    sheet = book[sheet_name]

    def rows() -> Iterator[list[object]]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # max_row and max_col given: the sheet's own <dimension> is never used.
                for row in sheet.iter_rows(
                    min_row=1, max_row=MAX_SCANNED_ROWS + 1, max_col=MAX_COLUMNS, values_only=True
                ):
                    yield list(row)
        except UploadError:
            raise
        except Exception as error:
            unsafe = _caused_by(error, DefusedXmlException)
            raise (_unsafe_xml() if unsafe else _damaged(".xlsx")) from None
        finally:
            book.close()

    return sheet_name, rows()


def _caused_by(error: BaseException | None, kind: type[BaseException]) -> bool:
    """openpyxl wraps parser errors in its own: look along the chain."""
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, kind):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _unsafe_xml() -> UploadError:
    return UploadError(
        "The selected file contains XML features that are not allowed (such as entity "
        "definitions) and cannot be opened safely. " + RE_SAVE,
        SpreadsheetErrorCode.UNSAFE,
    )


def _xls_rows(data: bytes, preferred: list[str]) -> tuple[str, Iterator[list[object]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=data, on_demand=True, formatting_info=False, logfile=io.StringIO()
        )
        names = book.sheet_names()
        sheet_name = _choose_sheet(names, preferred)
        sheet = book.sheet_by_name(sheet_name)
    except Exception:
        raise _damaged(".xls") from None

    def rows() -> Iterator[list[object]]:
        try:
            for r in range(min(sheet.nrows, MAX_SCANNED_ROWS + 1)):
                width = min(sheet.row_len(r), MAX_COLUMNS)
                yield [_xls_value(book, sheet.cell(r, c)) for c in range(width)]
        except UploadError:
            raise
        except Exception:
            raise _damaged(".xls") from None
        finally:
            book.release_resources()

    return sheet_name, rows()


def _xls_value(book, cell) -> object:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    return cell.value


def _csv_rows(data: bytes) -> Iterator[list[object]]:
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        for index, row in enumerate(reader):
            if index > MAX_SCANNED_ROWS:
                break
            yield [cell[: MAX_CELL_CHARACTERS + 1] for cell in row[:MAX_COLUMNS]]
    except csv.Error:
        raise UploadError(
            "The selected CSV file could not be read: a line is malformed or far too long. "
            + RE_SAVE,
            SpreadsheetErrorCode.DAMAGED,
        ) from None


def cell_text(value: object) -> str:
    """A cell as text, never evaluated: formulas stay as written, dates read as dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.timedelta):
        return str(value)
    text = getattr(value, "text", None)  # openpyxl's ArrayFormula keeps the formula in .text
    if isinstance(text, str):
        value = text
    result = str(value)
    result = result.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return result.strip()[:MAX_CELL_CHARACTERS]


def _is_blank(row: Sequence[object]) -> bool:
    return all(cell_text(value) == "" for value in row)


def _table(rows: Iterator[list[object]], columns: Sequence[Column]) -> list[SheetRow]:
    """Find the heading row, map headings to columns by name and collect the data rows."""
    positions: dict[str, int] | None = None
    found: list[SheetRow] = []
    title_rows = 0  # a title or note above the headings ("Staff 2026") is passed over
    first_problem: UploadError | None = None
    for row_number, row in enumerate(rows, start=1):
        ROW_CAP.check_scanned(row_number)
        if _is_blank(row):
            continue
        if positions is None:
            try:
                positions = _headings(row, columns)
            except UploadError as problem:
                if (problem.code != SpreadsheetErrorCode.MISSING_COLUMNS or _known_headings(row, columns) >= 2
                        or title_rows >= MAX_TITLE_ROWS):
                    raise
                first_problem = first_problem or problem
                title_rows += 1
            continue
        ROW_CAP.check_kept(len(found) + 1)
        values = {
            key: cell_text(row[index]) if index < len(row) else ""
            for key, index in positions.items()
        }
        if all(value == "" for value in values.values()):
            continue  # data only in columns we do not read
        found.append(SheetRow(row_number=row_number, values=values))
    if positions is None and first_problem is not None:
        raise first_problem
    if positions is None:
        raise UploadError(
            "The selected file is empty. Fill in the template with one person per row and "
            "upload it again.",
            SpreadsheetErrorCode.EMPTY,
        )
    if not found:
        raise UploadError(
            "The selected file has the column headings but no people in it. Add one person "
            "per row below the headings.",
            SpreadsheetErrorCode.NO_ROWS,
        )
    return found


def _known_headings(row: Sequence[object], columns: Sequence[Column]) -> int:
    return sum(1 for value in row if any(c.matches(cell_text(value)) for c in columns))


def _headings(row: Sequence[object], columns: Sequence[Column]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, value in enumerate(row):
        text = cell_text(value)
        if not text:
            continue
        for column in columns:
            if column.matches(text):
                if column.key in positions:
                    raise UploadError(
                        f"The file has the column \u201c{column.heading}\u201d more than once. "
                        "Keep one and upload it again.",
                        SpreadsheetErrorCode.DUPLICATE_COLUMN,
                    )
                positions[column.key] = index
    missing = [column.heading for column in columns if column.key not in positions]
    if missing:
        names = ", ".join(f"\u201c{name}\u201d" for name in missing)
        expected = ", ".join(column.heading for column in columns)
        plural = "columns" if len(missing) > 1 else "column"
        raise UploadError(
            f"The file is missing the {plural} {names}. The first row must have the headings "
            f"{expected}. " + RE_SAVE,
            SpreadsheetErrorCode.MISSING_COLUMNS,
        )
    return positions
