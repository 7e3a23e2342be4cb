"""A national cohort simulated from the shipped parameters against BENCHMARKS.md's table."""

import numpy as np
import pytest

from server.services.estimates import calibrate
from server.services.estimates.levels import KeyStage
from server.services.estimates.parameters import load_parameters
from server.services.estimates.scales import GCSE_9_1
from server.services.estimates.synth import NationalData, simulate_national

GCSE_MATHS_2019 = {9: 3.8, 8: 11.0, 7: 20.6, 6: 32.0, 5: 50.2, 4: 71.3, 3: 83.9, 2: 92.4, 1: 97.7}
A_LEVEL_2019 = {6: 7.7, 5: 25.4, 3: 75.9, 1: 97.6}  # A*, A*-A, A*-C, A*-E
TOLERANCE = 2.0  # percentage points


def percent_at_least(data: NationalData, threshold: float) -> float:
    return 100 * float(np.mean(data.outcome_points >= threshold))


@pytest.fixture(scope="module")
def ks4_english_and_maths() -> tuple[NationalData, NationalData]:
    data = simulate_national(
        load_parameters("KS4"), schools=12000, pupils_per_school=40, seed=2019,
        subjects=["maths", "eng-lang"],
    )  # fmt: skip
    maths, english = data.for_subject("maths"), data.for_subject("eng-lang")
    assert np.array_equal(maths.pupil_id, english.pupil_id)
    return maths, english


@pytest.mark.parametrize("grade", list(GCSE_MATHS_2019))
def test_gcse_maths_cumulative_share_at_each_grade(ks4_english_and_maths, grade):
    maths, _ = ks4_english_and_maths
    assert percent_at_least(maths, grade) == pytest.approx(GCSE_MATHS_2019[grade], abs=TOLERANCE)


def test_gcse_english_four_or_better(ks4_english_and_maths):
    _, english = ks4_english_and_maths
    assert percent_at_least(english, 4) == pytest.approx(70.0, abs=TOLERANCE)


def test_girls_ahead_in_english_and_not_in_maths(ks4_english_and_maths):
    maths, english = ks4_english_and_maths
    girls = maths.female == 1
    gap = [
        d.outcome_points[girls].mean() - d.outcome_points[~girls].mean() for d in (maths, english)
    ]
    assert gap[0] <= 0 < gap[1]


def test_september_born_ahead_of_august_born_in_english_and_maths(ks4_english_and_maths):
    maths, english = ks4_english_and_maths
    both = (maths.outcome_points >= 4) & (english.outcome_points >= 4)
    gap = 100 * (both[maths.month == 0].mean() - both[maths.month == 11].mean())
    assert gap == pytest.approx(6.0, abs=TOLERANCE)


def test_attainment_8_about_4_7_points_a_subject():
    parameters = load_parameters("KS4")
    data = simulate_national(parameters, schools=400, pupils_per_school=40, seed=8)
    points = GCSE_9_1.grade_indices(data.outcome_points)
    weight = np.where(np.isin(data.subject, ["maths", "eng-lang"]), 2.0, 1.0)
    per_subject = float(np.average(points, weights=weight))
    # 46.7 over ten slots; 0.1 a subject is one Attainment 8 point (about 2%)
    assert per_subject == pytest.approx(4.67, abs=0.1)


@pytest.fixture(scope="module")
def a_levels() -> NationalData:
    return simulate_national(load_parameters("KS5"), schools=1000, pupils_per_school=30, seed=5)


@pytest.mark.parametrize("grade", list(A_LEVEL_2019))
def test_a_level_cumulative_shares_over_all_subjects(a_levels, grade):
    assert percent_at_least(a_levels, grade) == pytest.approx(A_LEVEL_2019[grade], abs=TOLERANCE)


@pytest.mark.parametrize(("subject", "share"), [("reading", 73.0), ("maths", 79.0)])
def test_ks2_expected_standard(subject, share):
    data = simulate_national(
        load_parameters("KS2"), schools=2000, pupils_per_school=30, seed=2, subjects=[subject]
    )
    assert percent_at_least(data, 100) == pytest.approx(share, abs=TOLERANCE)


@pytest.mark.parametrize("key_stage", list(KeyStage))
def test_parameter_files_record_their_calibration_truthfully(key_stage):
    """The figures a file states were reached are what the model implies, exactly."""
    parameters = load_parameters(key_stage)
    assert parameters.calibration
    for figure in parameters.calibration:
        assert figure["source"]
        if figure["unit"] == "%":
            assert figure["model"] == pytest.approx(figure["target"], abs=TOLERANCE)
    if key_stage is KeyStage.KS4:
        shares = 100 * calibrate.share_at_least(
            parameters["maths"], parameters.prior, list(GCSE_MATHS_2019)
        )
        recorded = [f["model"] for f in parameters.calibration][: len(GCSE_MATHS_2019)]
        assert shares == pytest.approx(recorded, abs=0.01)
