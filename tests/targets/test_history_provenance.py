"""A target's history says which benchmark and model version each pre-populated value came
from (DOMAIN.md: "the pre-populated value and the benchmark and model version it came from"),
in GraphQL and on the Targets page; a value a person set carries neither."""

from __future__ import annotations

from server.models import SubjectSettings, Target
from server.models.enums import (
    BenchmarkLevel,
    KeyStage,
    Prepopulate,
    PupilAccess,
    Role,
)
from server.services.accounts.audit import Actor
from server.services.estimates.parameters import load_parameters
from server.services.targets.settings import TargetSettings, save_settings
from tests.factories import make_administrator, make_school, make_user, sign_in
from tests.targets.test_target_aggregates import run
from tests.targets.world import add_pupils, subjects

HISTORY = """
query History($urn: String!) {
  pupilTargets(schoolUrn: $urn, keyStage: KS4, yearGroup: 10, subjectCode: "maths") {
    edges { node {
      pupil { upn }
      history { kind oldGrade newGrade benchmark modelVersion changedBy }
    } }
  }
}
"""
SET = """
mutation SetTarget($input: SetTargetInput!) {
  setTarget(input: $input) { changed errors { field message code } }
}
"""


async def prepopulated_school():
    subs = await subjects()
    school = await make_school()
    admin = await make_administrator(school)
    pupils = await add_pupils(school, 10, 3, surname="Hist")
    await SubjectSettings.create(school=school, key_stage=KeyStage.KS4, year_group=10,
                                 subject=subs["maths"], benchmark=BenchmarkLevel.HIGH)
    settings = TargetSettings(use_target_setting=True, prepopulate=Prepopulate.BENCHMARK)
    done = await save_settings(school.id, "KS4", 10, False, settings, False, Actor(admin))
    assert done.prepopulated > 0
    user = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    return school, user, pupils


async def test_graphql_history_names_the_benchmark_and_model_version_of_a_prepopulated_value():
    school, user, pupils = await prepopulated_school()
    version = load_parameters("KS4").version
    first = pupils[0]
    target = await Target.get(pupil=first, subject__code="maths", subject__key_stage="KS4")
    higher = str(min(9, int(target.grade) + 1))
    changed = await run(user, SET, {"input": {"upn": first.upn, "subjectCode": "maths",
                                              "grade": higher, "reason": "Strong mocks"}})
    assert changed.errors is None and changed.data["setTarget"]["errors"] == []

    result = await run(user, HISTORY, {"urn": school.urn})
    assert result.errors is None, result.errors
    by_upn = {e["node"]["pupil"]["upn"]: e["node"]["history"] for e in
              result.data["pupilTargets"]["edges"]}
    assert set(by_upn) == {p.upn for p in pupils}
    for history in by_upn.values():
        made = history[0]
        assert made["kind"] == "prepopulated" and made["oldGrade"] is None
        assert made["benchmark"] == "HIGH" and made["modelVersion"] == version
    later = by_upn[first.upn][1]
    assert (later["kind"], later["oldGrade"], later["newGrade"]) == ("changed", target.grade,
                                                                      higher)
    assert later["benchmark"] is None and later["modelVersion"] is None
    assert later["changedBy"] == user.full_name


async def test_targets_page_shows_where_each_prepopulated_value_came_from(client):
    school, user, pupils = await prepopulated_school()
    version = load_parameters("KS4").version
    await sign_in(client, user)
    page = await client.get("/targets?yearGroup=10&subject=maths")
    assert page.status_code == 200, page.text
    shown = f"at the High (20) benchmark, model version {version}"
    assert page.text.count(shown) == len(pupils)
    assert "History (1)" in page.text
