"""The bulk-upload pages, as an administrator uses them, with and without JavaScript."""

from __future__ import annotations

import base64
import io
import re

import openpyxl
import pytest
import xlrd

from server.models import Account, Batch, BatchRow
from server.models.enums import AccountKind, AccountStatus, BatchStatus
from tests.batches import files
from tests.factories import (
    csrf_headers,
    graphql,
    make_administrator,
    make_school,
    make_user,
    sign_in,
)

CONFIRM = ("I confirm that I have checked all highlighted accounts and I wish to proceed and "
           "create these user accounts")
HTMX = {"HX-Request": "true"}


async def signed_in_admin(client):
    school = await make_school()
    admin = await make_administrator(school)
    await sign_in(client, admin)
    return school, admin


async def upload(client, data: bytes, name: str = "people.xlsx", path: str = "/admin/users/upload"):
    # The token goes first, as the page's form sends it.
    return await client.post(path, data={"csrftoken": client.cookies.get("csrftoken")},
                             files={"file": (name, data, "application/octet-stream")})


def fill_template(content: bytes, rows: list[list[str]]) -> bytes:
    """What a person does: open the template, type into the User Details sheet, save."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["User Details"]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_id(html: str, row_number: int) -> str:
    match = re.search(r'<tr class="govuk-table__row" id="row-(\d+)">\s*<th scope="row" '
                      rf'class="govuk-table__header"[^>]*>{row_number}</th>', html)
    assert match, f"row {row_number} not on the page"
    return match.group(1)


async def test_templates_carry_dropdowns_lists_and_guidance(client):
    await signed_in_admin(client)
    page = await client.get("/admin/users/upload")
    assert page.status_code == 200
    assert "Download Excel template (.xlsx)" in page.text and "cannot hold dropdowns" in page.text
    response = await client.get("/admin/users/upload/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["User Details", "Lists", "Guidance"]
    sheet = book["User Details"]
    assert [c.value for c in sheet[1]] == files.USER_HEADINGS
    assert book["Lists"].sheet_state == "hidden"
    lists = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert lists["D2:D101"].type == "list" and lists["D2:D101"].showErrorMessage
    assert lists["D2:D101"].formula1 == "Lists!$A$2:$A$6"
    assert lists["E2:E101"].formula1 == "Lists!$B$2:$B$3" and lists["E2:E101"].showErrorMessage
    assert [c.value for c in book["Lists"]["B"][1:3]] == [files.AGGREGATE, files.FULL]
    guidance = " ".join(str(c.value) for row in book["Guidance"].iter_rows() for c in row)
    assert "Up to 50 characters" in guidance and "100 rows" in guidance
    assert "dropdown" in guidance

    old = await client.get("/admin/users/upload/template.xls")
    book = xlrd.open_workbook(file_contents=old.content)
    assert book.sheet_names() == ["User Details", "Lists", "Guidance"]
    assert book.sheet_by_name("Lists").col_values(0)[1:] == [
        "Head Teacher/Senior Leader", "Middle Leader", "Teacher", "Governor", "Data Manager"]

    admins = await client.get("/admin/administrators/upload/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(admins.content))["Administrator Details"]
    assert [c.value for c in sheet[1]] == files.ADMIN_HEADINGS


async def test_the_whole_journey(client):
    school, admin = await signed_in_admin(client)
    home = await client.get("/admin")
    for label in ("Add multiple users", "Add multiple administrators", "User batch files",
                  "Administrator batch files"):
        assert label in home.text
    template = (await client.get("/admin/users/upload/template.xlsx")).content
    data = fill_template(template, [
        ["Ann", "Lee", "ann.lee@school.example.org", "Teacher", files.FULL],
        ["Gus", "Vernor", "gus@school.example.org", "Governor", files.FULL],
        ["X" * 51, "<img src=x onerror=alert(1)>", "not-an-email", "Teacher", "{{7*7}}"],
    ])
    response = await upload(client, data, "C:\\fakepath\\staff.xlsx")
    assert response.status_code == 303, response.text
    check_url = response.headers["location"]
    page = await client.get(check_url)
    assert page.status_code == 200
    html = page.text
    assert "Check and create your users" in html and "staff.xlsx" in html
    assert CONFIRM in html
    assert "Not processed" in html and "Needs confirmation" in html
    assert "Forename must be 50 characters or less" in html
    assert "It is not usual practice to give pupil information to this type of user" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    assert "{{7*7}}" in html and ">49<" not in html

    # Fix the red row in place with htmx: the form fragment, then an error, then a save.
    red = row_id(html, 4)
    edit = await client.get(f"{check_url}/rows/{red}/edit", headers=HTMX)
    assert edit.status_code == 200 and "<html" not in edit.text
    assert f'id="row-{red}"' in edit.text and 'form="edit-row-' in edit.text
    bad = await client.post(f"{check_url}/rows/{red}/edit", headers={**HTMX, **csrf_headers(client)},
                            data={"forename": "Cy", "surname": "Day", "email": "ann.lee@school.example.org",
                                  "role": "teacher", "pupilAccess": "aggregate"})
    assert bad.status_code == 200 and bad.headers["HX-Retarget"] == f"#row-{red}"
    assert "also on row 2" in bad.text
    saved = await client.post(f"{check_url}/rows/{red}/edit", headers={**HTMX, **csrf_headers(client)},
                              data={"forename": "Cy", "surname": "Day", "email": "cy@school.example.org",
                                    "role": "Teacher", "pupilAccess": "aggregate"})
    assert saved.status_code == 200 and saved.text.lstrip().startswith('<div id="batch-check">')
    assert 'hx-swap-oob="true"' in saved.text and "Row 4 saved." in saved.text
    assert "Not processed" not in saved.text

    # Create without ticking: the two green rows are created, the amber one stays.
    version = re.search(r'name="version" value="(\d+)"', saved.text).group(1)
    created = await client.post(f"{check_url}/create", data={
        "csrftoken": client.cookies.get("csrftoken"), "version": version})
    assert created.status_code == 200
    assert "2 users created as pending accounts." in created.text
    assert "not created because the confirmation box was not ticked" in created.text
    assert await Account.filter(organisation=school, kind=AccountKind.USER,
                                status=AccountStatus.PENDING).count() == 2

    # Later: resume the partially processed batch from the batch files and confirm it.
    files_page = await client.get("/admin/batches/users")
    assert "Partially processed" in files_page.text and "Resume editing" in files_page.text
    assert "staff.xlsx" in files_page.text
    resumed = await client.get(check_url)
    version = re.search(r'name="version" value="(\d+)"', resumed.text).group(1)
    done = await client.post(f"{check_url}/create", data={
        "csrftoken": client.cookies.get("csrftoken"), "version": version,
        "confirmHighlighted": "yes"})
    assert "1 user created as pending account." in done.text
    assert "There are no rows left to check" in done.text
    batch = await Batch.get(id=int(check_url.rsplit("/", 1)[1]))
    assert batch.status == BatchStatus.PROCESSED and batch.created_count == 3
    governor = await Account.get(email="gus@school.example.org")
    assert governor.pupil_access.value == "full" and governor.created_by_id == admin.id

    # The pending users, and their welcome letters from the batch page.
    pending = await client.get("/admin/users/pending")
    for name in ("ann.lee@school.example.org", "gus@school.example.org", "cy@school.example.org"):
        assert name in pending.text
    letters = re.search(r'href="(/admin/users/letters\?[^"]+)"', done.text).group(1)
    printed = await client.get(letters.replace("&amp;", "&"))
    assert printed.status_code == 200 and "Vernor" in printed.text
    listing = await client.get("/admin/batches/users")
    assert "Processed" in listing.text

    # Pressing Create again (a double click, or a refresh) creates nothing more.
    again = await client.post(f"{check_url}/create", data={
        "csrftoken": client.cookies.get("csrftoken"), "version": version,
        "confirmHighlighted": "yes"})
    assert again.status_code == 400 and "This batch has changed" in again.text
    assert await Account.filter(organisation=school, kind=AccountKind.USER).count() == 3


async def test_editing_and_deleting_rows_without_javascript(client):
    await signed_in_admin(client)
    response = await upload(client, files.xlsx([files.person(1), ["", "Lee", "bad", "Janitor", "x"]]))
    check_url = response.headers["location"]
    red = row_id((await client.get(check_url)).text, 3)
    form = await client.get(f"{check_url}/rows/{red}/edit")
    assert form.status_code == 200 and "Edit row 3" in form.text and "<html" in form.text
    assert "The file said: Janitor" in form.text
    refused = await client.post(f"{check_url}/rows/{red}/edit", data={
        "csrftoken": client.cookies.get("csrftoken"), "forename": "", "surname": "Lee",
        "email": "bad", "role": "", "pupilAccess": ""})
    assert refused.status_code == 400
    assert "There is a problem" in refused.text and "Error: " in refused.text
    assert 'href="#forename"' in refused.text and 'href="#role"' in refused.text
    saved = await client.post(f"{check_url}/rows/{red}/edit", data={
        "csrftoken": client.cookies.get("csrftoken"), "forename": "Bo", "surname": "Lee",
        "email": "bo@school.example.org", "role": "Teacher", "pupilAccess": "full"})
    assert saved.status_code == 303 and "done=row-saved" in saved.headers["location"]

    ask = await client.get(f"{check_url}/rows/{red}/delete")
    assert "Delete row 3 from this batch?" in ask.text
    deleted = await client.post(f"{check_url}/rows/{red}/delete",
                                data={"csrftoken": client.cookies.get("csrftoken")})
    assert deleted.status_code == 303
    page = await client.get(deleted.headers["location"])
    assert "The row has been deleted from the batch." in page.text and f'id="row-{red}"' not in page.text


async def test_deleting_a_row_with_htmx_returns_the_check_fragment(client):
    await signed_in_admin(client)
    check_url = (await upload(client, files.xlsx(files.rows_of_people(2)))).headers["location"]
    first = row_id((await client.get(check_url)).text, 2)
    response = await client.post(f"{check_url}/rows/{first}/delete",
                                 headers={**HTMX, **csrf_headers(client)})
    assert response.status_code == 200 and response.text.lstrip().startswith('<div id="batch-check">')
    assert f'id="row-{first}"' not in response.text
    cancel = await client.get(f"{check_url}/rows/{row_id(response.text, 3)}", headers=HTMX)
    assert cancel.text.lstrip().startswith("<tr")


async def test_delete_and_restore_a_batch(client):
    school, _ = await signed_in_admin(client)
    check_url = (await upload(client, files.xlsx([files.person(1), ["", "", "bad", "", ""]]))).headers["location"]
    version = re.search(r'name="version" value="(\d+)"', (await client.get(check_url)).text).group(1)
    await client.post(f"{check_url}/create", data={"csrftoken": client.cookies.get("csrftoken"),
                                                   "version": version})
    ask = await client.get(f"{check_url}/delete")
    assert "accounts already created" in ask.text.lower() or "already created from it will remain" in ask.text
    gone = await client.post(f"{check_url}/delete", data={"csrftoken": client.cookies.get("csrftoken")})
    assert gone.status_code == 303 and gone.headers["location"] == "/admin/batches/users?done=deleted"
    listing = await client.get(gone.headers["location"])
    assert "Deleted" in listing.text and "Restore" in listing.text
    assert await Account.filter(organisation=school, kind=AccountKind.USER).count() == 1
    page = await client.get(check_url)
    assert "This batch has been deleted" in page.text and "/create" not in page.text
    restored = await client.post(f"{check_url}/restore", data={"csrftoken": client.cookies.get("csrftoken")})
    assert restored.status_code == 303
    assert (await Batch.get(id=int(check_url.rsplit("/", 1)[1]))).status == BatchStatus.PARTIALLY_PROCESSED


async def test_annotated_workbook_marks_problems_and_neutralises_formulas(client):
    await signed_in_admin(client)
    rows = [["=cmd|' /C calc'!A0", "Lee", "@bad", "Governor", files.FULL], files.person(2)]
    check_url = (await upload(client, files.xlsx(rows))).headers["location"]
    response = await client.get(f"{check_url}/annotated.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["User Details"]
    forename, _, email, _, access = sheet[2][:5]
    assert forename.value == "'=cmd|' /C calc'!A0" and forename.data_type == "s"
    assert email.value == "'@bad"
    assert forename.fill.fgColor.rgb.endswith("F6B4B4") and "Error:" in forename.comment.text
    assert access.fill.fgColor.rgb.endswith("FFD98C") and "Check:" in access.comment.text
    assert sheet[3][0].comment is None
    # It can be uploaded again as it is; the neutralised formula is still refused.
    again = await upload(client, response.content, "again.xlsx")
    assert again.status_code == 303
    page = await client.get(again.headers["location"])
    assert "looks like a spreadsheet formula" in page.text


HOSTILE = [
    ("101 rows", lambda: files.xlsx(files.rows_of_people(101)), "people.xlsx",
     "more than 100 rows of data"),
    ("wrong extension", lambda: files.xlsx(files.rows_of_people(1)), "people.pdf",
     "must be an Excel workbook (.xlsx or .xls) or a CSV file"),
    ("HTML renamed .xls", files.html_renamed, "people.xls", "is a web page"),
    ("truncated zip", files.truncated_xlsx, "people.xlsx", "damaged or incomplete"),
    ("ratio zip bomb", files.ratio_bomb, "people.xlsx", "cannot be opened safely"),
    ("declared-size zip bomb", files.declared_size_bomb, "people.xlsx", "cannot be opened safely"),
    ("too many members", files.many_members, "people.xlsx", "cannot be opened safely"),
    ("XML entity bomb", files.entity_bomb, "people.xlsx", "XML features that are not allowed"),
    ("entity bomb in a sheet", lambda: files.entity_bomb("xl/worksheets/sheet1.xml"),
     "people.xlsx", "XML features that are not allowed"),
    ("external entity", files.external_entity, "people.xlsx", "XML features that are not allowed"),
    ("PNG renamed", files.png, "people.xlsx", "not a spreadsheet"),
    ("zip that is not a workbook", files.not_xlsx_zip, "people.xlsx", "not an Excel workbook"),
    ("damaged .xls", files.damaged_xls, "people.xls", "could not be read as an Excel workbook"),
    ("UTF-16 text", files.utf16_csv, "people.csv", "CSV UTF-8"),
    ("empty file", lambda: b"", "people.csv", "The selected file is empty"),
    ("missing column", lambda: files.xlsx([["Ann", "Lee"]], ["Forename", "Surname"]),
     "people.xlsx", "missing the columns"),
    ("row one million", files.huge_row_index, "people.xlsx", "blank or formatted"),
    ("password protected", files.password_protected_xlsx, "people.xlsx", "protected with a password"),
    ("over 5 MB", lambda: b"a," * (5 * 1024 * 1024 // 2 + 10), "people.csv", "smaller than 5 MB"),
]


@pytest.mark.parametrize("name, maker, file_name, message", HOSTILE, ids=[h[0] for h in HOSTILE])
async def test_hostile_and_broken_files_get_a_clear_message_and_create_nothing(
    client, name, maker, file_name, message
):
    await signed_in_admin(client)
    response = await upload(client, maker(), file_name)
    assert response.status_code == 400, response.text[:500]
    assert "There is a problem" in response.text and message in response.text
    assert 'href="#file"' in response.text and 'id="file-error"' in response.text
    assert response.text.count("<title>Error: ") == 1
    assert await Batch.all().count() == 0 and await BatchRow.all().count() == 0
    assert await Account.filter(kind=AccountKind.USER).count() == 0


async def test_no_file_chosen(client):
    await signed_in_admin(client)
    response = await client.post("/admin/users/upload",
                                 data={"csrftoken": client.cookies.get("csrftoken")},
                                 files={"other": ("x", b"", "text/plain")})
    assert response.status_code == 400 and "Select a spreadsheet file to upload" in response.text


async def test_good_corpus_files_are_read_as_text(client):
    await signed_in_admin(client)
    rows = [["=1+1", "Lee", "a@school.example.org", "Teacher", "full"],
            [__import__("datetime").datetime(2026, 3, 1), "May", "b@school.example.org", "Teacher", "aggregate"],
            ["Zoë", "Ünal", "zoë@exämple.org", "Teacher", "full"],
            ["A" * 51, "Lee", "c@school.example.org", "Teacher", "full"]]
    page = await client.get((await upload(client, files.xlsx(rows))).headers["location"])
    assert "=1+1" in page.text and "looks like a spreadsheet formula" in page.text
    assert "01/03/2026" in page.text
    assert "zoë@exämple.org" in page.text and "Enter an email address in the correct format" in page.text
    assert "Forename must be 50 characters or less" in page.text
    bom = files.csv_bytes([files.person(1)], bom=True)
    page = await client.get((await upload(client, bom, "people.csv")).headers["location"])
    assert "Forename1" in page.text and "Ready" in page.text


async def test_the_token_must_come_before_the_file(client):
    await signed_in_admin(client)
    body = files.csv_bytes([files.person(1)])
    response = await client.post(
        "/admin/users/upload",
        files=[("file", ("people.csv", body, "text/csv")),
               ("csrftoken", (None, client.cookies.get("csrftoken")))],
    )
    assert response.status_code == 403
    assert await Batch.all().count() == 0


async def test_administrator_upload_and_the_limit(client):
    school, _ = await signed_in_admin(client)
    data = files.xlsx([["Ann", "Lee", "ann@school.example.org"], ["Bo", "Khan", "bo@school.example.org"]],
                      files.ADMIN_HEADINGS, "Administrator Details")
    response = await upload(client, data, "admins.xlsx", "/admin/administrators/upload")
    page = await client.get(response.headers["location"])
    assert "Multiple admin users list" in page.text
    assert "would go over the limit" in page.text and "Create administrators" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    done = await client.post(response.headers["location"] + "/create", data={
        "csrftoken": client.cookies.get("csrftoken"), "version": version})
    assert "1 administrator created" in done.text
    assert await Account.filter(organisation=school, kind=AccountKind.ADMINISTRATOR).count() == 2
    assert "Partially processed" in (await client.get("/admin/batches/administrators")).text


async def test_only_the_organisations_administrators(client, app):
    import httpx

    school, _ = await signed_in_admin(client)
    check_url = (await upload(client, files.xlsx([files.person(1)]))).headers["location"]
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        stranger = await make_administrator(await make_school())
        await sign_in(other, stranger)
        assert (await other.get(check_url)).status_code == 404
        assert (await other.get(check_url + "/annotated.xlsx")).status_code == 404
        response = await other.post(check_url + "/delete", data={"csrftoken": other.cookies.get("csrftoken")})
        assert response.status_code == 404
        listing = await other.get("/admin/batches/users")
        assert "people.xlsx" not in listing.text
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as anonymous:
        response = await anonymous.get(check_url)
        assert response.status_code == 303 and "/admin/sign-in" in response.headers["location"]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as user_client:
        user = await make_user(school)
        await sign_in(user_client, user)
        response = await graphql(user_client, "{ batches(kind: USERS) { totalCount } }")
        assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await Batch.get(id=int(check_url.rsplit("/", 1)[1]))).status == BatchStatus.PARTIALLY_PROCESSED


async def test_outside_tools_upload_base64_over_graphql(client):
    await signed_in_admin(client)
    content = base64.b64encode(files.csv_bytes([files.person(1), files.person(2, "Governor", "full")])).decode()
    mutation = """mutation($input: UploadBatchInput!) { uploadBatch(input: $input) {
        batch { id status rowCount remainingCount } errors { field code message } } }"""
    response = await graphql(client, mutation, {"input": {"kind": "USERS", "fileName": "api.csv",
                                                          "contentBase64": content}})
    payload = response.json()["data"]["uploadBatch"]
    assert payload["errors"] == [] and payload["batch"]["rowCount"] == 2
    check = await graphql(client, """query($id: ID!) { batchCheck(id: $id) { amberCount readyCount
        batch { version } rows { rowNumber isAmber problems { field severity code } } } }""",
                          {"id": payload["batch"]["id"]})
    data = check.json()["data"]["batchCheck"]
    assert data["amberCount"] == 1 and data["readyCount"] == 1
    bad = await graphql(client, mutation, {"input": {"kind": "USERS", "fileName": "x.csv",
                                                     "contentBase64": base64.b64encode(b"\x89PNG\x00").decode()}})
    assert bad.json()["data"]["uploadBatch"]["errors"][0]["code"] == "NOT_A_SPREADSHEET"
    broken = await graphql(client, mutation, {"input": {"kind": "USERS", "fileName": "x.csv",
                                                        "contentBase64": "***"}})
    assert broken.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_statements_do_not_grow_with_rows_or_batches(client):
    from server.observability import count_sql

    await signed_in_admin(client)
    small = (await upload(client, files.xlsx(files.rows_of_people(2)))).headers["location"]
    full = (await upload(client, files.xlsx(files.rows_of_people(100)))).headers["location"]
    check = "query($id: ID!) { batchCheck(id: $id) { rows { id problems { code } } created { id } } }"
    listing = "{ batches(kind: USERS) { edges { node { fileName rowCount createdCount remainingCount } } } }"

    async def statements(query, variables=None):
        with count_sql() as counted:
            response = await graphql(client, query, variables)
        assert "errors" not in response.json(), response.text
        return counted.value

    few = await statements(check, {"id": small.rsplit("/", 1)[1]})
    many = await statements(check, {"id": full.rsplit("/", 1)[1]})
    assert many == few and many <= 12
    two = await statements(listing)
    await upload(client, files.xlsx(files.rows_of_people(3)))
    await upload(client, files.xlsx(files.rows_of_people(4)))
    assert await statements(listing) == two


async def test_a_row_gone_meanwhile_refreshes_the_whole_check_with_htmx(client):
    await signed_in_admin(client)
    check_url = (await upload(client, files.xlsx(files.rows_of_people(2)))).headers["location"]
    first = row_id((await client.get(check_url)).text, 2)
    await client.post(f"{check_url}/rows/{first}/delete", data={"csrftoken": client.cookies.get("csrftoken")})
    late = await client.get(f"{check_url}/rows/{first}/edit", headers=HTMX)
    assert late.headers["HX-Retarget"] == "#batch-check"
    assert "That row has already been created or deleted." in late.text
    plain = await client.get(f"{check_url}/rows/{first}/edit")
    assert plain.status_code == 303 and "done=row-gone" in plain.headers["location"]
