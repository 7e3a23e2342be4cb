"""targetAggregates: figures from the database agree with the estimates engine; suppression;
statement counts constant in schools and pupils."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from server.auth.viewer import Viewer
from server.context import Context
from server.models import Account, AssessmentPoint, Target
from server.models.enums import AccessVia, BenchmarkLevel, GradeFormat, KeyStage, PupilAccess, Role
from server.observability import count_sql
from server.operations import document
from server.schema import schema
from server.services.pupils.importing import school_academic_year
from server.services.targets.cohort import year_group_estimates
from server.services.tracking.recording import record_working_at
from tests.factories import make_chain, make_local_authority, make_school, make_user
from tests.targets.world import (
    AGGREGATES,
    PUPILS,
    add_pupils,
    set_format,
    set_targets,
    share,
    subjects,
)


async def run(account: Account, query: str, variables: dict, via=AccessVia.SESSION,
              operation_name: str | None = None):
    account = await Account.get(id=account.id).select_related("organisation")
    result = await schema.execute(query, variable_values=variables, operation_name=operation_name,
                                  context_value=Context(viewer=Viewer(account=account, via=via)))
    return result


async def test_figures_agree_with_the_estimates_engine():
    subs = await subjects()
    school = await make_school()
    user = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    pupils = await add_pupils(school, 10, 9, surname="Fig")
    await add_pupils(school, 10, 2, surname="Nopa", prior=None)  # not counted in pupils
    await add_pupils(school, 10, 2, surname="Gone", left=True)  # left: not counted at all
    left = await add_pupils(school, 11, 3, surname="Other")  # another year group
    await set_targets(pupils[:7], subs["maths"], ["4", "5", "6", "7", "3", "9", "5"])
    await set_targets(left, subs["maths"], ["9", "9", "9"])
    deleted = await set_targets(pupils[7:8], subs["maths"], ["9"])
    from tortoise.timezone import now

    await Target.filter(id=deleted[0].id).update(deleted_at=now())
    await set_format(school, subs["french"], 10, GradeFormat.A_STAR_TO_G,
                     benchmark=BenchmarkLevel.HIGH)
    await set_format(school, subs["art"], 10, included=False)
    result = await run(user, AGGREGATES, {"keyStage": "KS4", "yearGroup": 10})
    assert result.errors is None, result.errors
    rows = {r["subject"]["code"]: r for r in result.data["targetAggregates"]}
    assert "art" not in rows and len(rows) == 19
    maths = rows["maths"]
    assert maths["pupils"] == 9 and maths["suppressed"] is False
    assert maths["targetsSet"] == 7
    assert maths["averageTargetPoints"] == pytest.approx(np.mean([4, 5, 6, 7, 3, 9, 5]))
    assert maths["four"] == 6 and maths["c"] == 6  # C shares 4's points
    cohort = await year_group_estimates(school.id, KeyStage.KS4, 10)
    for code in ("maths", "french", "eng-lang"):
        want = np.nanmean(cohort.points(code))
        assert rows[code]["averageEstimatePoints"] == pytest.approx(want, abs=1e-9)
        want_high = np.nanmean(cohort.points(code, BenchmarkLevel.HIGH))
        assert rows[code]["high"] == pytest.approx(want_high, abs=1e-9)
        assert rows[code]["benchmark"] == cohort.choices[code].benchmark.value
    assert rows["french"]["benchmark"] == "HIGH"
    assert rows["french"]["targetsSet"] == 0 and rows["french"]["averageTargetPoints"] is None


async def test_estimates_clamp_to_the_scale_in_sql():
    subs = await subjects()
    school = await make_school()
    user = await make_user(school)
    await add_pupils(school, 10, 6, surname="High", prior=135.0)  # off the top of the scale
    result = await run(user, AGGREGATES, {"keyStage": "KS4", "yearGroup": 10,
                                          "subjectCodes": ["maths"]})
    cohort = await year_group_estimates(school.id, KeyStage.KS4, 10, ["maths"])
    row = result.data["targetAggregates"][0]
    assert row["high"] == pytest.approx(np.nanmean(cohort.points("maths", BenchmarkLevel.HIGH)))
    assert row["high"] <= 9.99
    assert subs["maths"].code == "maths"


async def test_small_groups_are_suppressed_for_viewers_without_full_access():
    subs = await subjects()
    la = await make_local_authority()
    chain = await make_chain()
    small = await make_school(la=la, chain=chain)
    pupils = await add_pupils(small, 10, 5, surname="Tiny")
    await set_targets(pupils, subs["maths"], ["5", "5", "6", "6", "7"])
    await share(small, 10, pupil_la=True, chain=True)
    expectations = {
        # persona: suppressed?
        "school_full": (await make_user(small, Role.TEACHER, PupilAccess.FULL), False),
        "school_governor": (await make_user(small, Role.GOVERNOR, PupilAccess.AGGREGATE), True),
        "la_full": (await make_user(la, Role.OFFICER, PupilAccess.FULL), False),
        "la_aggregate": (await make_user(la, Role.OFFICER, PupilAccess.AGGREGATE), True),
        "chain": (await make_user(chain, Role.OFFICER, PupilAccess.AGGREGATE), True),
    }
    for name, (user, suppressed) in expectations.items():
        result = await run(user, AGGREGATES, {"keyStage": "KS4", "yearGroup": 10,
                                              "subjectCodes": ["maths"]})
        assert result.errors is None, (name, result.errors)
        (row,) = result.data["targetAggregates"]
        assert row["pupils"] == 5
        assert row["suppressed"] is suppressed, name
        figures = (row["targetsSet"], row["averageTargetPoints"], row["averageEstimatePoints"],
                   row["high"], row["four"], row["c"])
        if suppressed:
            assert figures == (None,) * 6, name
        else:
            assert row["targetsSet"] == 5 and row["four"] == 5, name
            assert row["averageEstimatePoints"] is not None


async def test_a_handful_of_targets_in_a_large_group_is_suppressed_too():
    subs = await subjects()
    school = await make_school()
    governor = await make_user(school, Role.GOVERNOR, PupilAccess.AGGREGATE)
    pupils = await add_pupils(school, 10, 12, surname="Big")
    await set_targets(pupils[:2], subs["maths"], ["9", "9"])
    result = await run(governor, AGGREGATES, {"keyStage": "KS4", "yearGroup": 10,
                                              "subjectCodes": ["maths", "french"]})
    rows = {r["subject"]["code"]: r for r in result.data["targetAggregates"]}
    assert rows["maths"]["suppressed"] is True and rows["maths"]["averageTargetPoints"] is None
    assert rows["french"]["suppressed"] is False and rows["french"]["targetsSet"] == 0


async def _la_world(n_schools: int, pupils_each: int):
    subs = await subjects()
    la = await make_local_authority()
    officer = await make_user(la, Role.OFFICER, PupilAccess.FULL)
    schools = []
    for _ in range(n_schools):
        school = await make_school(la=la)
        pupils = await add_pupils(school, 10, pupils_each, surname="Count")
        await set_targets(pupils, subs["maths"], ["5"] * pupils_each)
        await share(school, 10, pupil_la=True)
        await _track(school, pupils, subs["maths"])
        schools.append(school)
    return officer, schools


async def _track(school, pupils, subject) -> None:
    """A point this school year and a working-at grade for every pupil there."""
    year = school_academic_year(school)
    point = await AssessmentPoint.create(
        school=school, key_stage=KeyStage.KS4, year_group=None, academic_year=year,
        name="Autumn", on=date(year, 9, 1))
    for i, pupil in enumerate(pupils):
        grade = str(3 + i % 5)
        await record_working_at(school.id, pupil.id, subject.id, point.id, grade,
                                float(grade), None)


# Statements per operation (an LA officer with full access, pupil-level sharing):
# TargetAggregates: account (the test's), schools, sharing, subjects, subject settings, value
#   added, targets GROUP BY, estimates GROUP BY (with the on-track counts at each school's
#   latest assessment point joined in), the schools' LAs (loader), the outside reads (one
#   INSERT for every school read, issue 15);
# TargetSummary: the same without LAs, with one for every targetsAtOrAbove field;
# PupilTargets: account, schools, sharing, the cohort's pupils, settings and value added,
#   the page's pupils, subjects, value added, targets, the audit entry, the outside read;
# TargetSettingPage: both queries' schools and sharing, choices, subjects, history, the read,
#   and the year group's pupils without prior attainment (baselines).
PINNED = {"TargetAggregates": 10, "TargetSummary": 10, "PupilTargets": 11, "TargetSettingPage": 18}


@pytest.mark.parametrize("operation", list(PINNED))
async def test_statement_counts_are_constant_in_schools_and_pupils(operation):
    counts = []
    for n_schools, pupils_each in ((2, 6), (6, 14)):
        officer, schools = await _la_world(n_schools, pupils_each)
        variables = {"keyStage": "KS4", "yearGroup": 10}
        if operation in ("PupilTargets", "TargetSettingPage"):
            variables |= {"schoolUrn": schools[-1].urn, "first": 100, "subjectCode": "maths"}
        if operation == "TargetSummary":
            variables |= {"gradeA": "4", "gradeB": "C"}
        with count_sql() as counted:
            result = await run(officer, document(operation), variables,
                               operation_name=operation)
        assert result.errors is None, result.errors
        if operation in ("TargetAggregates", "TargetSummary"):
            assert len({r["school"]["urn"] for r in result.data["targetAggregates"]}) == n_schools
        if operation == "TargetAggregates":
            tracked = [r["trackedPupils"] for r in result.data["targetAggregates"]
                       if r["subject"]["code"] == "maths"]
            assert tracked == [pupils_each] * n_schools
        counts.append(counted.value)
    assert counts[0] == counts[1], counts
    assert counts[0] == PINNED[operation], counts


async def test_pupil_targets_page_through_every_row_once():
    subs = await subjects()
    school = await make_school()
    user = await make_user(school)
    pupils = await add_pupils(school, 10, 7, surname="Page")
    await add_pupils(school, 10, 1, surname="Nopa", prior=None)
    await set_targets(pupils[:1], subs["maths"], ["6"])
    await set_format(school, subs["art"], 10, included=False)
    seen = []
    after = None
    while True:
        result = await run(user, PUPILS, {"schoolUrn": school.urn, "keyStage": "KS4",
                                          "yearGroup": 10, "first": 30, "after": after})
        assert result.errors is None, result.errors
        page = result.data["pupilTargets"]
        assert page["totalCount"] == 8 * 19
        seen += [(e["node"]["pupil"]["upn"], e["node"]["subject"]["code"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 8 * 19
    assert "art" not in {code for _, code in seen}
    # One subject: pupils in surname order, with estimates from the engine.
    result = await run(user, PUPILS, {"schoolUrn": school.urn, "keyStage": "KS4",
                                      "yearGroup": 10, "subjectCode": "maths"})
    nodes = [e["node"] for e in result.data["pupilTargets"]["edges"]]
    assert [n["pupil"]["surname"] for n in nodes] == sorted(n["pupil"]["surname"] for n in nodes)
    cohort = await year_group_estimates(school.id, KeyStage.KS4, 10, ["maths"])
    column = {pid: i for i, pid in enumerate(cohort.pupil_ids)}
    by_upn = {p.upn: p for p in pupils}
    for node in nodes:
        pupil = by_upn.get(node["pupil"]["upn"])
        if pupil is None:
            assert node["estimate"] is None and node["high"] is None  # no prior attainment
            continue
        i = column[pupil.id]
        assert node["estimate"]["finePoints"] == pytest.approx(cohort.points("maths")[i])
        assert node["estimate"]["grade"] == cohort.grades("maths")[i]
        assert node["high"]["finePoints"] == pytest.approx(
            cohort.points("maths", BenchmarkLevel.HIGH)[i])
        assert node["high"]["benchmark"] == "HIGH"
    first = next(n for n in nodes if n["pupil"]["upn"] == pupils[0].upn)
    assert first["targetGrade"] == "6" and first["targetPoints"] == 6.0
    assert first["prepopulated"] is False


async def test_page_size_is_capped():
    school = await make_school()
    user = await make_user(school)
    result = await run(user, PUPILS, {"schoolUrn": school.urn, "keyStage": "KS4",
                                      "yearGroup": 10, "first": 101})
    assert result.errors[0].extensions["code"] == "BAD_USER_INPUT"


async def test_choices_for_many_schools_agree_with_cohort_choices():
    """cohort.subject_choices_by_school is the set-based form of cohort.subject_choices."""
    from server.services.estimates.parameters import load_parameters
    from server.services.targets.cohort import subject_choices, subject_choices_by_school
    from tests.target_settings.helpers import value_added

    subs = await subjects()
    su = load_parameters("KS4")["maths"].su
    schools = [await make_school() for _ in range(3)]
    await value_added(schools[0], subs["maths"], {2023: su, 2024: su, 2025: su})
    await value_added(schools[0], subs["art"], {2025: -0.5})
    await value_added(schools[1], subs["maths"], {2021: 1.0, 2024: -0.2})
    await set_format(schools[1], subs["french"], 10, GradeFormat.A_STAR_TO_G, included=False,
                     benchmark=BenchmarkLevel.VERY_HIGH)
    codes = [s.code for s in subs.values()]
    many = await subject_choices_by_school([s.id for s in schools], KeyStage.KS4, 10, codes)
    for school in schools:
        one = await subject_choices(school.id, KeyStage.KS4, 10, codes)
        assert many[school.id] == one
    assert many[schools[0].id]["maths"].benchmark == BenchmarkLevel.VERY_HIGH
    assert many[schools[1].id]["maths"].indicator is not None
    assert many[schools[2].id]["maths"].indicator is None
