"""Equating a standardised score (mean 100, SD 15) onto the prior-attainment scale by
percentile (docs/BASELINES.md)."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest

from server.models.enums import KeyStage, PriorAttainmentSource
from server.services.estimates import baselines
from server.services.estimates.parameters import load_parameters


def test_the_average_score_is_the_national_average_prior_attainment():
    assert baselines.equate(100, KeyStage.KS4) == pytest.approx(104.0)
    assert baselines.equate(100, KeyStage.KS5) == pytest.approx(5.5)
    assert baselines.equate(100, KeyStage.KS2) == pytest.approx(16.0)


@pytest.mark.parametrize("score", [70, 85, 92.5, 100, 107, 115, 130])
def test_the_equated_value_has_the_score_s_percentile_in_the_national_ks2_distribution(score):
    prior = load_parameters("KS4").prior
    equated = baselines.equate(score, KeyStage.KS4)
    percentile = NormalDist(100, 15).cdf(score)
    assert NormalDist(prior.mean, prior.sd).cdf(equated) == pytest.approx(percentile)


def test_one_sd_above_is_one_national_sd_above_and_extremes_stay_on_the_scale():
    assert baselines.equate(115, KeyStage.KS4) == pytest.approx(110.5)
    assert baselines.equate(85, KeyStage.KS4) == pytest.approx(97.5)
    # 60 gives 104 - 17.3 = 86.7, still on the scale; 140 gives 121.3, clipped to 120 (the
    # national distribution is clipped there too, so its top share sits at 120)
    assert baselines.equate(60, KeyStage.KS4) == pytest.approx(104 - 6.5 * 40 / 15)
    assert baselines.equate(140, KeyStage.KS4) == 120.0
    assert baselines.equate(60, KeyStage.KS5) == pytest.approx(5.5 - 1.2 * 40 / 15)
    assert baselines.equate(140, KeyStage.KS5) == pytest.approx(5.5 + 1.2 * 40 / 15)


def test_the_straight_line_the_sql_uses_is_the_percentile_equating():
    scores = np.arange(60.0, 140.5, 0.5)
    for ks in KeyStage:
        line = baselines.equate_array(scores, ks)
        assert line == pytest.approx([baselines.equate(s, ks) for s in scores])
    assert np.isnan(baselines.equate_array(np.array([np.nan]), KeyStage.KS4)[0])


def test_own_prior_attainment_wins_and_pupils_with_neither_have_none():
    prior = np.array([101.0, np.nan, np.nan])
    scores = np.array([130.0, 85.0, np.nan])
    effective = baselines.effective_prior(prior, scores, KeyStage.KS4)
    assert effective[0] == 101.0 and effective[1] == pytest.approx(97.5)
    assert np.isnan(effective[2])
    assert baselines.sources(prior, scores, KeyStage.KS4) == [
        PriorAttainmentSource.KS2, PriorAttainmentSource.STANDARDISED_SCORE,
        PriorAttainmentSource.NONE]
    assert baselines.source_of(5.5, None, 12) == PriorAttainmentSource.KS4
    assert baselines.source_of(None, 99.0, 12) == PriorAttainmentSource.STANDARDISED_SCORE
    assert baselines.source_of(None, None, 8) == PriorAttainmentSource.NONE


@pytest.mark.parametrize("score", [59.9, 140.1, float("nan"), float("inf")])
def test_scores_off_the_standardised_range_are_refused(score):
    assert "60 to 140" in baselines.check_score(score)


def test_scores_on_the_range_are_accepted():
    assert baselines.check_score(60) is None and baselines.check_score(140) is None
