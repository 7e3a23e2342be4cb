"""Custom challenge levels: the engine's figures, the service's rules and what it refuses."""

import numpy as np
import pytest

from server.models import AuditEvent, SubjectSettings, Target, TargetChange
from server.models.enums import BenchmarkLevel, KeyStage, Prepopulate
from server.services.accounts.audit import Actor
from server.services.errors import UserInputError
from server.services.estimates import challenge
from server.services.estimates.challenge import CustomKind, CustomLevel, parse_code
from server.services.estimates.levels import BenchmarkLevel as EngineLevel
from server.services.estimates.scales import GCSE_9_1
from server.services.targets.benchmarks import BenchmarkChoice, benchmark_overview, save_benchmarks
from server.services.targets.cohort import year_group_estimates
from server.services.targets.custom_levels import CustomLevelInput
from server.services.targets.pupil_targets import pupil_target_page
from server.services.targets.settings import TargetSettings, save_settings
from tests.factories import make_administrator, make_school
from tests.target_settings.helpers import make_pupils, subjects

PERCENTILE_35 = CustomLevelInput("percentile", percentile=35)
MIDPOINT = CustomLevelInput("midpoint", benchmark="AVERAGE", other_benchmark="HIGH")
PLUS_ONE = CustomLevelInput("offset", benchmark="HIGH", fine_grades=1.0)


def test_codes_round_trip_and_read_in_the_schools_words():
    levels = [
        CustomLevel(CustomKind.PERCENTILE, percentile=35),
        CustomLevel(CustomKind.MIDPOINT, benchmark=EngineLevel.AVERAGE, other=EngineLevel.HIGH),
        CustomLevel(CustomKind.OFFSET, benchmark=EngineLevel.HIGH, fine_grades=1.0),
        CustomLevel(CustomKind.OFFSET, benchmark=EngineLevel.VERY_HIGH, fine_grades=-0.5),
    ]
    assert [lv.code for lv in levels] == ["P35", "M50/20", "B20+1.0", "B5-0.5"]
    assert [parse_code(lv.code) for lv in levels] == levels
    assert [lv.label for lv in levels] == [
        "35th percentile", "Midway between Average (50) and High (20)",
        "High (20) + 1.0 fine grade", "Very High (5) − 0.5 fine grades",
    ]
    for bad in ("", None, "P0", "P100", "M50/50", "B20+0.0", "X1", "B20+1"):
        assert parse_code(bad) is None
    assert all(len(lv.code) <= challenge.CODE_LENGTH for lv in levels)


def test_each_kind_is_the_benchmark_figure_it_describes():
    fixed = np.array([1.0, 4.2, 8.7, 9.9, np.nan])
    su = 0.4
    at = {lv: GCSE_9_1.clamp(fixed + lv.z * su) for lv in EngineLevel}
    for lv in EngineLevel:
        same = CustomLevel(CustomKind.PERCENTILE, percentile=lv.value).points(GCSE_9_1, fixed, su)
        np.testing.assert_allclose(same, at[lv])
    mid = CustomLevel(CustomKind.MIDPOINT, benchmark=EngineLevel.AVERAGE, other=EngineLevel.HIGH)
    np.testing.assert_allclose(mid.points(GCSE_9_1, fixed, su),
                               (at[EngineLevel.AVERAGE] + at[EngineLevel.HIGH]) / 2)
    plus = CustomLevel(CustomKind.OFFSET, benchmark=EngineLevel.HIGH, fine_grades=1.0)
    np.testing.assert_allclose(plus.points(GCSE_9_1, fixed, su),
                               GCSE_9_1.clamp(at[EngineLevel.HIGH] + 1.0))
    assert np.isnan(plus.points(GCSE_9_1, fixed, su)[-1])
    # Between Average and High: a percentile between 20 and 50 lies between their estimates.
    p35 = CustomLevel(CustomKind.PERCENTILE, percentile=35).points(GCSE_9_1, fixed, su)
    assert np.all(p35[:3] >= at[EngineLevel.AVERAGE][:3])
    assert np.all(p35[:3] <= at[EngineLevel.HIGH][:3])


async def _school_with_pupils(n=6):
    school = await make_school()
    admin = await make_administrator(school)
    await make_pupils(school, 10, n)
    return school, admin


async def test_pre_populated_targets_follow_a_custom_level_and_people_keep_theirs():
    school, admin = await _school_with_pupils()
    subs = await subjects()
    actor = Actor(admin)
    on = TargetSettings(use_target_setting=True, prepopulate=Prepopulate.BENCHMARK)
    await save_settings(school.id, "KS4", 10, False, on, False, actor)
    overview, written = await save_benchmarks(
        school.id, "KS4", 10,
        [BenchmarkChoice("maths", BenchmarkLevel.CUSTOM, custom=CustomLevelInput(
            "offset", benchmark="VERY_HIGH", fine_grades=2.0))], actor,
    )
    cohort = await year_group_estimates(school.id, "KS4", 10)
    choice = cohort.choices["maths"]
    assert choice.benchmark == BenchmarkLevel.CUSTOM and choice.custom.code == "B5+2.0"
    expected = GCSE_9_1.clamp(cohort.points("maths", BenchmarkLevel.VERY_HIGH) + 2.0)
    np.testing.assert_allclose(cohort.points("maths"), expected)
    maths = await Target.filter(subject=subs["maths"]).order_by("pupil_id")
    assert written == len(maths) == 6
    grades = [g if g != "U" else "1" for g in GCSE_9_1.grades_of(expected).tolist()]
    assert [t.grade for t in maths] == grades
    assert {(t.benchmark, t.custom_level) for t in maths} == {(BenchmarkLevel.CUSTOM, "B5+2.0")}
    change = await TargetChange.filter(target_id=maths[0].id).order_by("-id").first()
    assert (change.benchmark, change.custom_level) == (BenchmarkLevel.CUSTOM, "B5+2.0")
    # The average at the choice is the custom level's, in the subject's format.
    entry = next(s for s in overview.subjects if s.choice.code == "maths")
    assert entry.average() == GCSE_9_1.format_average(float(np.nanmean(expected)))
    assert entry.points[(BenchmarkLevel.CUSTOM, "9-1")] == round(float(np.nanmean(expected)), 2)

    # A person's target stays; untouched ones follow a changed level even at the same grade.
    await Target.filter(id=maths[0].id).update(grade="9", points=9.0)
    await save_benchmarks(school.id, "KS4", 10, [BenchmarkChoice(
        "maths", BenchmarkLevel.CUSTOM, custom=PERCENTILE_35)], actor)
    after = await Target.filter(subject=subs["maths"]).order_by("pupil_id")
    assert after[0].grade == "9" and after[0].custom_level == "B5+2.0"
    assert {t.custom_level for t in after[1:]} == {"P35"}
    cohort = await year_group_estimates(school.id, "KS4", 10)
    assert [t.grade for t in after[1:]] == [
        g if g != "U" else "1" for g in cohort.grades("maths").tolist()[1:]]
    event = await AuditEvent.filter(action="benchmarks.saved").order_by("-id").first()
    assert event.before == {"maths": {"benchmark": "CUSTOM", "gradeFormat": "9-1",
                                      "customLevel": "B5+2.0"}}
    assert event.after["maths"]["customLevel"] == "P35"

    # Back to a benchmark: targets follow it, the custom level is kept for next time.
    await save_benchmarks(school.id, "KS4", 10, [BenchmarkChoice("maths", BenchmarkLevel.HIGH)],
                          actor)
    back = await Target.filter(subject=subs["maths"]).order_by("pupil_id")
    assert {(t.benchmark, t.custom_level) for t in back[1:]} == {(BenchmarkLevel.HIGH, None)}
    row = await SubjectSettings.get(school=school, subject=subs["maths"])
    assert (row.benchmark, row.custom_level) == (BenchmarkLevel.HIGH, "P35")
    # Choosing CUSTOM again needs no new description.
    await save_benchmarks(school.id, "KS4", 10, [BenchmarkChoice("maths", BenchmarkLevel.CUSTOM)],
                          actor)
    again = await Target.filter(subject=subs["maths"]).order_by("pupil_id")
    assert {t.custom_level for t in again[1:]} == {"P35"}


async def test_chances_likelihood_and_export_use_the_custom_level():
    school, admin = await _school_with_pupils(3)
    await save_benchmarks(school.id, "KS4", 10, [BenchmarkChoice(
        "maths", BenchmarkLevel.CUSTOM, custom=MIDPOINT)], Actor(admin))
    page = await pupil_target_page(school.id, KeyStage.KS4, 10, ["maths"], 0, 10)
    row = page.rows[0]
    mid = (row.points(BenchmarkLevel.AVERAGE) + row.points(BenchmarkLevel.HIGH)) / 2
    estimate = row.estimate()
    assert estimate.benchmark == BenchmarkLevel.CUSTOM and estimate.custom.code == "M50/20"
    assert estimate.fine_points == pytest.approx(mid)
    assert row.chances() != row.chances(BenchmarkLevel.AVERAGE)
    from server.services.targets.export import export_row

    cells = export_row(row)
    assert cells[5] == "Custom: Midway between Average (50) and High (20)"
    assert cells[7] == f"{mid:.2f}"


@pytest.mark.parametrize(("given", "field", "code"), [
    (CustomLevelInput("percentile", percentile=0), "custom-percentile-maths", "INVALID_PERCENTILE"),
    (CustomLevelInput("percentile", percentile=100), "custom-percentile-maths",
     "INVALID_PERCENTILE"),
    (CustomLevelInput("percentile"), "custom-percentile-maths", "INVALID_PERCENTILE"),
    (CustomLevelInput("midpoint", benchmark="AVERAGE", other_benchmark="CUSTOM"),
     "custom-other-maths", "UNKNOWN_BENCHMARK"),
    (CustomLevelInput("offset", benchmark="FFT99", fine_grades=1.0), "custom-benchmark-maths",
     "UNKNOWN_BENCHMARK"),
    (CustomLevelInput("midpoint", benchmark="HIGH", other_benchmark="HIGH"), "custom-other-maths",
     "SAME_BENCHMARKS"),
    (CustomLevelInput("offset", benchmark="HIGH", fine_grades=3.1), "custom-fine-grades-maths",
     "FINE_GRADES_OUT_OF_RANGE"),
    (CustomLevelInput("offset", benchmark="HIGH", fine_grades=0), "custom-fine-grades-maths",
     "FINE_GRADES_OUT_OF_RANGE"),
    (CustomLevelInput("offset", benchmark="HIGH", fine_grades=0.25), "custom-fine-grades-maths",
     "FINE_GRADES_OUT_OF_RANGE"),
    (CustomLevelInput("offset", benchmark="HIGH", fine_grades=float("nan")),
     "custom-fine-grades-maths", "FINE_GRADES_OUT_OF_RANGE"),
    (CustomLevelInput(None), "custom-kind-maths", "CUSTOM_LEVEL_REQUIRED"),
    (None, "custom-kind-maths", "CUSTOM_LEVEL_REQUIRED"),
])
async def test_a_bad_level_is_refused_and_changes_nothing(given, field, code):
    school, admin = await _school_with_pupils(2)
    on = TargetSettings(use_target_setting=True, prepopulate=Prepopulate.BENCHMARK)
    await save_settings(school.id, "KS4", 10, False, on, False, Actor(admin))
    before = sorted(await Target.all().values_list("id", "grade", "benchmark", "custom_level"))
    with pytest.raises(UserInputError) as refused:
        await save_benchmarks(school.id, "KS4", 10, [
            BenchmarkChoice("eng-lang", BenchmarkLevel.HIGH),
            BenchmarkChoice("maths", BenchmarkLevel.CUSTOM, custom=given)], Actor(admin))
    assert (refused.value.field, refused.value.code) == (field, code)
    assert "Mathematics" in refused.value.message
    assert await SubjectSettings.all().count() == 0
    assert sorted(await Target.all().values_list("id", "grade", "benchmark", "custom_level")) \
        == before
    assert not await AuditEvent.filter(action="benchmarks.saved").exists()


async def test_ks2_allows_larger_steps_in_scaled_score_points():
    school = await make_school()
    admin = await make_administrator(school)
    await make_pupils(school, 6, 2, prior=None)
    overview, _ = await save_benchmarks(school.id, "KS2", 6, [BenchmarkChoice(
        "maths", BenchmarkLevel.CUSTOM,
        custom=CustomLevelInput("offset", benchmark="AVERAGE", fine_grades=-8.5))], Actor(admin))
    maths = next(s for s in overview.subjects if s.choice.code == "maths")
    assert maths.choice.custom.code == "B50-8.5"
    again = await benchmark_overview(school.id, "KS2", 6)
    assert next(s for s in again.subjects if s.choice.code == "maths").choice.custom.code \
        == "B50-8.5"
