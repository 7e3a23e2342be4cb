"""Custom challenge levels over /graphql: setCustomLevel's typed errors, and the level in the
types that carry a benchmark (benchmarks, aggregates, pupils' targets, history)."""

import numpy as np
import pytest

from server.models import SubjectSettings, Target
from server.models.enums import PupilAccess, Role
from server.services.estimates.scales import GCSE_9_1
from server.services.targets.cohort import year_group_estimates
from tests.factories import api_token, graphql, make_administrator, make_school, make_user
from tests.target_settings.helpers import make_pupils

SET = """
mutation($input: SetCustomLevelInput!) {
  setCustomLevel(input: $input) {
    prepopulated
    benchmarks { subjects { code benchmark customLevel { code label kind percentile benchmark
                 otherBenchmark fineGrades } average averages { benchmark scale average } } }
    errors { field message code }
  }
}"""

AGGREGATES = """
query { targetAggregates(keyStage: KS4, yearGroup: 10, subjectCodes: ["maths", "art"]) {
  subject { code } benchmark customLevel { code }
  averageEstimatePoints custom: averageEstimatePoints(benchmark: CUSTOM)
  high: averageEstimatePoints(benchmark: HIGH)
} }"""

PUPILS = """
query($urn: String!) { pupilTargets(schoolUrn: $urn, keyStage: KS4, yearGroup: 10,
                                     subjectCode: "maths") {
  edges { node { targetGrade schoolBenchmark customLevel { code }
    estimate { benchmark finePoints customLevel { label } }
    high: estimate(benchmark: HIGH) { finePoints }
    history { benchmark customLevel { code } } } }
} }"""

SETTINGS = """
mutation { saveTargetSettings(input: {keyStage: KS4, yearGroup: 10, useTargetSetting: true,
  prepopulate: BENCHMARK, editing: YES, shareTargets: false}) { errors { code } } }"""


def level_input(**level):
    return {"input": {"keyStage": "KS4", "yearGroup": 10, "subject": "maths", "level": level}}


@pytest.mark.parametrize(("level", "field", "code"), [
    ({"kind": "PERCENTILE", "percentile": 0}, "custom-percentile-maths", "INVALID_PERCENTILE"),
    ({"kind": "PERCENTILE"}, "custom-percentile-maths", "INVALID_PERCENTILE"),
    ({"kind": "MIDPOINT", "benchmark": "CUSTOM", "otherBenchmark": "HIGH"},
     "custom-benchmark-maths", "UNKNOWN_BENCHMARK"),
    ({"kind": "MIDPOINT", "benchmark": "HIGH"}, "custom-other-maths", "UNKNOWN_BENCHMARK"),
    ({"kind": "OFFSET", "benchmark": "HIGH", "fineGrades": -3.5}, "custom-fine-grades-maths",
     "FINE_GRADES_OUT_OF_RANGE"),
])
async def test_set_custom_level_refuses_with_typed_errors(client, level, field, code):
    school = await make_school()
    token = await api_token(await make_administrator(school))
    await make_pupils(school, 10, 2)
    r = await graphql(client, SETTINGS, token=token)
    assert r.json()["data"]["saveTargetSettings"]["errors"] == []
    before = await Target.all().count()
    body = (await graphql(client, SET, level_input(**level), token=token)).json()
    payload = body["data"]["setCustomLevel"]
    assert payload["benchmarks"] is None and payload["prepopulated"] == 0
    (error,) = payload["errors"]
    assert (error["field"], error["code"]) == (field, code)
    assert "Mathematics" in error["message"]
    assert await SubjectSettings.all().count() == 0
    assert await Target.all().count() == before


async def test_unknown_subject_and_other_schools_are_refused(client):
    school = await make_school()
    token = await api_token(await make_administrator(school))
    variables = level_input(kind="PERCENTILE", percentile=35)
    variables["input"]["subject"] = "astrology"
    body = (await graphql(client, SET, variables, token=token)).json()
    assert body["data"]["setCustomLevel"]["errors"][0]["code"] == "UNKNOWN_SUBJECT"
    teacher = await api_token(await make_user(school))
    body = (await graphql(client, SET, level_input(kind="PERCENTILE", percentile=35),
                          token=teacher)).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await SubjectSettings.all().count() == 0


async def test_the_level_shows_wherever_a_benchmark_does(client):
    school = await make_school()
    admin_token = await api_token(await make_administrator(school))
    await make_pupils(school, 10, 8)
    await graphql(client, SETTINGS, token=admin_token)
    body = (await graphql(client, SET, level_input(kind="OFFSET", benchmark="HIGH",
                                                   fineGrades=0.5), token=admin_token)).json()
    payload = body["data"]["setCustomLevel"]
    assert payload["errors"] == [] and payload["prepopulated"] == 8
    maths = next(s for s in payload["benchmarks"]["subjects"] if s["code"] == "maths")
    assert maths["benchmark"] == "CUSTOM"
    assert maths["customLevel"] == {
        "code": "B20+0.5", "label": "High (20) + 0.5 fine grades", "kind": "OFFSET",
        "percentile": None, "benchmark": "HIGH", "otherBenchmark": None, "fineGrades": 0.5,
    }
    custom_average = next(a for a in maths["averages"]
                          if a["benchmark"] == "CUSTOM" and a["scale"] == "9-1")
    assert maths["average"] == custom_average["average"]
    cohort = await year_group_estimates(school.id, "KS4", 10)
    expected = GCSE_9_1.clamp(cohort.points("maths", "HIGH") + 0.5)

    user = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    token = await api_token(user)
    body = (await graphql(client, AGGREGATES, token=token)).json()
    assert "errors" not in body, body
    rows = {r["subject"]["code"]: r for r in body["data"]["targetAggregates"]}
    assert rows["maths"]["benchmark"] == "CUSTOM"
    assert rows["maths"]["customLevel"] == {"code": "B20+0.5"}
    assert rows["maths"]["averageEstimatePoints"] == pytest.approx(float(np.mean(expected)))
    assert rows["maths"]["custom"] == rows["maths"]["averageEstimatePoints"]
    assert rows["art"]["customLevel"] is None and rows["art"]["custom"] is None

    # Another level: the cached average follows at once (no pupil changed).
    await graphql(client, SET, level_input(kind="PERCENTILE", percentile=10), token=admin_token)
    cohort = await year_group_estimates(school.id, "KS4", 10)
    body = (await graphql(client, AGGREGATES, token=token)).json()
    rows = {r["subject"]["code"]: r for r in body["data"]["targetAggregates"]}
    assert rows["maths"]["customLevel"] == {"code": "P10"}
    assert rows["maths"]["custom"] == pytest.approx(float(np.mean(cohort.points("maths"))))
    assert rows["maths"]["custom"] > rows["maths"]["high"]

    body = (await graphql(client, PUPILS, {"urn": school.urn}, token=token)).json()
    assert "errors" not in body, body
    node = body["data"]["pupilTargets"]["edges"][0]["node"]
    assert node["schoolBenchmark"] == "CUSTOM" and node["customLevel"] == {"code": "P10"}
    assert node["estimate"]["benchmark"] == "CUSTOM"
    assert node["estimate"]["customLevel"] == {"label": "10th percentile"}
    assert node["estimate"]["finePoints"] > node["high"]["finePoints"]
    assert [(h["benchmark"], h["customLevel"]) for h in node["history"]] == [
        ("AVERAGE", None), ("CUSTOM", {"code": "B20+0.5"}), ("CUSTOM", {"code": "P10"})]
