"""The "Download Excel template" files for Add multiple users and Add multiple administrators.

The .xlsx has dropdowns (list data validation referring to a hidden Lists sheet, with
error messages on) and a 50-character limit on the typed columns. xlwt cannot write data
validation, so the .xls carries the allowed values on a Lists sheet and in the guidance.
Both format the data cells as text so that Excel does not turn a name into a date.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from server.models.enums import BatchKind, OrganisationKind
from server.services.accounts.people import PUPIL_ACCESS_LABELS, pupil_access_for, roles_for
from server.services.spreadsheets.columns import (
    COLUMNS,
    MAX_DATA_ROWS,
    MAX_FIELD_LENGTH,
    SHEET_NAMES,
)
from server.settings import get_settings

LISTS_SHEET = "Lists"
GUIDANCE_SHEET = "Guidance"
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
}


@dataclass(frozen=True)
class SpreadsheetFile:
    file_name: str
    content_type: str
    content: bytes


def template_choices(kind: BatchKind, organisation_kind: OrganisationKind) -> dict[str, list[str]]:
    """The values each dropdown column offers, in the words shown to people."""
    if kind == BatchKind.ADMINISTRATORS:
        return {}
    return {
        "role": [role.value for role in roles_for(organisation_kind)],
        "pupilAccess": [
            PUPIL_ACCESS_LABELS[access] for access in pupil_access_for(organisation_kind)
        ],
    }


def guidance_rows(kind: BatchKind, dropdowns: bool) -> list[tuple[str, str]]:
    """The Guidance sheet: one rule per column, then the file's limits."""
    pick = (
        "Must be selected from the dropdown, not typed."
        if dropdowns
        else "Must be one of the values on the Lists sheet, typed exactly (this older .xls "
        "format cannot hold dropdowns)."
    )
    rows = [
        ("Forename", f"Required. Up to {MAX_FIELD_LENGTH} characters."),
        ("Surname", f"Required. Up to {MAX_FIELD_LENGTH} characters."),
        (
            "Email Address",
            f"Required. Up to {MAX_FIELD_LENGTH} characters. Email address syntax must be "
            "correct: a name, an @ and a domain with at least one full stop (for example "
            "j.smith@school.sch.uk). Each person needs their own email address.",
        ),
    ]
    if kind == BatchKind.USERS:
        rows += [
            ("Role", pick),
            (
                "Pupil Access Level",
                pick + " Governors are not usually given full access to pupil data: you will be "
                "asked to confirm it.",
            ),
        ]
    else:
        rows.append(
            ("Administrators", f"An organisation can have at most "
             f"{get_settings().administrator_limit} administrators, counting pending ones. Rows "
             "beyond the limit are not created.")
        )
    rows += [
        ("Rows", f"One person per row on the {SHEET_NAMES[kind]} sheet. At most "
         f"{MAX_DATA_ROWS} rows of data: a file with more is rejected. Blank rows are ignored."),
        ("Headings", "Keep the headings in the first row. Their order does not matter."),
    ]
    return rows


def file_name(kind: BatchKind, file_format: str) -> str:
    return f"aspire-{kind.value}-template.{file_format}"


def build_template(
    kind: BatchKind, organisation_kind: OrganisationKind, file_format: str
) -> SpreadsheetFile:
    if file_format == "xlsx":
        content = _xlsx(kind, organisation_kind)
    elif file_format == "xls":
        content = _xls(kind, organisation_kind)
    else:
        raise ValueError(f"unknown template format {file_format!r}")
    return SpreadsheetFile(file_name(kind, file_format), CONTENT_TYPES[file_format], content)


def _xlsx(kind: BatchKind, organisation_kind: OrganisationKind) -> bytes:
    out = io.BytesIO()
    xlsx_book(kind, organisation_kind).save(out)
    return out.getvalue()


def xlsx_book(kind: BatchKind, organisation_kind: OrganisationKind):
    """The .xlsx template as an openpyxl Workbook (the annotated workbook starts from it)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = COLUMNS[kind]
    choices = template_choices(kind, organisation_kind)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_NAMES[kind]
    last_row = MAX_DATA_ROWS + 1
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.heading)
        cell.font = Font(bold=True)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 60 if column.key == "pupilAccess" else 30
        for row in range(2, last_row + 1):
            sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    length = DataValidation(
        type="textLength", operator="lessThanOrEqual", formula1=str(MAX_FIELD_LENGTH),
        allow_blank=True, showErrorMessage=True, errorTitle="Too long",
        error=f"Enter up to {MAX_FIELD_LENGTH} characters.",
    )
    sheet.add_data_validation(length)
    length.add(f"A2:C{last_row}")

    if choices:
        lists = book.create_sheet(LISTS_SHEET)
        for col, key in enumerate(("role", "pupilAccess"), start=1):
            heading = next(c.heading for c in columns if c.key == key)
            lists.cell(row=1, column=col, value=heading).font = Font(bold=True)
            for row, value in enumerate(choices[key], start=2):
                lists.cell(row=row, column=col, value=value)
            letter = get_column_letter(col)
            lists.column_dimensions[letter].width = 60
            target = get_column_letter(next(i for i, c in enumerate(columns, 1) if c.key == key))
            dropdown = DataValidation(
                type="list",
                formula1=f"{LISTS_SHEET}!${letter}$2:${letter}${len(choices[key]) + 1}",
                allow_blank=True, showDropDown=False,  # False shows the in-cell arrow
                showErrorMessage=True, errorTitle="Choose from the list",
                error=f"Choose the {heading.lower()} from the dropdown.",
                showInputMessage=True, promptTitle=heading, prompt="Select from the dropdown.",
            )
            sheet.add_data_validation(dropdown)
            dropdown.add(f"{target}2:{target}{last_row}")
        lists.sheet_state = "hidden"

    guide = book.create_sheet(GUIDANCE_SHEET)
    guide.cell(row=1, column=1, value="Column").font = Font(bold=True)
    guide.cell(row=1, column=2, value="Rule").font = Font(bold=True)
    for row, (name, rule) in enumerate(guidance_rows(kind, dropdowns=True), start=2):
        guide.cell(row=row, column=1, value=name)
        guide.cell(row=row, column=2, value=rule).alignment = Alignment(wrap_text=True)
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 100
    book.active = 0
    return book


def _xls(kind: BatchKind, organisation_kind: OrganisationKind) -> bytes:
    import xlwt

    columns = COLUMNS[kind]
    choices = template_choices(kind, organisation_kind)
    book = xlwt.Workbook(encoding="utf-8")
    bold = xlwt.easyxf("font: bold on")
    text = xlwt.easyxf(num_format_str="@")
    wrap = xlwt.easyxf("align: wrap on")
    sheet = book.add_sheet(SHEET_NAMES[kind])
    for index, column in enumerate(columns):
        sheet.write(0, index, column.heading, bold)
        sheet.col(index).width = 256 * (60 if column.key == "pupilAccess" else 30)
        sheet.col(index).set_style(text)
    sheet.set_panes_frozen(True)
    sheet.set_horz_split_pos(1)

    if choices:
        lists = book.add_sheet(LISTS_SHEET)
        for col, key in enumerate(("role", "pupilAccess")):
            heading = next(c.heading for c in columns if c.key == key)
            lists.write(0, col, heading, bold)
            lists.col(col).width = 256 * 60
            for row, value in enumerate(choices[key], start=1):
                lists.write(row, col, value)

    guide = book.add_sheet(GUIDANCE_SHEET)
    guide.write(0, 0, "Column", bold)
    guide.write(0, 1, "Rule", bold)
    guide.col(0).width = 256 * 22
    guide.col(1).width = 256 * 100
    for row, (name, rule) in enumerate(guidance_rows(kind, dropdowns=False), start=1):
        guide.write(row, 0, name)
        guide.write(row, 1, rule, wrap)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
