"""Estimates versions over /graphql: the preview, apply and roll back with typed errors, and
the version every answer carrying estimates names (docs/API-ESTIMATE-VERSIONS.md)."""

from server.models import SchoolEstimatesVersion, Target
from server.models.enums import PupilAccess, Role
from server.services.estimates import versions
from tests.factories import api_token, graphql, make_administrator, make_school, make_user
from tests.target_settings.helpers import make_pupils
from tests.target_settings.test_estimate_versions import new_parameters

SETTINGS = """
mutation { saveTargetSettings(input: {keyStage: KS4, yearGroup: 10, useTargetSetting: true,
  prepopulate: BENCHMARK, editing: YES, shareTargets: false}) { errors { code } } }"""

VERSIONS = """
query { estimatesVersions { keyStage applied { version label shipped } previous { version } }
        loadedEstimatesVersions(keyStage: KS4) { version label shipped loadedAt } }"""

IMPACT = """
query($v: String!) { estimatesImpact(keyStage: KS4, version: $v) {
  applied { version } proposed { version label }
  subjects { yearGroup subjectCode subjectName targets up down same averageChange } } }"""

APPLY = """
mutation($v: String!) { applyEstimatesVersion(input: {keyStage: KS4, version: $v}) {
  estimatesVersion { applied { version label } previous { version } appliedAt }
  prepopulated errors { field message code } } }"""

ROLL_BACK = """
mutation { rollBackEstimatesVersion(input: {keyStage: KS4}) {
  estimatesVersion { applied { version } previous { version } }
  prepopulated errors { field message code } } }"""

READS = """
query($urn: String!) {
  targetAggregates(keyStage: KS4, yearGroup: 10, subjectCodes: ["maths"]) {
    averageEstimatePoints estimatesVersion { version label } }
  pupilTargets(schoolUrn: $urn, keyStage: KS4, yearGroup: 10, subjectCode: "maths", first: 1) {
    edges { node { targetPoints estimatesVersion { version label shipped } } } }
  targetYearGroup(schoolUrn: $urn, keyStage: KS4, yearGroup: 10) {
    estimatesVersion { version } }
}"""


async def setup(client, pupils: int = 5):
    school = await make_school()
    admin = await api_token(await make_administrator(school))
    await make_pupils(school, 10, pupils)
    body = (await graphql(client, SETTINGS, token=admin)).json()
    assert body["data"]["saveTargetSettings"]["errors"] == []
    user = await api_token(await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL))
    return school, admin, user


async def reads(client, school, token):
    body = (await graphql(client, READS, {"urn": school.urn}, token=token)).json()
    assert "errors" not in body, body
    return body["data"]


async def test_preview_apply_roll_back_and_every_answer_names_the_version(client):
    school, admin, user = await setup(client)
    shipped = versions.shipped_version("KS4")
    loaded = await versions.load_version(new_parameters({"maths": 2.0}), "2027 national data", "op")
    before = await reads(client, school, user)
    assert before["targetAggregates"][0]["estimatesVersion"]["version"] == shipped
    node = before["pupilTargets"]["edges"][0]["node"]
    assert node["estimatesVersion"] == {"version": shipped, "label": versions.SHIPPED_LABEL,
                                        "shipped": True}
    assert before["targetYearGroup"]["estimatesVersion"] == {"version": shipped}

    body = (await graphql(client, VERSIONS, token=admin)).json()
    assert "errors" not in body, body
    ks4 = next(r for r in body["data"]["estimatesVersions"] if r["keyStage"] == "KS4")
    assert ks4["applied"]["shipped"] and ks4["previous"] is None
    assert [v["version"] for v in body["data"]["loadedEstimatesVersions"]] == [
        shipped, loaded.version]

    body = (await graphql(client, IMPACT, {"v": loaded.version}, token=admin)).json()
    assert "errors" not in body, body
    impact = body["data"]["estimatesImpact"]
    assert impact["applied"] == {"version": shipped}
    maths = next(s for s in impact["subjects"] if s["subjectCode"] == "maths")
    assert maths["yearGroup"] == 10 and maths["targets"] == 5 and maths["up"] == 5
    assert maths["averageChange"] > 0

    body = (await graphql(client, APPLY, {"v": loaded.version}, token=admin)).json()
    payload = body["data"]["applyEstimatesVersion"]
    assert payload["errors"] == [] and payload["prepopulated"] == 5 * 20
    assert payload["estimatesVersion"]["applied"] == {"version": loaded.version,
                                                      "label": "2027 national data"}
    assert payload["estimatesVersion"]["previous"] == {"version": shipped}
    after = await reads(client, school, user)
    assert after["targetAggregates"][0]["estimatesVersion"] == {
        "version": loaded.version, "label": "2027 national data"}
    assert after["targetAggregates"][0]["averageEstimatePoints"] > before[
        "targetAggregates"][0]["averageEstimatePoints"]
    assert after["pupilTargets"]["edges"][0]["node"]["estimatesVersion"]["version"] == loaded.version

    body = (await graphql(client, APPLY, {"v": loaded.version}, token=admin)).json()
    (error,) = body["data"]["applyEstimatesVersion"]["errors"]
    assert (error["field"], error["code"]) == ("version", "ALREADY_APPLIED")

    body = (await graphql(client, ROLL_BACK, token=admin)).json()
    payload = body["data"]["rollBackEstimatesVersion"]
    assert payload["errors"] == [] and payload["estimatesVersion"]["applied"] == {"version": shipped}
    assert (await reads(client, school, user)) == before
    body = (await graphql(client, ROLL_BACK, token=admin)).json()
    assert body["data"]["rollBackEstimatesVersion"]["errors"][0]["code"] == "NOTHING_TO_ROLL_BACK"


async def test_unknown_versions_and_other_people_are_refused(client):
    school, admin, user = await setup(client, 2)
    body = (await graphql(client, APPLY, {"v": "1999.1"}, token=admin)).json()
    (error,) = body["data"]["applyEstimatesVersion"]["errors"]
    assert error["code"] == "UNKNOWN_VERSION" and "1999.1" in error["message"]
    body = (await graphql(client, IMPACT, {"v": "1999.1"}, token=admin)).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    loaded = await versions.load_version(new_parameters({"maths": 1.0}), "Next", "op")
    for query, variables in ((APPLY, {"v": loaded.version}), (ROLL_BACK, None),
                             (IMPACT, {"v": loaded.version}), (VERSIONS, None)):
        body = (await graphql(client, query, variables, token=user)).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
    other = await api_token(await make_administrator(await make_school()))
    body = (await graphql(client, APPLY.replace("keyStage: KS4", f'schoolId: "{school.id}", '
                                                "keyStage: KS4"), {"v": loaded.version},
                          token=other)).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await SchoolEstimatesVersion.all().count() == 0
    assert {t.model_version for t in await Target.all()} == {versions.shipped_version("KS4")}
