"""National cohorts simulated from the shipped parameters against the published figures:
every catalogue subject against JCQ's 2019 cumulative percentages (docs/CALIBRATION-2019.md),
and BENCHMARKS.md's other figures."""

import numpy as np
import pytest

from server.services.estimates import calibrate
from server.services.estimates.levels import KeyStage
from server.services.estimates.national_shapes import misses
from server.services.estimates.parameters import load_parameters
from server.services.estimates.published import A_LEVEL_2019, GCSE_2019
from server.services.estimates.scales import GCSE_9_1
from server.services.estimates.subjects import subjects_for
from server.services.estimates.synth import NationalData, simulate_national

# DfE's England figures for GCSE maths 2019 at every grade: the model is solved for JCQ's
# 7/4/1 only, so these check the grades in between.
GCSE_MATHS_ENGLAND_2019 = {9: 3.8, 8: 11.0, 7: 20.6, 6: 32.0, 5: 50.2, 4: 71.3, 3: 83.9,
                           2: 92.4, 1: 97.7}  # fmt: skip
TOLERANCE = 2.0  # percentage points
PUBLISHED = {KeyStage.KS4: GCSE_2019, KeyStage.KS5: A_LEVEL_2019}


def percent_at_least(data: NationalData, threshold: float) -> float:
    return 100 * float(np.mean(data.outcome_points >= threshold))


def simulated_entrants(key_stage: KeyStage, code: str, seed: int) -> NationalData:
    """A national cohort of the subject's entrants: about 120,000 results, 3,000 schools."""
    parameters = load_parameters(key_stage)
    return simulate_national(parameters, schools=3000, pupils_per_school=40, seed=seed,
                             subjects=[code], prior=parameters.entrants(code))  # fmt: skip


FIGURES = [
    (ks, code, grade)
    for ks, table in PUBLISHED.items()
    for code, row in table.items()
    for grade in sorted(row.all, reverse=True)
]


@pytest.fixture(scope="module")
def entrants() -> dict[tuple[KeyStage, str], NationalData]:
    return {
        (ks, code): simulated_entrants(ks, code, seed=2019 + i)
        for i, (ks, code) in enumerate(sorted({(ks, c) for ks, c, _ in FIGURES}))
    }


def test_every_catalogue_subject_has_published_figures():
    for ks, table in PUBLISHED.items():
        assert {s.code for s in subjects_for(ks)} == set(table)


@pytest.mark.parametrize(("key_stage", "code", "grade"), FIGURES)
def test_each_subjects_entrants_match_jcq_2019_cumulative_percentages(
    entrants, key_stage, code, grade
):
    published = PUBLISHED[key_stage][code].all[grade]
    simulated = percent_at_least(entrants[(key_stage, code)], grade)
    assert simulated == pytest.approx(published, abs=TOLERANCE), (code, grade)


@pytest.mark.parametrize("grade", list(GCSE_MATHS_ENGLAND_2019))
def test_gcse_maths_in_between_grades_match_dfes_england_figures(entrants, grade):
    simulated = percent_at_least(entrants[(KeyStage.KS4, "maths")], grade)
    assert simulated == pytest.approx(GCSE_MATHS_ENGLAND_2019[grade], abs=TOLERANCE)


@pytest.mark.parametrize("key_stage", [KeyStage.KS4, KeyStage.KS5])
def test_subjects_no_longer_share_one_shape(key_stage):
    parameters = load_parameters(key_stage)
    shapes = {(p.a, p.b1, p.b2, p.se) for p in parameters.subjects.values()}
    # Science Core and Science Additional both stand for the combined science award.
    assert len(shapes) == len(parameters.subjects) - (key_stage is KeyStage.KS4)
    assert all(p.shape_from is None for p in parameters.subjects.values())


def test_entrants_of_selective_subjects_have_their_own_prior_attainment():
    ks4, ks5 = load_parameters("KS4"), load_parameters("KS5")
    for code in ("biology", "chemistry", "physics", "french", "german", "spanish"):
        assert ks4.entrants(code).mean > ks4.prior.mean + 3, code
        assert ks4.entrants(code).sd < ks4.prior.sd, code
    assert ks4.entrants("science-core").mean < ks4.prior.mean
    assert ks4.entrants("history") == ks4.prior
    assert ks5.entrants("further-maths").mean > ks5.entrants("maths").mean > ks5.prior.mean
    assert ks5.entrants("sociology") == ks5.prior


def test_girls_ahead_in_english_and_not_in_maths():
    parameters = load_parameters("KS4")
    data = simulate_national(parameters, schools=3000, pupils_per_school=40, seed=7,
                             subjects=["maths", "eng-lang"])  # fmt: skip
    maths, english = data.for_subject("maths"), data.for_subject("eng-lang")
    girls = maths.female == 1
    gap = [d.outcome_points[girls].mean() - d.outcome_points[~girls].mean()
           for d in (maths, english)]  # fmt: skip
    assert abs(gap[0]) < 0.15 < 0.5 < gap[1]


def test_september_born_ahead_of_august_born_in_english_and_maths():
    data = simulate_national(load_parameters("KS4"), schools=12000, pupils_per_school=40,
                             seed=2019, subjects=["maths", "eng-lang"])  # fmt: skip
    maths, english = data.for_subject("maths"), data.for_subject("eng-lang")
    assert np.array_equal(maths.pupil_id, english.pupil_id)
    both = (maths.outcome_points >= 4) & (english.outcome_points >= 4)
    gap = 100 * (both[maths.month == 0].mean() - both[maths.month == 11].mean())
    assert gap == pytest.approx(6.0, abs=TOLERANCE)


def test_attainment_8_about_4_7_points_a_subject(entrants):
    """Whole-grade points of every subject's entrants, weighted by entries (maths, English
    twice), against 46.7 over ten slots; 0.1 a subject is one Attainment 8 point."""
    points, weights = [], []
    for code, row in GCSE_2019.items():
        share, _ = calibrate._entry_share(KeyStage.KS4, code, row)
        points.append(np.mean(GCSE_9_1.grade_indices(entrants[(KeyStage.KS4, code)]
                                                     .outcome_points)))
        weights.append(share * (2.0 if code in ("maths", "eng-lang") else 1.0))
    assert np.average(points, weights=weights) == pytest.approx(4.67, abs=0.2)


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
    assert parameters.version == calibrate.VERSION
    assert parameters.calibration
    for figure in parameters.calibration:
        assert figure["source"]
        if figure["unit"] == "%":
            assert figure["model"] == pytest.approx(figure["target"], abs=TOLERANCE)
    if key_stage is KeyStage.KS2:
        return
    recorded = {f["figure"]: f["model"] for f in parameters.calibration if f["unit"] == "%"}
    for subject in subjects_for(key_stage):
        row = PUBLISHED[key_stage][subject.code]
        p = parameters[subject.code]
        everyone, _ = misses(p, parameters.entrants(subject.code), row)
        ours = [v for k, v in recorded.items() if k.startswith(f"{subject.name} ")]
        assert [row.all[g] for g in sorted(row.all, reverse=True)] + everyone == pytest.approx(
            ours, abs=0.01
        )
