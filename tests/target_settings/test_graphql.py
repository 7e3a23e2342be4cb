"""The target-setting operations over /graphql: permissions, payload errors, results."""

from server.models import AuditEvent, Target, YearGroupSettings
from server.models.enums import AccessVia, Editing
from server.operations import document
from tests.factories import (
    api_token,
    graphql,
    make_administrator,
    make_local_authority,
    make_school,
    make_user,
)
from tests.target_settings.helpers import make_pupils

SETTINGS = {
    "keyStage": "KS2", "yearGroup": 6, "useTargetSetting": True,
    "prepopulate": "BENCHMARK_PLUS_ONE", "editing": "UPWARDS", "shareTargets": True,
    "pupilLevelWithLa": True,
}


async def run(client, token, name, variables):
    r = await client.post(
        "/graphql",
        json={"query": document(name), "variables": variables, "operationName": name},
        headers={"authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    return r.json()


async def admin_token(school):
    return await api_token(await make_administrator(school))


async def test_only_the_schools_administrators_manage_its_settings(client):
    school = await make_school()
    other = await make_school()
    user_token = await api_token(await make_user(school))
    body = await run(client, user_token, "ManageTargets", {"keyStage": "KS4", "yearGroup": 10})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    token = await admin_token(school)
    query = "query($id: ID) { targetSettingsOverview(schoolId: $id) { hasTargets } }"
    r = await graphql(client, query, {"id": str(other.id)}, token=token)
    assert r.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    la_token = await admin_token(await make_local_authority())
    body = await run(client, la_token, "SaveTargetSettings", {"input": SETTINGS})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await YearGroupSettings.all().count() == 0


async def test_plus_one_at_ks2_is_a_payload_error_that_changes_nothing(client):
    school = await make_school()
    token = await admin_token(school)
    body = await run(client, token, "SaveTargetSettings", {"input": SETTINGS})
    payload = body["data"]["saveTargetSettings"]
    assert payload["errors"] == [{
        "field": "prepopulate", "code": "PLUS_ONE_NOT_AVAILABLE",
        "message": "Benchmark grade + 1 can only be used at KS4 and KS5: choose No or FFT "
                   "benchmark grade for KS2",
    }]
    assert await YearGroupSettings.all().count() == 0
    assert await AuditEvent.all().count() == 0


async def test_save_settings_upwards_and_implied_aggregate(client):
    school = await make_school()
    await make_pupils(school, 10, 2)
    token = await admin_token(school)
    chosen = {**SETTINGS, "keyStage": "KS4", "yearGroup": 10}
    body = await run(client, token, "SaveTargetSettings", {"input": chosen})
    payload = body["data"]["saveTargetSettings"]
    assert payload["errors"] == [] and payload["prepopulated"] == 40
    page = await run(client, token, "ManageTargets", {"keyStage": "KS4", "yearGroup": 10})
    saved = page["data"]["yearGroupTargetSettings"]
    assert saved["editing"] == "UPWARDS" and saved["prepopulate"] == "BENCHMARK_PLUS_ONE"
    # Sharing waits for a senior leader's approval (tests/sharing/test_approval.py).
    assert not saved["shareTargets"]
    assert [c["yearGroup"] for c in payload["pendingApproval"]] == [10]
    change = page["data"]["sharingApprovals"]["changes"][0]
    assert change["status"] == "PENDING" and "pupil-level" in change["description"]
    assert page["data"]["targetSettingsOverview"]["hasTargets"]
    row = await YearGroupSettings.get(school=school, year_group=10)
    assert row.editing == Editing.UPWARDS
    event = await AuditEvent.get(action="target_settings.saved")
    assert event.via == AccessVia.TOKEN and event.api_token_id is not None


async def test_benchmarks_subjects_delete_and_restore(client):
    school = await make_school()
    await make_pupils(school, 11, 3)
    token = await admin_token(school)
    variables = {"keyStage": "KS4", "yearGroup": 11}
    page = await run(client, token, "ManageBenchmarks", {**variables, "subjects": None})
    subjects = page["data"]["yearGroupBenchmarks"]["subjects"]
    assert len(subjects) == 20 and not subjects[0]["saved"]
    assert subjects[0]["gradeFormats"] == ["NINE_TO_ONE", "A_STAR_TO_G"]
    assert len(subjects[0]["averages"]) == 6
    save = {"input": {**variables, "subjects": [
        {"subject": "maths", "benchmark": "HIGH", "gradeFormat": "A_STAR_TO_G"},
    ]}}
    body = await run(client, token, "SaveBenchmarks", save)
    assert body["data"]["saveBenchmarks"]["errors"] == []
    page = await run(client, token, "ManageBenchmarks", {**variables, "subjects": ["maths"]})
    (maths,) = page["data"]["yearGroupBenchmarks"]["subjects"]
    assert maths["saved"] and maths["benchmark"] == "HIGH" and maths["scale"] == "A*-G"
    bad = {"input": {**variables, "subjects": [{"subject": "latin", "benchmark": "HIGH"}]}}
    body = await run(client, token, "SaveBenchmarks", bad)
    assert body["data"]["saveBenchmarks"]["errors"][0]["code"] == "UNKNOWN_SUBJECT"
    body = await run(client, token, "SaveTargetSubjects",
                     {"input": {**variables, "included": ["maths", "art"]}})
    assert body["data"]["saveTargetSubjects"]["errors"] == []
    on = {**SETTINGS, **variables, "prepopulate": "BENCHMARK", "shareTargets": False}
    await run(client, token, "SaveTargetSettings", {"input": on})
    assert await Target.filter(school=school).count() == 6
    page = await run(client, token, "DeleteTargetsPage", variables)
    counts = page["data"]["yearGroupTargetCounts"]
    assert (counts["targets"], counts["prepopulated"], counts["prepopulating"]) == (6, 6, True)
    body = await run(client, token, "DeleteTargets", {"input": {**variables, "subject": "art"}})
    deletion = body["data"]["deleteTargets"]["deletion"]
    assert deletion["targetsDeleted"] == 3 and deletion["subjectName"] == "Art and Design"
    page = await run(client, token, "DeleteTargetsPage", variables)
    assert page["data"]["yearGroupTargetCounts"]["targets"] == 3
    assert [d["restorable"] for d in page["data"]["targetDeletions"]] == [3]
    body = await run(client, token, "RestoreTargets", {"input": {"id": deletion["id"]}})
    assert body["data"]["restoreTargets"]["restored"] == 3
    other_token = await admin_token(await make_school())
    body = await run(client, other_token, "RestoreTargets", {"input": {"id": deletion["id"]}})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
