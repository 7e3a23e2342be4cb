"""BENCHMARKS.md's model: one vectorised function per figure, numpy arrays in and out."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr, ndtri

from server.services.estimates.levels import BenchmarkLevel, KeyStage
from server.services.estimates.parameters import (
    ModelParameters,
    ParameterTable,
    SubjectParameters,
)
from server.services.estimates.scales import Scale
from server.services.estimates.subjects import get_subject, subjects_for

Floats = NDArray[np.float64]
Coefficients = SubjectParameters | ParameterTable

YEAR_WEIGHTS = np.array([1.0, 2.0, 3.0])  # oldest to newest of the last three years


def benchmark_z(levels: BenchmarkLevel | ArrayLike) -> Floats:
    """z_q = Phi^-1(1 - q/100): 0, 0.8416, 1.6449 for Average, High, Very High."""
    return ndtri(1 - np.asarray(levels, dtype=float) / 100)


def month_of_school_year(birth_month: ArrayLike) -> NDArray[np.int64]:
    """Calendar month of birth (1-12) to the model's month: September 0 ... August 11."""
    return (np.asarray(birth_month, dtype=np.int64) - 9) % 12


def expected_points(
    p: Coefficients, prior: ArrayLike, female: ArrayLike, month: ArrayLike
) -> Floats:
    """The fixed part a + b1*pa + b2*pa^2 + g*female + d*month, unclamped.

    `female` may be 0.5 where a pupil's gender is not known.
    """
    pa = np.asarray(prior, dtype=float) - p.pa_mean
    return (
        p.a
        + pa * (p.b1 + p.b2 * pa)
        + p.g * np.asarray(female, dtype=float)
        + p.d * np.asarray(month, dtype=float)
    )


def estimate_points(
    p: Coefficients,
    scale: Scale,
    prior: ArrayLike,
    female: ArrayLike,
    month: ArrayLike,
    levels: BenchmarkLevel | ArrayLike = BenchmarkLevel.AVERAGE,
) -> Floats:
    """est_q clamped to the scale; NaN where prior attainment is missing.

    With a ParameterTable of S subjects, pass pupils as (P,) arrays and levels as one level
    or an (S, 1) column of percentiles: the answer is (S, P).
    """
    fixed = expected_points(p, prior, female, month)
    return scale.clamp(fixed + benchmark_z(levels) * p.su)


def benchmark_grades(scale: Scale, est: ArrayLike) -> NDArray[np.object_]:
    return scale.grades_of(est)


def grade_chances(scale: Scale, est: ArrayLike, se: ArrayLike) -> Floats:
    """P(grade) for each of `scale.grades` along a new last axis; each row sums to 1."""
    y = np.asarray(est, dtype=float)[..., None]
    s = np.asarray(se, dtype=float)[..., None]
    cumulative = ndtr((scale.grade_bounds - y) / s)
    return np.diff(cumulative, axis=-1)


def likelihood(est: ArrayLike, se: ArrayLike, target_points: ArrayLike) -> Floats:
    """P(y >= t(T)): the chance of reaching a target whose threshold is `target_points`."""
    t = np.asarray(target_points, dtype=float)
    return ndtr((np.asarray(est, dtype=float) - t) / np.asarray(se, dtype=float))


def likelihood_of_target(scale: Scale, est: float, se: float, target: str) -> float:
    return float(likelihood(est, se, scale.thresholds_of([target]))[0])


def school_rate_points(scale: Scale, est_50: ArrayLike, u_school: ArrayLike) -> Floats:
    """The estimate at this school's own past rate: est_50 + u_school, clamped."""
    u = np.nan_to_num(np.asarray(u_school, dtype=float))
    return scale.clamp(np.asarray(est_50, dtype=float) + u)


def value_added_by_group(
    outcome_points: ArrayLike, est_50: ArrayLike, group: ArrayLike
) -> tuple[NDArray[np.generic], Floats, NDArray[np.int64]]:
    """Mean residual y - est_50 per group (a school, or a school and year): groups, VA, n.

    Outcomes must be fine grades; for whole results use Scale.result_points.
    """
    residual = np.asarray(outcome_points, dtype=float) - np.asarray(est_50, dtype=float)
    keep = ~np.isnan(residual)
    groups, index = np.unique(np.asarray(group)[keep], return_inverse=True)
    n = np.bincount(index, minlength=len(groups))
    sums = np.bincount(index, weights=residual[keep], minlength=len(groups))
    return groups, sums / np.maximum(n, 1), n


def school_value_added(outcome_points: ArrayLike, est_50: ArrayLike) -> float | None:
    y = np.asarray(outcome_points, dtype=float)
    _, va, _ = value_added_by_group(y, est_50, np.zeros(y.shape, dtype=np.int64))
    return float(va[0]) if len(va) else None


def weighted_value_added(va_years: ArrayLike) -> Floats:
    """Last axis holds the last three years, oldest first, NaN where absent: weights 1, 2, 3."""
    va = np.asarray(va_years, dtype=float)
    present = ~np.isnan(va)
    weights = np.where(present, YEAR_WEIGHTS, 0.0)
    total = weights.sum(axis=-1)
    with np.errstate(invalid="ignore"):
        return np.where(present, va, 0.0) @ YEAR_WEIGHTS / np.where(total > 0, total, np.nan)


def school_indicators(va_years: ArrayLike, su: ArrayLike) -> Floats:
    """The "Your school" percentile, 1 (best) to 100; NaN where there is no history."""
    va_w = weighted_value_added(va_years)
    percentile = 100 * (1 - ndtr(va_w / np.asarray(su, dtype=float)))
    # Half up, as people round: 62.5 is 63.
    return np.clip(np.floor(percentile + 0.5), 1, 100)


def _last_three_years(va_oldest_to_newest: Sequence[float | None]) -> Floats:
    years = [np.nan if v is None else float(v) for v in va_oldest_to_newest][-3:]
    return np.array([np.nan] * (3 - len(years)) + years)


def school_indicator(va_oldest_to_newest: Sequence[float | None], su: float) -> int | None:
    """The indicator from up to three years of value added, newest last; None without any."""
    value = school_indicators(_last_three_years(va_oldest_to_newest), su)
    return None if np.isnan(value) else int(value)


def school_rate(va_oldest_to_newest: Sequence[float | None]) -> float:
    """u_school: the school's weighted value added (0, the national rate, without history)."""
    return float(school_rates(_last_three_years(va_oldest_to_newest)))


def school_rates(va_years: ArrayLike) -> Floats:
    """`school_rate` of many rows at once (last axis: three years, oldest first, NaN absent)."""
    return np.nan_to_num(weighted_value_added(va_years), nan=0.0)


def intelligent_benchmarks(indicators: ArrayLike) -> NDArray[np.int64]:
    """The level just better than each indicator, as percentiles 50, 20 or 5 (NaN: 50)."""
    ind = np.asarray(indicators, dtype=float)
    return np.select(
        [ind <= 20, ind <= 50],
        [BenchmarkLevel.VERY_HIGH, BenchmarkLevel.HIGH],
        default=BenchmarkLevel.AVERAGE,
    ).astype(np.int64)


def intelligent_benchmark(indicator: float | None) -> BenchmarkLevel:
    value = np.nan if indicator is None else indicator
    return BenchmarkLevel(int(intelligent_benchmarks([value])[0]))


def cohort_mean_points(est: ArrayLike) -> Floats:
    """Mean estimate over pupils (the last axis), ignoring pupils without one."""
    y = np.asarray(est, dtype=float)
    n = np.sum(~np.isnan(y), axis=-1)
    total = np.nansum(y, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, total / n, np.nan)


def cohort_average(scale: Scale, est: ArrayLike) -> str | None:
    """The year group's average estimate in the subject's grade format."""
    return scale.format_fine_grade(float(cohort_mean_points(est)))


@dataclass(frozen=True, eq=False)
class Estimates:
    """A year group's estimates: one row per subject, one column per pupil."""

    version: str
    key_stage: KeyStage
    subjects: tuple[str, ...]
    scales: tuple[Scale, ...]
    levels: tuple[BenchmarkLevel, ...]
    points: Floats
    se: Floats

    def row(self, subject: str) -> int:
        return self.subjects.index(subject)

    def grades(self) -> NDArray[np.object_]:
        out = np.empty(self.points.shape, dtype=object)
        for i, scale in enumerate(self.scales):
            out[i] = scale.grades_of(self.points[i])
        return out

    def fine_grades(self) -> NDArray[np.object_]:
        out = np.empty(self.points.shape, dtype=object)
        for i, scale in enumerate(self.scales):
            out[i] = scale.format_fine_grades(self.points[i])
        return out

    def chances(self, subject: str) -> Floats:
        i = self.row(subject)
        return grade_chances(self.scales[i], self.points[i], self.se[i])

    def cohort_averages(self) -> dict[str, str | None]:
        means = cohort_mean_points(self.points)
        return {
            code: scale.format_fine_grade(float(m))
            for code, scale, m in zip(self.subjects, self.scales, means, strict=True)
        }


def estimate(
    parameters: ModelParameters,
    prior: ArrayLike,
    female: ArrayLike,
    month: ArrayLike,
    levels: BenchmarkLevel | Mapping[str, BenchmarkLevel] = BenchmarkLevel.AVERAGE,
    subjects: Sequence[str] | None = None,
    grade_formats: Mapping[str, Scale | str] | None = None,
) -> Estimates:
    """Every pupil's estimate in every subject, each subject at its benchmark level.

    `levels` is one level for all subjects or one per subject (missing: Average);
    `grade_formats` picks a KS4 subject's scale (9–1 by default, or A*–G).
    """
    ks = parameters.key_stage
    codes = (
        tuple(subjects)
        if subjects is not None
        else tuple(s.code for s in subjects_for(ks) if s.code in parameters.subjects)
    )
    if not codes:
        raise ValueError("no subjects to estimate")
    chosen = grade_formats or {}
    scales = tuple(get_subject(ks, c).scale_for(chosen.get(c)) for c in codes)
    if isinstance(levels, Mapping):
        per_subject = tuple(BenchmarkLevel(levels.get(c, BenchmarkLevel.AVERAGE)) for c in codes)
    else:
        per_subject = (BenchmarkLevel(levels),) * len(codes)
    if len({(s.low, s.high) for s in scales}) > 1:
        raise ValueError("subjects of one key stage share a points range")
    table = parameters.table(codes)
    points = estimate_points(
        table,
        scales[0],
        np.asarray(prior, dtype=float),
        female,
        month,
        np.array(per_subject, dtype=float)[:, None],
    )
    return Estimates(
        version=parameters.version,
        key_stage=ks,
        subjects=codes,
        scales=scales,
        levels=per_subject,
        points=points,
        se=table.se[:, 0],
    )
