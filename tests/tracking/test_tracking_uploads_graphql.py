"""GraphQL: expectedGrades, setExpectedGrade / clearExpectedGrade / setExpectedGrades
(administrators), workingAtTemplate, checkWorkingAtUpload, confirmWorkingAtUpload and
workingAtUpload (users with full pupil access)."""

import asyncio
import base64
from datetime import date

from server.models import AssessmentPoint, AuditEvent, WorkingAtGrade
from server.models.enums import KeyStage, PupilAccess
from tests.factories import api_token, graphql, make_administrator, make_school, make_user
from tests.targets.world import add_pupils, set_targets, subjects

SET = """mutation($input: SetExpectedGradeInput!) { setExpectedGrade(input: $input) {
  expectedGrade { subjectCode yearGroup grade points point { name } }
  errors { field message code } } }"""
CLEAR = """mutation($input: ClearExpectedGradeInput!) { clearExpectedGrade(input: $input) {
  cleared errors { field code } } }"""
SET_ALL = """mutation($input: SetExpectedGradesInput!) { setExpectedGrades(input: $input) {
  set cleared errors { field code } } }"""
GRID = """query { expectedGrades(keyStage: KS4, yearGroup: 11) {
  subjectCode subjectName points { point { name } linearPoints grade points } } }"""
READ = """query { yearGroupTracking(keyStage: KS4, yearGroup: 11) {
  pupils { upn expectedPoints status } } }"""
TEMPLATE = """query($p: ID!) { workingAtTemplate(pointId: $p, yearGroup: 11) {
  fileName contentType contentBase64 } }"""
CHECK = """mutation($input: CheckWorkingAtUploadInput!) { checkWorkingAtUpload(input: $input) {
  upload { id status rows acceptedGrades refusedGrades subjects { code name }
           pupils { row upn problem cells { subjectCode grade accepted problem } } }
  errors { field message code } } }"""
CONFIRM = """mutation($id: ID!) { confirmWorkingAtUpload(input: {id: $id}) {
  upload { status savedGrades refusedGrades pupils { upn } } errors { code } } }"""


async def _school():
    school = await make_school()
    school.current_academic_year = 2026
    await school.save()
    pupils = await add_pupils(school, 11, 3, "Gqu")
    maths = (await subjects(KeyStage.KS4))["maths"]
    await set_targets(pupils, maths, ["6", "6", "6"])
    point = await AssessmentPoint.create(
        school=school, key_stage=KeyStage.KS4, year_group=None, academic_year=2026,
        name="Autumn", on=date(2026, 11, 1))
    return school, pupils, point


async def test_administrators_set_and_clear_expected_grades(client):
    school, pupils, point = await _school()
    admin = await api_token(await make_administrator(school))
    teacher = await api_token(await make_user(school))
    one = {"pointId": str(point.id), "yearGroup": 11, "subjectCode": "maths"}

    refused = (await graphql(client, SET, {"input": {**one, "grade": "5"}}, token=teacher)).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = (await graphql(client, SET, {"input": {**one, "grade": "11"}}, token=admin)).json()
    assert bad["data"]["setExpectedGrade"]["errors"][0] == {
        "field": "grade", "code": "INVALID_GRADE",
        "message": bad["data"]["setExpectedGrade"]["errors"][0]["message"]}
    wrong_year = (await graphql(client, SET, {"input": {**one, "yearGroup": 12, "grade": "5"}},
                                token=admin)).json()
    assert wrong_year["data"]["setExpectedGrade"]["errors"][0]["code"] == "INVALID_YEAR_GROUP"

    done = (await graphql(client, SET, {"input": {**one, "grade": "5"}}, token=admin)).json()
    assert done["data"]["setExpectedGrade"] == {"expectedGrade": {
        "subjectCode": "maths", "yearGroup": 11, "grade": "5", "points": 5.0,
        "point": {"name": "Autumn"}}, "errors": []}
    grid = (await graphql(client, GRID, token=admin)).json()["data"]["expectedGrades"]
    maths = next(s for s in grid if s["subjectCode"] == "maths")
    assert maths["points"][0]["grade"] == "5" and maths["subjectName"] == "Mathematics"
    # Too few pupils to show their mean linear value.
    assert maths["points"][0]["linearPoints"] is None

    # The tracking uses it.
    await WorkingAtGrade.create(school=school, pupil=pupils[0], subject_id=(
        await subjects(KeyStage.KS4))["maths"].id, point=point, grade="7", points=7.0,
        entered_at=point.created_at)
    read = (await graphql(client, READ, token=teacher)).json()["data"]["yearGroupTracking"]
    assert read["pupils"] == [{"upn": pupils[0].upn, "expectedPoints": 5.0, "status": "ABOVE"}]

    cleared = (await graphql(client, CLEAR, {"input": one}, token=admin)).json()
    assert cleared["data"]["clearExpectedGrade"] == {"cleared": True, "errors": []}
    read = (await graphql(client, READ, token=teacher)).json()["data"]["yearGroupTracking"]
    assert read["pupils"][0]["expectedPoints"] != 5.0

    several = {"pointId": str(point.id), "yearGroup": 11,
               "grades": [{"subjectCode": "maths", "grade": "4"},
                          {"subjectCode": "biology", "grade": "nine"}]}
    none = (await graphql(client, SET_ALL, {"input": several}, token=admin)).json()
    assert none["data"]["setExpectedGrades"] == {
        "set": 0, "cleared": 0, "errors": [{"field": "grade-biology", "code": "INVALID_GRADE"}]}
    several["grades"][1]["grade"] = "9"
    both = (await graphql(client, SET_ALL, {"input": several}, token=admin)).json()
    assert both["data"]["setExpectedGrades"] == {"set": 2, "cleared": 0, "errors": []}
    assert await AuditEvent.filter(organisation_id=school.id,
                                   action="tracking.expected_saved").count() == 1


async def test_upload_check_then_confirm_once(client):
    school, pupils, point = await _school()
    teacher = await api_token(await make_user(school))
    aggregate = await api_token(await make_user(school, pupil_access=PupilAccess.AGGREGATE))
    admin = await api_token(await make_administrator(school))

    made = (await graphql(client, TEMPLATE, {"p": str(point.id)}, token=teacher)).json()
    template = made["data"]["workingAtTemplate"]
    assert template["fileName"].endswith(".xlsx") and base64.b64decode(
        template["contentBase64"]).startswith(b"PK")

    csv = "UPN,Mathematics,History\n" + "".join(
        f"{p.upn},{g},\n" for p, g in zip(pupils, ["6", "Z", "5"], strict=True))
    upload = {"pointId": str(point.id), "yearGroup": 11, "fileName": "g.csv",
              "contentBase64": base64.b64encode(csv.encode()).decode()}
    for token in (aggregate, admin):
        refused = (await graphql(client, CHECK, {"input": upload}, token=token)).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    not_a_file = (await graphql(client, CHECK, {"input": {**upload, "fileName": "g.txt"}},
                                token=teacher)).json()
    assert not_a_file["data"]["checkWorkingAtUpload"]["errors"][0]["code"] == "WRONG_TYPE"

    checked = (await graphql(client, CHECK, {"input": upload}, token=teacher)).json()
    payload = checked["data"]["checkWorkingAtUpload"]
    assert payload["errors"] == []
    found = payload["upload"]
    assert (found["status"], found["rows"], found["acceptedGrades"], found["refusedGrades"]) == (
        "PENDING", 3, 2, 1)
    assert [s["code"] for s in found["subjects"]] == ["maths", "history"]
    assert found["pupils"][1]["cells"][0]["accepted"] is False
    assert await WorkingAtGrade.filter(school=school).count() == 0

    outcomes = await asyncio.gather(*(graphql(client, CONFIRM, {"id": found["id"]},
                                              token=teacher) for _ in range(8)))
    payloads = [o.json()["data"]["confirmWorkingAtUpload"] for o in outcomes]
    assert sorted(len(p["errors"]) for p in payloads) == [0] + [1] * 7
    assert {p["errors"][0]["code"] for p in payloads if p["errors"]} == {"ALREADY_CONFIRMED"}
    done = next(p for p in payloads if not p["errors"])["upload"]
    assert (done["status"], done["savedGrades"], done["refusedGrades"]) == ("CONFIRMED", 2, 1)
    assert [p["upn"] for p in done["pupils"]] == [pupils[1].upn]
    assert await WorkingAtGrade.filter(school=school).count() == 2
    assert await AuditEvent.filter(organisation_id=school.id,
                                   action="tracking.working_at_uploaded").count() == 1

    other = await api_token(await make_user(await make_school()))
    hidden = (await graphql(client, "query($id: ID!) { workingAtUpload(id: $id) { id } }",
                            {"id": found["id"]}, token=other)).json()
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"
