"""Estimate the model's parameters from pupil-level national results (BENCHMARKS.md)."""

from datetime import date

import numpy as np

from server.services.estimates.levels import KeyStage
from server.services.estimates.parameters import (
    FIGURES,
    ModelParameters,
    PriorAttainment,
    SubjectParameters,
)
from server.services.estimates.synth import NationalData

SU_FLOOR = 1e-3  # school progress sd never fitted below this (su^2 floored at 1e-6)


def fit_subject(data: NationalData, subject: str, source: str = "") -> SubjectParameters:
    """OLS for the fixed part; then se^2 and su^2 from the residuals' school structure."""
    y = data.outcome_points.astype(float)
    pa_mean = float(data.prior_attainment.mean())
    pa = data.prior_attainment - pa_mean
    design = np.column_stack([np.ones_like(pa), pa, pa * pa, data.female, data.month])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef

    _, school = np.unique(data.school_id, return_inverse=True)
    n = np.bincount(school)
    school_mean = np.bincount(school, weights=residual) / n
    within = residual - school_mean[school]
    se2 = float(within @ within) / max(len(y) - len(n), 1)
    su2 = float(np.var(school_mean, ddof=1) - np.mean(se2 / n))
    a, b1, b2, g, d = map(float, coef)
    how = f"fitted from {source or 'national data'}: {len(y)} results, {len(n)} schools"
    return SubjectParameters(
        subject=subject,
        a=a,
        b1=b1,
        b2=b2,
        g=g,
        d=d,
        su=float(np.sqrt(max(su2, SU_FLOOR**2))),
        se=float(np.sqrt(se2)),
        pa_mean=pa_mean,
        source={f: how for f in FIGURES},
    )


def fit_prior(data: NationalData, measure: str, source: str = "") -> PriorAttainment:
    _, first = np.unique(data.pupil_id, return_index=True)
    prior = data.prior_attainment[first]
    return PriorAttainment(
        measure=measure,
        mean=float(prior.mean()),
        sd=float(prior.std(ddof=1)),
        low=float(prior.min()),
        high=float(prior.max()),
        source=f"fitted from {source or 'national data'}: {len(prior)} pupils",
    )


PRIOR_MEASURES = {
    KeyStage.KS2: "KS1 average point score",
    KeyStage.KS4: "KS2 scaled score, mean of reading and maths",
    KeyStage.KS5: "mean GCSE point score (9-1)",
}


def fit_parameters(
    data: NationalData,
    key_stage: KeyStage | str,
    version: str | None = None,
    source: str = "",
) -> ModelParameters:
    ks = KeyStage(key_stage)
    return ModelParameters(
        version=version or f"fit-{date.today():%Y%m%d}",
        key_stage=ks,
        prior=fit_prior(data, PRIOR_MEASURES[ks], source),
        subjects={c: fit_subject(data.for_subject(c), c, source) for c in data.subjects()},
        source=f"Fitted by `aspire model fit` from {source or 'national data'}.",
    )
