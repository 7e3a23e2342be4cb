import numpy as np
import pytest

from server.services.estimates import model
from server.services.estimates.levels import BenchmarkLevel, KeyStage
from server.services.estimates.parameters import load_parameters
from server.services.estimates.scales import (
    A_LEVEL,
    GCSE_9_1,
    GCSE_A_G,
    KS2_BAND,
    KS2_SCALED_SCORE,
)
from server.services.estimates.subjects import get_subject, subjects_for

LEVELS = [BenchmarkLevel.AVERAGE, BenchmarkLevel.HIGH, BenchmarkLevel.VERY_HIGH]


def test_benchmark_levels_are_percentiles_with_their_z():
    assert [level.value for level in LEVELS] == [50, 20, 5]
    assert [round(level.z, 4) for level in LEVELS] == [0.0, 0.8416, 1.6449]
    assert model.benchmark_z(LEVELS) == pytest.approx([0.0, 0.8416, 1.6449], abs=1e-4)
    assert [level.label for level in LEVELS] == ["Average", "High", "Very High"]


@pytest.mark.parametrize("key_stage", list(KeyStage))
def test_estimates_rise_with_prior_attainment_and_benchmark_level(key_stage):
    parameters = load_parameters(key_stage)
    for subject in subjects_for(key_stage):
        # Over the prior attainment of those who take the subject (mean +/- 2 sd).
        entrants = parameters.entrants(subject.code)
        low = max(entrants.low, entrants.mean - 2 * entrants.sd)
        prior = np.linspace(low, min(entrants.high, entrants.mean + 2 * entrants.sd), 200)
        p, scale = parameters[subject.code], subject.scale
        by_level = np.array(
            [model.estimate_points(p, scale, prior, 0, 5, level) for level in LEVELS]
        )
        inside = (by_level > scale.low) & (by_level < scale.high)
        assert np.all(np.diff(by_level, axis=1) >= 0), subject.code
        assert np.all(np.diff(by_level, axis=1)[inside[:, 1:] & inside[:, :-1]] > 0)
        assert np.all(np.diff(by_level, axis=0) >= 0), subject.code
        assert np.all(np.diff(by_level, axis=0)[inside[1:] & inside[:-1]] > 0), subject.code
        assert inside.mean() > 0.75, subject.code


def test_estimates_are_clamped_to_the_scale():
    p = load_parameters("KS4")["maths"]
    est = model.estimate_points(p, GCSE_9_1, [60.0, 104.0, 140.0], 1, 0, BenchmarkLevel.VERY_HIGH)
    assert est[0] >= 0 and est[-1] == pytest.approx(9.99)


def test_estimate_at_benchmark_adds_z_times_school_progress_sd():
    p = load_parameters("KS4")["eng-lang"]
    est = [model.estimate_points(p, GCSE_9_1, 104.0, 1, 0, level)[()] for level in LEVELS]
    assert est[0] == pytest.approx(p.a + p.g)
    assert est[1] - est[0] == pytest.approx(0.8416 * p.su, abs=1e-4)
    assert est[2] - est[0] == pytest.approx(1.6449 * p.su, abs=1e-4)


@pytest.mark.parametrize("scale", [GCSE_9_1, GCSE_A_G, A_LEVEL, KS2_SCALED_SCORE, KS2_BAND])
def test_chances_of_each_grade_sum_to_one(scale):
    est = np.linspace(scale.low - 1, scale.high + 1, 301).reshape(7, 43)
    chances = model.grade_chances(scale, est, 1.2)
    assert chances.shape == (7, 43, len(scale.grades))
    assert np.all(chances >= 0)
    assert chances.sum(axis=-1) == pytest.approx(np.ones((7, 43)))


def test_chances_peak_at_the_benchmark_grade_and_match_the_likelihood():
    est = np.array([2.3, 5.5, 8.2])
    chances = model.grade_chances(GCSE_9_1, est, 1.1)
    assert GCSE_9_1.grades_of(est).tolist() == [GCSE_9_1.grades[i] for i in chances.argmax(-1)]
    four_or_better = chances[:, GCSE_9_1.index_of("4") :].sum(axis=-1)
    assert model.likelihood(est, 1.1, GCSE_9_1.threshold("4")) == pytest.approx(four_or_better)
    assert model.likelihood_of_target(GCSE_9_1, 5.5, 1.1, "4") == pytest.approx(four_or_better[1])


def test_likelihood_at_the_schools_own_rate_follows_its_progress():
    est_50 = np.array([4.2, 6.0])
    national = model.likelihood(est_50, 1.2, 5.0)
    better = model.likelihood(model.school_rate_points(GCSE_9_1, est_50, 0.4), 1.2, 5.0)
    worse = model.likelihood(model.school_rate_points(GCSE_9_1, est_50, -0.4), 1.2, 5.0)
    assert np.all(worse < national) and np.all(national < better)
    no_history = model.school_rate_points(GCSE_9_1, est_50, np.nan)
    assert no_history == pytest.approx(est_50)


@pytest.mark.parametrize(
    ("indicator", "level"),
    [
        (62, BenchmarkLevel.AVERAGE),
        (45, BenchmarkLevel.HIGH),
        (100, BenchmarkLevel.AVERAGE),
        (51, BenchmarkLevel.AVERAGE),
        (50, BenchmarkLevel.HIGH),
        (21, BenchmarkLevel.HIGH),
        (20, BenchmarkLevel.VERY_HIGH),
        (6, BenchmarkLevel.VERY_HIGH),
        (5, BenchmarkLevel.VERY_HIGH),
        (1, BenchmarkLevel.VERY_HIGH),
        (None, BenchmarkLevel.AVERAGE),
    ],
)
def test_intelligent_benchmark_is_the_next_level_better_than_the_indicator(indicator, level):
    assert model.intelligent_benchmark(indicator) is level


def test_intelligent_benchmarks_vectorised():
    levels = model.intelligent_benchmarks([62, 45, 20, np.nan])
    assert levels.tolist() == [50, 20, 5, 50]


def test_school_indicator_from_weighted_years():
    su = 0.4
    assert model.school_indicator([], su) is None
    assert model.school_indicator([None, None, None], su) is None
    assert model.school_indicator([0.0, 0.0, 0.0], su) == 50
    assert model.school_indicator([su], su) == 16  # 100 * (1 - Phi(1)) = 15.9
    assert model.school_indicator([-su], su) == 84
    assert model.school_indicator([5.0], su) == 1
    assert model.school_indicator([-5.0], su) == 100
    # weights 1, 2, 3 oldest to newest, renormalised over the years present
    assert model.school_rate([0.6, None, 0.0]) == pytest.approx(0.6 / 4)
    assert model.school_rate([0.6, 0.3, 0.0]) == pytest.approx((0.6 + 0.6) / 6)
    assert model.school_rate([0.9, 0.6, 0.3, 0.0]) == pytest.approx((0.6 + 0.6) / 6)
    assert model.school_rate([]) == 0.0


def test_school_indicators_vectorised_over_schools_and_subjects():
    va = np.array([[[0.1, 0.2, 0.3], [np.nan, np.nan, np.nan]], [[np.nan, 0.0, -0.5], [0, 0, 0]]])
    su = np.array([0.4, 0.5])
    got = model.school_indicators(va, su)
    assert got.shape == (2, 2)
    assert np.isnan(got[0, 1])
    assert got[0, 0] == model.school_indicator([0.1, 0.2, 0.3], 0.4)
    assert got[1, 0] == model.school_indicator([0.0, -0.5], 0.4)
    assert got[1, 1] == 50


def test_value_added_is_the_mean_residual_per_school():
    outcome = np.array([5.0, 6.0, 4.0, 7.0, np.nan])
    est_50 = np.array([4.5, 5.5, 4.5, 6.0, 5.0])
    schools, va, n = model.value_added_by_group(outcome, est_50, [1, 1, 2, 2, 2])
    assert schools.tolist() == [1, 2]
    assert va == pytest.approx([0.5, 0.25])
    assert n.tolist() == [2, 2]
    assert model.school_value_added(outcome[:2], est_50[:2]) == pytest.approx(0.5)
    assert model.school_value_added([], []) is None


def test_cohort_average_in_the_subjects_format():
    est = np.array([4.0, 5.0, 5.7, np.nan])
    assert model.cohort_average(GCSE_9_1, est) == "4.9"
    assert model.cohort_average(GCSE_A_G, est) == "C"
    assert model.cohort_average(A_LEVEL, np.array([4.5, 5.5])) == "A"
    assert model.cohort_average(KS2_SCALED_SCORE, np.array([103.0, 106.5])) == "104"
    assert model.cohort_average(KS2_BAND, np.array([103.0, 106.5])) == "EXS"
    assert model.cohort_average(GCSE_9_1, np.array([np.nan])) is None


def test_month_of_school_year_runs_september_to_august():
    assert model.month_of_school_year([9, 10, 12, 1, 8]).tolist() == [0, 1, 3, 4, 11]


def test_estimate_for_a_year_group_carries_the_model_version():
    parameters = load_parameters("KS4")
    rng = np.random.default_rng(3)
    prior = rng.normal(104, 6.5, 30)
    prior[0] = np.nan
    female, month = rng.integers(0, 2, 30), rng.integers(0, 12, 30)
    levels = {"maths": BenchmarkLevel.HIGH, "eng-lang": BenchmarkLevel.VERY_HIGH}
    result = model.estimate(
        parameters, prior, female, month, levels, grade_formats={"history": "A*-G"}
    )
    assert result.version == "2026.2"
    assert len(result.subjects) == 20 and result.points.shape == (20, 30)
    maths = result.row("maths")
    assert result.levels[maths] is BenchmarkLevel.HIGH
    assert result.levels[result.row("art")] is BenchmarkLevel.AVERAGE
    expected = model.estimate_points(
        parameters["maths"], GCSE_9_1, prior, female, month, BenchmarkLevel.HIGH
    )
    assert result.points[maths] == pytest.approx(expected, nan_ok=True)
    grades = result.grades()
    assert grades[maths, 0] is None and grades[maths, 1] in GCSE_9_1.grades
    assert grades[result.row("history"), 1] in GCSE_A_G.grades
    assert result.fine_grades()[maths, 1] == GCSE_9_1.format_fine_grade(result.points[maths, 1])
    assert result.chances("maths").shape == (30, 10)
    averages = result.cohort_averages()
    assert averages["maths"] == model.cohort_average(GCSE_9_1, result.points[maths])
    assert averages["history"] in GCSE_A_G.grades


def test_estimate_subjects_can_be_chosen():
    parameters = load_parameters("KS2")
    result = model.estimate(parameters, [12.0, 16.0, 20.0], [0, 1, 0], [0, 5, 11],
                            subjects=["writing", "maths"])  # fmt: skip
    assert result.subjects == ("writing", "maths")
    assert set(result.grades()[0]) <= {"WTS", "EXS", "GDS"}
    assert result.scales == (get_subject("KS2", "writing").scale, KS2_SCALED_SCORE)


def test_estimate_needs_a_subject():
    with pytest.raises(ValueError, match="no subjects"):
        model.estimate(load_parameters("KS5"), [5.0], [0], [0], subjects=[])
