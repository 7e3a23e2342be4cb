"""Tracking over GraphQL: addAssessmentPoint (administrators), setWorkingAtGrade (a school's
users with full pupil access, audited), yearGroupTracking."""

from datetime import date

from server.models import AuditEvent, WorkingAtGrade
from server.models.enums import KeyStage, PupilAccess
from tests.factories import api_token, graphql, make_administrator, make_school, make_user, sign_in
from tests.targets.world import add_pupils, set_targets, subjects

ADD = """mutation($input: AddAssessmentPointInput!) { addAssessmentPoint(input: $input) {
  point { id name date yearGroup keyStage } errors { field message code } } }"""
SET = """mutation($input: SetWorkingAtGradeInput!) { setWorkingAtGrade(input: $input) {
  workingAt { upn subjectCode grade points point { name } } errors { field message code } } }"""
READ = """query { yearGroupTracking(keyStage: KS4, yearGroup: 11) {
  point { name } points { name date }
  subjects { subjectCode onTrack aboveTrack belowTrack }
  pupils { upn subjectCode workingAt expectedPoints status } } }"""


async def test_points_grades_and_tracking_end_to_end(client):
    school = await make_school()
    school.current_academic_year = 2026
    await school.save()
    admin = await make_administrator(school)
    teacher = await make_user(school)
    governor_aggregate = await make_user(school, pupil_access=PupilAccess.AGGREGATE)
    pupils = await add_pupils(school, 11, 2, "Gql")
    subject = next(iter((await subjects(KeyStage.KS4)).values()))
    await set_targets(pupils, subject, ["6", "6"])

    await sign_in(client, admin)
    bad = (await graphql(client, ADD, {"input": {"keyStage": "KS4", "name": " ",
                                                 "date": "2026-11-01"}})).json()
    assert bad["data"]["addAssessmentPoint"]["errors"][0]["field"] == "name"
    outside = (await graphql(client, ADD, {"input": {"keyStage": "KS4", "name": "Autumn",
                                                     "date": "2028-11-01"}})).json()
    assert outside["data"]["addAssessmentPoint"]["errors"][0]["code"] == "OUTSIDE_SCHOOL_YEAR"
    made = (await graphql(client, ADD, {"input": {"keyStage": "KS4", "name": "Autumn",
                                                  "date": "2026-11-01"}})).json()
    point = made["data"]["addAssessmentPoint"]["point"]
    assert point["name"] == "Autumn" and point["yearGroup"] is None
    again = (await graphql(client, ADD, {"input": {"keyStage": "KS4", "name": "Autumn",
                                                   "date": "2026-12-01"}})).json()
    assert again["data"]["addAssessmentPoint"]["errors"][0]["code"] == "DUPLICATE"

    token = await api_token(teacher)
    wrong = (await graphql(client, SET, {"input": {"upn": pupils[0].upn, "subjectCode":
             subject.code, "pointId": point["id"], "grade": "12"}}, token=token)).json()
    assert wrong["data"]["setWorkingAtGrade"]["errors"][0]["field"] == "grade"
    assert await WorkingAtGrade.all().count() == 0
    for pupil, grade in zip(pupils, ["6", "1"], strict=True):
        done = (await graphql(client, SET, {"input": {"upn": pupil.upn, "subjectCode":
                subject.code, "pointId": point["id"], "grade": grade}}, token=token)).json()
        assert done["data"]["setWorkingAtGrade"]["errors"] == []
        assert done["data"]["setWorkingAtGrade"]["workingAt"]["grade"] == grade
    assert await AuditEvent.filter(action="tracking.working_at_set").count() == 2

    read = (await graphql(client, READ, token=token)).json()["data"]["yearGroupTracking"]
    assert read["point"]["name"] == "Autumn"
    assert len(read["pupils"]) == 2
    counts = read["subjects"][0]
    assert counts["onTrack"] + counts["aboveTrack"] + counts["belowTrack"] == 2

    # Aggregate-only users neither enter grades nor read pupils' tracking.
    other = await api_token(governor_aggregate)
    refused = (await graphql(client, SET, {"input": {"upn": pupils[0].upn, "subjectCode":
               subject.code, "pointId": point["id"], "grade": "5"}}, token=other)).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    refused = (await graphql(client, READ, token=other)).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # A teacher cannot add assessment points.
    refused = (await graphql(client, ADD, {"input": {"keyStage": "KS4", "name": "Spring",
                                                     "date": "2027-03-01"}}, token=token)).json()
    assert refused["errors"][0]["extensions"]["code"] in {"FORBIDDEN", "UNAUTHENTICATED"}
    assert date(2026, 11, 1).isoformat() == read["points"][0]["date"]
