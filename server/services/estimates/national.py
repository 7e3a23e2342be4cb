"""The national distribution the model implies, worked out exactly: quadrature over prior
attainment (a clipped normal), both genders and twelve months of birth."""

from collections.abc import Sequence

import numpy as np
from scipy.special import ndtr

from server.services.estimates.parameters import PriorAttainment, SubjectParameters
from server.services.estimates.scales import Scale

MONTHS = np.arange(12.0)


def _prior_nodes(prior: PriorAttainment, cells: int = 1200) -> tuple[np.ndarray, np.ndarray]:
    """Points and weights of the clipped normal prior, point masses at its ends."""
    edges = np.linspace(prior.low, prior.high, cells + 1)
    cdf = ndtr((edges - prior.mean) / prior.sd)
    x = np.concatenate(([prior.low], (edges[:-1] + edges[1:]) / 2, [prior.high]))
    w = np.concatenate(([cdf[0]], np.diff(cdf), [1 - cdf[-1]]))
    return x, w / w.sum()


def _pupil_means(
    p: SubjectParameters, prior: PriorAttainment, month: np.ndarray = MONTHS, cells: int = 1200
) -> tuple[np.ndarray, np.ndarray]:
    """Fixed part over (gender, month, prior) cells and each cell's weight."""
    x, w = _prior_nodes(prior, cells)
    pa = x - p.pa_mean
    base = p.a + p.b1 * pa + p.b2 * pa * pa
    female = np.array([0.0, 1.0])[:, None, None]
    mu = base[None, None, :] + p.g * female + p.d * month[None, :, None]
    weight = np.broadcast_to(w / (2 * len(month)), mu.shape)
    return mu, weight


def share_at_least(p: SubjectParameters, prior: PriorAttainment, thresholds: Sequence[float]) -> np.ndarray:
    """National share of pupils with y >= t, for each threshold t."""
    mu, weight = _pupil_means(p, prior)
    s = np.hypot(p.su, p.se)
    t = np.asarray(thresholds, dtype=float)[:, None, None, None]
    return (ndtr((mu - t) / s) * weight).sum(axis=(1, 2, 3))


def shares_by_gender(
    p: SubjectParameters, prior: PriorAttainment, thresholds: Sequence[float], cells: int = 1200
) -> tuple[np.ndarray, np.ndarray]:
    """Share of girls, and of boys, with y >= t for each threshold t (all: their mean)."""
    mu, weight = _pupil_means(p, prior, cells=cells)
    s = np.hypot(p.su, p.se)
    t = np.asarray(thresholds, dtype=float)[:, None, None, None]
    by_gender = 2 * (ndtr((mu - t) / s) * weight).sum(axis=(2, 3))
    return by_gender[:, 1], by_gender[:, 0]


def mean_points(p: SubjectParameters, prior: PriorAttainment, scale: Scale) -> float:
    """National mean of y clamped to the scale (a clamped normal's mean, cell by cell)."""
    mu, weight = _pupil_means(p, prior)
    s = np.hypot(p.su, p.se)
    lo, hi = (scale.low - mu) / s, (scale.high - mu) / s
    phi = np.exp(-0.5 * np.square([lo, hi])) / np.sqrt(2 * np.pi)
    inside = mu * (ndtr(hi) - ndtr(lo)) + s * (phi[0] - phi[1])
    clamped = scale.low * ndtr(lo) + scale.high * (1 - ndtr(hi)) + inside
    return float((clamped * weight).sum())


def mean_grade_points(p: SubjectParameters, prior: PriorAttainment, scale: Scale) -> float:
    """National mean of whole-grade points (U = 0), as Attainment 8 counts them."""
    steps = np.diff(scale.thresholds)
    return float(share_at_least(p, prior, scale.thresholds[1:]) @ steps)


def both_at_least(
    first: SubjectParameters,
    second: SubjectParameters,
    prior: PriorAttainment,
    threshold: float,
    month: float,
) -> float:
    """Share of pupils born in `month` reaching `threshold` in both subjects."""
    chances = []
    for p in (first, second):
        mu, weight = _pupil_means(p, prior, np.array([month]))
        chances.append(ndtr((mu - threshold) / np.hypot(p.su, p.se)))
    return float((chances[0] * chances[1] * weight).sum())
