"""Solve one subject's shape so its entrants' national distribution matches JCQ's figures.

Used by calibrate.py. Free: the intercept a, the prior attainment curve b1 and b2, the girls'
lead g and the pupil residual sd se (within bounds); fixed: d (month of birth, one value per
key stage) and su (school progress sd). Solved first by least squares, then polished so the
largest miss against a published all-candidates figure is as small as it can be, the
girls'-lead misses counting a little, and the curve never flattening below `min_slope`
grades a prior attainment point anywhere on the prior's range.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import least_squares, minimize

from server.services.estimates.national import shares_by_gender
from server.services.estimates.parameters import PriorAttainment, SubjectParameters
from server.services.estimates.published import Published

FREE = ("a", "b1", "b2", "g", "se")


@dataclass(frozen=True)
class ShapeRules:
    """What a key stage's subjects share while each is solved."""

    d: float
    su: float
    se_start: float
    se_bounds: tuple[float, float]
    min_slope: float
    gap_weight: float = 0.15
    # Least curvature b2: 0 keeps the curve from bending down below the entrants' range.
    b2_min: float = -np.inf


# Prior attainment cells while solving (the recorded figures use the full 1,200: the two
# differ by less than 0.01 percentage point).
SOLVING_CELLS = 300


def misses(
    p: SubjectParameters,
    entrants: PriorAttainment,
    published: Published,
    cells: int = 1200,
    also: Mapping[int, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentage points model minus published: all candidates (then `also`, more cumulative
    percentages at other grades, highest first), and the girls' lead."""
    grades = sorted(published.all, reverse=True)
    extra = sorted(also or {}, reverse=True)
    girls, boys = shares_by_gender(p, entrants, grades + extra, cells)
    everyone = (girls + boys) / 2
    target = np.array([published.all[g] for g in grades] + [also[g] for g in extra])
    lead = np.array([published.female[g] - published.male[g] for g in grades])
    n = len(grades)
    return 100 * everyone - target, 100 * (girls[:n] - boys[:n]) - lead


def solve_shape(
    code: str,
    published: Published,
    entrants: PriorAttainment,
    key_stage_prior: PriorAttainment,
    rules: ShapeRules,
    start: tuple[float, float],
    also: Mapping[int, float] | None = None,
) -> SubjectParameters:
    centre = key_stage_prior.mean
    ends = np.array([key_stage_prior.low, key_stage_prior.high]) - centre
    base = SubjectParameters(
        code, a=start[0], b1=start[1], b2=0.0, g=0.0, d=rules.d, su=rules.su,
        se=rules.se_start, pa_mean=centre,
    )  # fmt: skip
    low, high = rules.se_bounds

    def at(x: np.ndarray) -> SubjectParameters:
        return replace(base, **dict(zip(FREE, map(float, x), strict=True)))

    def flattening(x: np.ndarray) -> np.ndarray:
        slopes = x[1] + 2 * x[2] * ends
        return 10 * np.maximum(0.0, rules.min_slope - slopes)

    def residuals(x: np.ndarray) -> np.ndarray:
        everyone, lead = misses(at(x), entrants, published, SOLVING_CELLS, also)
        return np.concatenate([everyone / 100, rules.gap_weight * lead / 100, flattening(x)])

    x0 = np.array([start[0], start[1], max(0.0, rules.b2_min), 0.3, rules.se_start])
    bounds = ([-np.inf, 0.0, rules.b2_min, -2.0, low], [np.inf, np.inf, np.inf, 2.0, high])
    x = least_squares(residuals, x0, bounds=bounds).x

    def worst(x: np.ndarray) -> float:
        if not low <= x[4] <= high or x[2] < rules.b2_min:
            return 1e6
        everyone, lead = misses(at(x), entrants, published, SOLVING_CELLS, also)
        score = np.max(np.abs(everyone)) + rules.gap_weight * np.max(np.abs(lead))
        return float(score + 100 * flattening(x).sum())

    polished = minimize(worst, x, method="Nelder-Mead",
                        options={"xatol": 1e-6, "fatol": 1e-6, "maxiter": 1500})  # fmt: skip
    if polished.fun < worst(x):
        x = polished.x
    return at(x)
