"""Fallback baselines (docs/BASELINES.md): a standardised score entered one pupil at a time or
imported in a spreadsheet column, used only without prior attainment, flagged everywhere; a
pupil with neither gets no estimate and no target and is listed."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from server.models import AuditEvent, Pupil, PupilImport, Target, YearGroupSettings
from server.models.enums import Editing, KeyStage, Prepopulate, PriorAttainmentSource, PupilAccess, Role
from server.services.accounts.audit import Actor
from server.services.catalogue import ensure_subjects
from server.services.errors import UserInputError
from server.services.estimates import baselines as equating
from server.services.pupils.baselines import set_standardised_score, year_group_baselines
from server.services.pupils.importing import check_import, confirm_pupil_import, upload_pupil_file
from server.services.targets.cohort import year_group_estimates
from tests.factories import api_token, graphql, make_school, make_user

sys.path.insert(0, str(Path(__file__).parent))
from ctf_files import assessment, ctf_bytes, ks2, pupil_xml  # noqa: E402
from pupil_files import HEADER, csv_bytes, pupil_row  # noqa: E402

CLI = Actor.command_line()
WITH_SCORE = HEADER + ["Standardised score"]


async def _import(school, data: bytes, name: str = "pupils.csv"):
    pending = await upload_pupil_file(school.id, name, data, CLI)
    return pending, await confirm_pupil_import(school.id, pending.id, False, CLI)


async def _prepopulated_year(school, year_group: int = 10) -> None:
    await YearGroupSettings.create(school=school, key_stage=KeyStage.KS4, year_group=year_group,
                                   use_target_setting=True, prepopulate=Prepopulate.BENCHMARK,
                                   editing=Editing.YES)


def _three_pupils() -> list[dict[str, str]]:
    flags = {"Disadvantaged": "", "EAL": ""}  # as a CTF gives them
    return [
        pupil_row(1, **flags),  # KS2 104.5
        pupil_row(2, **{"Prior attainment": "", "Standardised score": "85"}, **flags),
        pupil_row(3, **{"Prior attainment": ""}, **flags),  # neither
    ]


async def test_the_spreadsheet_column_is_imported_and_estimates_use_it_only_without_ks2():
    school = await make_school()
    await _prepopulated_year(school)
    rows = _three_pupils()
    rows[0]["Standardised score"] = "130"  # KS2 wins over it
    _, result = await _import(school, csv_bytes(rows, WITH_SCORE))
    assert result.created == 3
    scores = dict(await Pupil.filter(school=school).values_list("upn", "standardised_score"))
    assert scores == {rows[0]["UPN"]: 130.0, rows[1]["UPN"]: 85.0, rows[2]["UPN"]: None}

    cohort = await year_group_estimates(school.id, KeyStage.KS4, 10)
    by_upn = dict(await Pupil.filter(school=school).values_list("id", "upn"))
    sources = {by_upn[i]: cohort.source(n) for n, i in enumerate(cohort.pupil_ids)}
    assert sources == {rows[0]["UPN"]: PriorAttainmentSource.KS2,
                       rows[1]["UPN"]: PriorAttainmentSource.STANDARDISED_SCORE,
                       rows[2]["UPN"]: PriorAttainmentSource.NONE}
    assert (cohort.pupils_with_estimates, cohort.pupils_on_standardised_score) == (2, 1)
    # The fallback pupil is estimated as a pupil with the equated KS2 score would be.
    code = cohort.subjects[0]
    [fallback] = [n for n, i in enumerate(cohort.pupil_ids) if by_upn[i] == rows[1]["UPN"]]
    [neither] = [n for n, i in enumerate(cohort.pupil_ids) if by_upn[i] == rows[2]["UPN"]]
    assert np.isnan(cohort.points(code)[neither])
    await Pupil.filter(upn=rows[1]["UPN"]).update(
        prior_attainment=equating.equate(85, KeyStage.KS4))
    same = await year_group_estimates(school.id, KeyStage.KS4, 10)
    assert same.points(code)[fallback] == pytest.approx(cohort.points(code)[fallback])

    # Pre-population gave targets to both pupils with a baseline, none to the third.
    with_targets = set(await Target.filter(school=school).values_list("pupil__upn", flat=True))
    assert with_targets == {rows[0]["UPN"], rows[1]["UPN"]}


async def test_a_bad_score_is_a_problem_on_its_row_and_imports_nothing_of_it():
    school = await make_school()
    rows = [pupil_row(1, **{"Prior attainment": "", "Standardised score": "160"}),
            pupil_row(2, **{"Prior attainment": "", "Standardised score": "high"})]
    pending = await upload_pupil_file(school.id, "p.csv", csv_bytes(rows, WITH_SCORE), CLI)
    check = await check_import(pending)
    assert check.with_problems == 2
    messages = [p["message"] for row in pending.rows for p in row["problems"]]
    assert all("standardised score is a number from 60 to 140" in m for m in messages)
    assert {p["field"] for row in pending.rows for p in row["problems"]} == {"standardised_score"}


async def test_a_file_without_the_column_keeps_the_scores_and_a_blank_cell_clears_one():
    school = await make_school()
    rows = _three_pupils()
    await _import(school, csv_bytes(rows, WITH_SCORE))
    # The CTF of the same pupils has no standardised score: the score stays.
    ctf = ctf_bytes([pupil_xml(r) for r in rows], dest_urn=school.urn)
    pending, _ = await _import(school, ctf, "mis.xml")
    assert await Pupil.get(upn=rows[1]["UPN"]).values_list("standardised_score", flat=True) == 85
    # A spreadsheet without the column: unchanged.
    again = await check_import(await upload_pupil_file(school.id, "p.csv", csv_bytes(rows), CLI))
    assert (again.updated, again.unchanged) == (0, 3)
    # With the column and a blank cell: the score is removed.
    rows[1]["Standardised score"] = ""
    await _import(school, csv_bytes(rows, WITH_SCORE))
    assert await Pupil.get(upn=rows[1]["UPN"]).values_list("standardised_score", flat=True) is None


async def test_entering_a_score_gives_the_pupil_targets_and_is_audited():
    school = await make_school()
    await _prepopulated_year(school)
    rows = _three_pupils()
    await _import(school, csv_bytes(rows))
    lists = await year_group_baselines(school.id, 10)
    assert [p.upn for p in lists.without_baseline] == [rows[1]["UPN"], rows[2]["UPN"]]
    assert await Target.filter(pupil__upn=rows[2]["UPN"]).count() == 0

    done = await set_standardised_score(school.id, rows[2]["UPN"].lower(), " 92.26 ", CLI)
    assert done.changed and done.pupil.standardised_score == 92.3
    assert done.prepopulated > 0
    assert await Target.filter(pupil__upn=rows[2]["UPN"]).count() == done.prepopulated
    event = await AuditEvent.filter(action="pupils.standardised_score").get()
    assert (event.before, event.after) == ({"standardisedScore": None},
                                           {"standardisedScore": 92.3})
    lists = await year_group_baselines(school.id, 10)
    assert [p.upn for p in lists.on_standardised_score] == [rows[2]["UPN"]]
    # The same score again changes nothing and records nothing.
    again = await set_standardised_score(school.id, rows[2]["UPN"], "92.3", CLI)
    assert not again.changed
    assert await AuditEvent.filter(action="pupils.standardised_score").count() == 1


@pytest.mark.parametrize("text, code", [("59", "OUT_OF_RANGE"), ("abc", "OUT_OF_RANGE"),
                                        ("nan", "OUT_OF_RANGE")])
async def test_a_wrong_score_changes_nothing(text, code):
    school = await make_school()
    await _import(school, csv_bytes(_three_pupils()))
    with pytest.raises(UserInputError) as refused:
        await set_standardised_score(school.id, pupil_row(3)["UPN"], text, CLI)
    assert (refused.value.code, refused.value.field) == (code, "score")
    assert await Pupil.filter(standardised_score__isnull=False).count() == 0


async def test_an_unknown_or_another_school_s_pupil_is_not_found():
    school, other = await make_school(), await make_school()
    await _import(other, csv_bytes(_three_pupils()))
    with pytest.raises(UserInputError) as refused:
        await set_standardised_score(school.id, pupil_row(3)["UPN"], "100", CLI)
    assert refused.value.code == "NOT_FOUND"
    assert await AuditEvent.filter(action="pupils.standardised_score").count() == 0


async def test_a_sixth_former_s_ctf_gives_the_gcse_mean_not_ks2():
    school = await make_school()
    row = pupil_row(1, 12)
    gcse = ("<KeyStage><Stage>KS4</Stage>" + assessment("MAT", "6", qualifier="GN", method="")
            + assessment("ENG", "7", qualifier="GN", method="") + "</KeyStage>")
    pending = await upload_pupil_file(
        school.id, "mis.xml", ctf_bytes([pupil_xml(row, ks2("104", "106") + gcse)]), CLI)
    [read] = pending.rows
    assert read["problems"] == []
    assert read["values"]["prior_attainment"] == 6.5


SET = """mutation($i: SetStandardisedScoreInput!) { setStandardisedScore(input: $i) {
  pupil { upn standardisedScore } changed prepopulated errors { field message code } } }"""
YEAR = """query($urn: String!) {
  targetYearGroup(schoolUrn: $urn, keyStage: KS4, yearGroup: 10) {
    baselines { onStandardisedScore { upn standardisedScore } withoutBaseline { upn } } }
  pupilTargets(schoolUrn: $urn, keyStage: KS4, yearGroup: 10, first: 100) {
    edges { node { pupil { upn } priorAttainmentSource estimate { finePoints } } } }
  targetAggregates(keyStage: KS4, yearGroup: 10) { pupils pupilsOnStandardisedScore } }"""


async def test_over_graphql_the_source_is_flagged_and_the_pupils_with_neither_listed(client):
    # The subject catalogue first: two root fields seeding it at once collide (noted).
    await ensure_subjects()
    school = await make_school()
    rows = _three_pupils()
    await _import(school, csv_bytes(rows, WITH_SCORE))
    manager = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    teacher = await make_user(school, Role.TEACHER, PupilAccess.FULL)
    token = await api_token(manager)

    full = (await graphql(client, YEAR, {"urn": school.urn}, token=token)).json()
    assert "errors" not in full, full
    answer = full["data"]
    assert answer["targetYearGroup"]["baselines"] == {
        "onStandardisedScore": [{"upn": rows[1]["UPN"], "standardisedScore": 85.0}],
        "withoutBaseline": [{"upn": rows[2]["UPN"]}]}
    flags = {(e["node"]["pupil"]["upn"], e["node"]["priorAttainmentSource"],
              e["node"]["estimate"] is None) for e in answer["pupilTargets"]["edges"]}
    assert flags == {(rows[0]["UPN"], "KS2", False), (rows[1]["UPN"], "STANDARDISED_SCORE", False),
                     (rows[2]["UPN"], "NONE", True)}
    assert {(a["pupils"], a["pupilsOnStandardisedScore"])
            for a in answer["targetAggregates"]} == {(2, 1)}

    bad = (await graphql(client, SET, {"i": {"upn": rows[2]["UPN"], "score": "200"}},
                         token=token)).json()["data"]["setStandardisedScore"]
    assert bad["errors"][0]["code"] == "OUT_OF_RANGE" and bad["errors"][0]["field"] == "score"
    done = (await graphql(client, SET, {"i": {"upn": rows[2]["UPN"], "score": "101"}},
                          token=token)).json()["data"]["setStandardisedScore"]
    assert done["errors"] == [] and done["pupil"]["standardisedScore"] == 101.0
    refused = (await graphql(client, SET, {"i": {"upn": rows[2]["UPN"], "score": "90"}},
                             token=await api_token(teacher))).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await Pupil.get(upn=rows[2]["UPN"]).values_list("standardised_score", flat=True) == 101
    answer = (await graphql(client, YEAR, {"urn": school.urn}, token=token)).json()["data"]
    assert answer["targetYearGroup"]["baselines"]["withoutBaseline"] == []
    assert {a["pupilsOnStandardisedScore"] for a in answer["targetAggregates"]} == {2}


async def test_a_year_6_ctf_with_ks2_results_imports_without_prior_attainment():
    school = await make_school()
    pending = await upload_pupil_file(
        school.id, "mis.xml", ctf_bytes([pupil_xml(pupil_row(1, 6), ks2("104", "106"))]), CLI)
    [read] = pending.rows
    assert read["values"] is not None and read["values"]["prior_attainment"] is None


async def test_two_standardised_score_columns_are_refused_and_nothing_is_kept():
    school = await make_school()
    data = csv_bytes([pupil_row(1, **{"Standardised score": "90", "SAS": "91"})],
                     WITH_SCORE + ["SAS"])
    with pytest.raises(UserInputError) as refused:
        await upload_pupil_file(school.id, "p.csv", data, CLI)
    assert refused.value.code == "BAD_HEADER" and "Standardised score" in refused.value.message
    assert await PupilImport.all().count() == 0
