"""The pupils operations through /graphql: payload errors, codes, statement counts."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from server.models import Pupil
from server.models.enums import PupilAccess, Role
from server.observability import count_sql
from tests.factories import api_token, graphql, make_administrator, make_school, make_user, sign_in

sys.path.insert(0, str(Path(__file__).parent))
from pupil_files import csv_bytes, pupil_row  # noqa: E402

UPLOAD = """mutation($i: UploadFileInput!) { uploadPupilFile(input: $i) {
  pupilImport { id status counts { rows newPupils rowsWithProblems rowsWithWarnings }
    rowsWithProblems { row upn status problems { field column message severity } } }
  errors { field message code } } }"""
CONFIRM = """mutation($i: ConfirmPupilImportInput!) { confirmPupilImport(input: $i) {
  pupilImport { status result { created skipped } } errors { field message code } } }"""
SCHOOL = """{ schoolPupils { currentAcademicYear currentAcademicYearLabel currentPupils
  mayRollForward pendingImport { id } rollForward { fromLabel toLabel pupilsMoving
  yearGroups { yearGroup pupils nextYearGroup } } valueAdded { code indicator } } }"""


def encoded(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_upload_and_confirm_with_a_token_of_a_data_manager(client):
    school = await make_school()
    manager = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    token = await api_token(manager)
    data = csv_bytes([pupil_row(1), pupil_row(2, **{"Date of birth": "2001-13-01"})])
    answer = (await graphql(client, UPLOAD, {"i": {"fileName": "p.csv",
                                                   "contentBase64": encoded(data)}},
                            token=token)).json()
    payload = answer["data"]["uploadPupilFile"]
    assert payload["errors"] == []
    pending = payload["pupilImport"]
    assert pending["status"] == "PENDING"
    assert pending["counts"] == {"rows": 2, "newPupils": 1, "rowsWithProblems": 1,
                                 "rowsWithWarnings": 0}
    [row] = pending["rowsWithProblems"]
    assert (row["row"], row["status"]) == (3, "PROBLEM")
    assert row["problems"][0]["field"] == "dateOfBirth"
    assert row["problems"][0]["column"] == "Date of birth"
    assert row["problems"][0]["severity"] == "ERROR"

    confirmed = (await graphql(client, CONFIRM, {"i": {"id": pending["id"]}},
                               token=token)).json()["data"]["confirmPupilImport"]
    assert confirmed["errors"] == []
    assert confirmed["pupilImport"]["status"] == "CONFIRMED"
    assert confirmed["pupilImport"]["result"] == {"created": 1, "skipped": 1}
    twice = (await graphql(client, CONFIRM, {"i": {"id": pending["id"]}},
                           token=token)).json()["data"]["confirmPupilImport"]
    assert twice["errors"][0]["code"] == "ALREADY_CONFIRMED"
    assert await Pupil.filter(school=school).count() == 1


async def test_bad_uploads_answer_with_payload_errors(client):
    school = await make_school()
    token = await api_token(await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL))
    for content, code in (("not base64!", "UNREADABLE"), ("", "REQUIRED"),
                          (encoded(b"UPN,Forename\n"), "BAD_HEADER"),
                          (encoded(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), "UNREADABLE")):
        answer = (await graphql(client, UPLOAD, {"i": {"fileName": "p.csv",
                                                       "contentBase64": content}},
                                token=token)).json()
        payload = answer["data"]["uploadPupilFile"]
        assert payload["pupilImport"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("file", code)], content


async def test_anonymous_and_aggregate_viewers_are_refused(client):
    school = await make_school()
    answer = (await graphql(client, SCHOOL)).json()
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    token = await api_token(await make_user(school, Role.DATA_MANAGER, PupilAccess.AGGREGATE))
    answer = (await graphql(client, SCHOOL, token=token)).json()
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_school_pupils_in_a_fixed_number_of_statements(client):
    school = await make_school()
    await sign_in(client, await make_administrator(school))
    for n in range(1, 4):
        await Pupil.create(school=school, upn=f"X{n:012d}", forename="A", surname="B",
                           gender="F", date_of_birth="2012-01-01", year_group=9 + n % 2)
    with count_sql() as few:
        answer = (await graphql(client, SCHOOL)).json()
    data = answer["data"]["schoolPupils"]
    assert data["currentAcademicYearLabel"] == "2026/27" and data["mayRollForward"] is True
    assert data["currentPupils"] == 3 and data["pendingImport"] is None
    assert [(g["yearGroup"], g["pupils"], g["nextYearGroup"])
            for g in data["rollForward"]["yearGroups"]] == [(9, 1, 10), (10, 2, 11)]
    for n in range(4, 40):
        await Pupil.create(school=school, upn=f"X{n:012d}", forename="A", surname="B",
                           gender="F", date_of_birth="2012-01-01", year_group=7 + n % 5)
    with count_sql() as many:
        await graphql(client, SCHOOL)
    assert many.value == few.value <= 12


CTF_UPLOAD = """mutation($file: Upload!) { uploadCommonTransferFile(file: $file) {
  pupilImport { id status counts { rows newPupils rowsWithProblems rowsWithWarnings } }
  errors { field message code } } }"""


def multipart(query: str, name: str, data: bytes) -> dict:
    import json

    return {
        "data": {"operations": json.dumps({"query": query, "variables": {"file": None}}),
                 "map": json.dumps({"0": ["variables.file"]})},
        "files": {"0": (name, data, "application/xml")},
    }


async def test_ctf_by_the_multipart_convention_with_a_token_and_in_a_session(client):
    from ctf_files import big_ctf

    school = await make_school()
    manager = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    token = await api_token(manager)
    data, _ = big_ctf(400)
    assert len(data) > 64 * 1024  # more than a JSON body may carry
    answer = await client.post("/graphql", headers={"authorization": f"Bearer {token}"},
                               **multipart(CTF_UPLOAD, "mis.xml", data))
    assert answer.status_code == 200, answer.text[:500]
    payload = answer.json()["data"]["uploadCommonTransferFile"]
    assert payload["errors"] == [], payload
    assert payload["pupilImport"]["counts"]["newPupils"] == 400
    import_id = payload["pupilImport"]["id"]
    confirmed = (await graphql(client, CONFIRM, {"i": {"id": import_id,
                                                       "markMissingAsLeft": False}},
                               token=token)).json()["data"]["confirmPupilImport"]
    assert confirmed["errors"] == [] and confirmed["pupilImport"]["result"]["created"] == 400
    assert await Pupil.filter(school=school).count() == 400

    refused = await client.post("/graphql", headers={"authorization": f"Bearer {token}"},
                                **multipart(CTF_UPLOAD, "p.csv", csv_bytes([pupil_row(1)])))
    [error] = refused.json()["data"]["uploadCommonTransferFile"]["errors"]
    assert error["code"] == "NOT_CTF"
    bomb = await client.post("/graphql", headers={"authorization": f"Bearer {token}"},
                             **multipart(CTF_UPLOAD, "x.xml",
                                         b'<!DOCTYPE x [<!ENTITY a "b">]><CTfile>&a;</CTfile>'))
    assert bomb.json()["data"]["uploadCommonTransferFile"]["errors"][0]["code"] == "UNSAFE"

    # A signed-in browser session: the CSRF header is required, as for any POST.
    await sign_in(client, await make_administrator(school))
    no_token = await client.post("/graphql", **multipart(CTF_UPLOAD, "mis.xml", data))
    assert no_token.status_code == 403
    with_token = await client.post("/graphql", headers={"x-csrftoken": client.cookies.get(
        "csrftoken", "")}, **multipart(CTF_UPLOAD, "mis.xml", data))
    assert with_token.json()["data"]["uploadCommonTransferFile"]["errors"] == []
