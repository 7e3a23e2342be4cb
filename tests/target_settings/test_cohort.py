import numpy as np
import pytest

from server.models import SubjectSettings
from server.models.enums import BenchmarkLevel, GradeFormat, KeyStage
from server.observability import count_sql
from server.services.estimates import model
from server.services.estimates.levels import BenchmarkLevel as EngineLevel
from server.services.estimates.parameters import load_parameters
from server.services.estimates.scales import GCSE_9_1, GCSE_A_G
from server.services.targets.cohort import year_group_estimates
from tests.factories import make_school
from tests.target_settings.helpers import make_pupils, subjects, value_added


async def test_estimates_for_every_subject_and_benchmark_from_the_engine():
    school = await make_school()
    subs = await subjects()
    pupils = await make_pupils(school, 10, 4)
    await make_pupils(school, 10, 1, prior=None)
    with count_sql() as counter:
        cohort = await year_group_estimates(school.id, KeyStage.KS4, 10)
    assert counter.value <= 4
    assert cohort.model_version == load_parameters("KS4").version
    assert len(cohort.subjects) == 20 and len(cohort.pupil_ids) == 5
    assert cohort.pupil_ids[:4] == tuple(p.id for p in pupils)
    params = load_parameters("KS4")
    p0 = pupils[0]
    want = model.estimate_points(
        params["maths"], GCSE_9_1, [p0.prior_attainment], [0.0],
        model.month_of_school_year([p0.date_of_birth.month]), EngineLevel.HIGH,
    )[0]
    assert cohort.points("maths", BenchmarkLevel.HIGH)[0] == pytest.approx(want)
    # No prior attainment: no estimate and no grade.
    assert np.isnan(cohort.points("maths")[4]) and cohort.grades("maths")[4] is None
    assert cohort.pupils_with_estimates == 4
    assert cohort.choices["maths"].benchmark == BenchmarkLevel.AVERAGE
    assert cohort.choices["maths"].saved is False
    assert cohort.choices["maths"].indicator is None
    assert subs["maths"].code == "maths"


async def test_saved_choices_and_intelligent_suggestion():
    school = await make_school()
    subs = await subjects()
    await make_pupils(school, 10, 3)
    su = load_parameters("KS4")["maths"].su
    # Strong history: indicator <= 20 suggests Very High.
    await value_added(school, subs["maths"], {2023: su, 2024: su, 2025: su})
    await value_added(school, subs["art"], {2025: 0.0})
    await SubjectSettings.create(
        school=school, key_stage=KeyStage.KS4, year_group=10, subject=subs["french"],
        benchmark=BenchmarkLevel.HIGH, grade_format=GradeFormat.A_STAR_TO_G, included=False,
    )
    cohort = await year_group_estimates(school.id, "KS4", 10)
    maths = cohort.choices["maths"]
    assert maths.indicator == 16 and maths.suggested == BenchmarkLevel.VERY_HIGH
    assert maths.benchmark == BenchmarkLevel.VERY_HIGH and not maths.saved
    assert cohort.choices["art"].indicator == 50
    assert cohort.choices["art"].suggested == BenchmarkLevel.HIGH
    french = cohort.choices["french"]
    assert french.saved and french.benchmark == BenchmarkLevel.HIGH and not french.included
    assert french.scale is GCSE_A_G and french.grade_format == GradeFormat.A_STAR_TO_G
    assert set(cohort.grades("french")) <= set(GCSE_A_G.grades)
    assert cohort.cohort_average("french") in GCSE_A_G.grades
    only = await year_group_estimates(school.id, "KS4", 10, ["maths", "art"])
    assert only.subjects == ("art", "maths")


async def test_year_group_must_belong_to_key_stage():
    school = await make_school()
    with pytest.raises(ValueError):
        await year_group_estimates(school.id, "KS2", 10)
