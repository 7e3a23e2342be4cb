"""Fallback baselines: a standardised score (mean 100, SD 15, e.g. CAT4 mean SAS) in place
of prior attainment for a pupil without it (docs/BASELINES.md).

The score is put on the key stage's prior-attainment scale by equating percentiles: the
pupil's percentile among standardised scores, p = Phi((score - 100) / 15), is read off the
national prior-attainment distribution of the key stage's shipped parameters (for KS4 the
KS2 scaled score, Normal(104, 6.5) clipped to 80-120, which gives BENCHMARKS.md's 73 % and
79 % at 100+ in reading and maths). The distribution is a clipped normal, so its quantile is
clamp(mean + sd * Phi^-1(p), low, high): the equated value is the straight line
clamp(mean + sd * (score - 100) / 15, low, high), which is what the SQL of
services.targets.summaries evaluates (`sql_terms`). Nothing stores the equated value: it
is worked out wherever prior attainment is read, so a year group that moves key stage is
equated against its new scale.

A pupil's own prior attainment always wins; the standardised score is used only without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import NDArray

from server.models.enums import YEAR_GROUPS, KeyStage, PriorAttainmentSource
from server.services.estimates.parameters import load_parameters

MEAN = 100.0
SD = 15.0
# Scores outside this range are typing mistakes: standardised tests report 60/70 to 140/141.
LOWEST = 60.0
HIGHEST = 140.0

# The source of a pupil's own prior attainment in each key stage.
OWN_SOURCE: dict[KeyStage, PriorAttainmentSource] = {
    KeyStage.KS2: PriorAttainmentSource.KS1,
    KeyStage.KS4: PriorAttainmentSource.KS2,
    KeyStage.KS5: PriorAttainmentSource.KS4,
}


@dataclass(frozen=True)
class Equating:
    """The key stage's prior-attainment distribution, to equate a standardised score onto."""

    measure: str
    mean: float
    sd: float
    low: float
    high: float

    @property
    def slope(self) -> float:
        return self.sd / SD


def equating(key_stage: KeyStage | str) -> Equating:
    prior = load_parameters(KeyStage(getattr(key_stage, "value", key_stage)).value).prior
    return Equating(prior.measure, prior.mean, prior.sd, prior.low, prior.high)


def check_score(score: float) -> str | None:
    """A message when `score` cannot be a standardised score, else None."""
    if not np.isfinite(score) or not LOWEST <= score <= HIGHEST:
        return (f"A standardised score is a number from {LOWEST:g} to {HIGHEST:g} (the "
                f"average pupil scores {MEAN:g})")
    return None


def equate(score: float, key_stage: KeyStage | str) -> float:
    """The standardised score on the key stage's prior-attainment scale, by percentile."""
    e = equating(key_stage)
    p = NormalDist(MEAN, SD).cdf(score)
    p = min(max(p, 1e-12), 1 - 1e-12)
    return min(e.high, max(e.low, NormalDist(e.mean, e.sd).inv_cdf(p)))


def equate_array(scores: NDArray[np.float64], key_stage: KeyStage | str) -> NDArray[np.float64]:
    """`equate` of every score (NaN stays NaN), by the straight line it reduces to."""
    e = equating(key_stage)
    return np.clip(e.mean + e.slope * (np.asarray(scores, dtype=float) - MEAN), e.low, e.high)


def effective_prior(prior: NDArray[np.float64], scores: NDArray[np.float64],
                    key_stage: KeyStage | str) -> NDArray[np.float64]:
    """Prior attainment where the pupil has it, else their equated standardised score, else
    NaN (no estimate)."""
    prior = np.asarray(prior, dtype=float)
    return np.where(np.isnan(prior), equate_array(scores, key_stage), prior)


def sources(prior: NDArray[np.float64], scores: NDArray[np.float64],
            key_stage: KeyStage | str) -> list[PriorAttainmentSource]:
    own = OWN_SOURCE[KeyStage(getattr(key_stage, "value", key_stage))]
    prior = np.asarray(prior, dtype=float)
    scores = np.asarray(scores, dtype=float)
    return [own if not np.isnan(p) else PriorAttainmentSource.STANDARDISED_SCORE
            if not np.isnan(s) else PriorAttainmentSource.NONE
            for p, s in zip(prior.tolist(), scores.tolist(), strict=True)]


def source_of(prior: float | None, score: float | None, year_group: int
              ) -> PriorAttainmentSource:
    """One pupil's source of prior attainment in their year group's key stage."""
    if prior is not None:
        for ks, years in YEAR_GROUPS.items():
            if year_group in years:
                return OWN_SOURCE[ks]
    if score is not None:
        return PriorAttainmentSource.STANDARDISED_SCORE
    return PriorAttainmentSource.NONE


def sql_prior(prior: str, score: str, postgres: bool) -> str:
    """SQL for the effective prior attainment of a pupil row (NULL with neither), with four
    placeholders to bind with `sql_values` (low, high, mean, slope). PostgreSQL's GREATEST
    skips NULLs, so a missing score is tested first."""
    low, high = ("GREATEST", "LEAST") if postgres else ("MAX", "MIN")
    number = "CAST(? AS DOUBLE PRECISION)"
    return (f"COALESCE({prior}, CASE WHEN {score} IS NULL THEN NULL ELSE "
            f"{low}({number}, {high}({number}, {number} + {number} * ({score} - {MEAN!r}))) END)")


def sql_values(key_stage: KeyStage | str) -> list[float]:
    e = equating(key_stage)
    return [e.low, e.high, e.mean, e.slope]
