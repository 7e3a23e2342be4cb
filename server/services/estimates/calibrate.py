"""How the shipped parameter files were made: solve each subject's figures so that the
national distribution the model implies matches published figures.

Run `python -m server.services.estimates.calibrate` to rewrite parameters/ks*.json.
The national distribution is computed exactly (quadrature over prior attainment, both
genders, twelve months of birth); tests check it again by simulation.
"""

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from scipy.optimize import brentq, least_squares, minimize
from scipy.special import ndtr

from server.services.estimates.levels import KeyStage
from server.services.estimates.parameters import (
    PARAMETERS_DIR,
    ModelParameters,
    PriorAttainment,
    SubjectParameters,
    write_parameters,
)
from server.services.estimates.scales import GCSE_9_1, Scale
from server.services.estimates.subjects import get_subject, subjects_for

VERSION = "2026.1"
MONTHS = np.arange(12.0)


def _prior_nodes(prior: PriorAttainment, cells: int = 1200) -> tuple[np.ndarray, np.ndarray]:
    """Points and weights of the clipped normal prior, point masses at its ends."""
    edges = np.linspace(prior.low, prior.high, cells + 1)
    cdf = ndtr((edges - prior.mean) / prior.sd)
    x = np.concatenate(([prior.low], (edges[:-1] + edges[1:]) / 2, [prior.high]))
    w = np.concatenate(([cdf[0]], np.diff(cdf), [1 - cdf[-1]]))
    return x, w / w.sum()


def _pupil_means(
    p: SubjectParameters, prior: PriorAttainment, month: np.ndarray = MONTHS
) -> tuple[np.ndarray, np.ndarray]:
    """Fixed part over (gender, month, prior) cells and each cell's weight."""
    x, w = _prior_nodes(prior)
    pa = x - p.pa_mean
    base = p.a + p.b1 * pa + p.b2 * pa * pa
    female = np.array([0.0, 1.0])[:, None, None]
    mu = base[None, None, :] + p.g * female + p.d * month[None, :, None]
    weight = np.broadcast_to(w / (2 * len(month)), mu.shape)
    return mu, weight


def share_at_least(
    p: SubjectParameters, prior: PriorAttainment, thresholds: Sequence[float]
) -> np.ndarray:
    """National share of pupils with y >= t, for each threshold t."""
    mu, weight = _pupil_means(p, prior)
    s = np.hypot(p.su, p.se)
    t = np.asarray(thresholds, dtype=float)[:, None, None, None]
    return (ndtr((mu - t) / s) * weight).sum(axis=(1, 2, 3))


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


def _figure(name: str, target: float, model: float, source: str, unit: str = "%") -> dict:
    return {
        "figure": name,
        "target": round(target, 2),
        "model": round(model, 2),
        "unit": unit,
        "source": source,
    }


def _solve_shape(
    base: SubjectParameters,
    misfit: Callable[[SubjectParameters], np.ndarray],
    x0: Sequence[float],
    free: Sequence[str] = ("a", "b1", "b2"),
    minimax: bool = False,
) -> SubjectParameters:
    def at(x: np.ndarray) -> SubjectParameters:
        return replace(base, **dict(zip(free, map(float, x), strict=True)))

    if minimax:
        found = minimize(
            lambda x: float(np.max(np.abs(misfit(at(x))))),
            x0,
            method="Nelder-Mead",
            options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 8000},
        )
        return at(found.x)
    return at(least_squares(lambda x: misfit(at(x)), x0).x)


def _rounded(p: SubjectParameters) -> SubjectParameters:
    return replace(
        p,
        a=round(p.a, 4),
        b1=round(p.b1, 5),
        b2=round(p.b2, 6),
        g=round(p.g, 3),
        d=round(p.d, 4),
        su=round(p.su, 3),
        se=round(p.se, 3),
    )


def _borrowing(reference: SubjectParameters, code: str, g: float, why_g: str) -> SubjectParameters:
    """A subject without its own published distribution: the reference's shape and level."""
    # Keep the all-pupil mean of the reference while girls and boys sit g apart.
    a = reference.a + (reference.g - g) / 2
    name = reference.subject
    source = {
        figure: f"as {name}: {reference.source.get(figure, 'no published figure for this subject')}"
        for figure in ("b1", "b2", "d", "su", "se", "pa_mean")
    }
    source["a"] = f"the intercept of {name}, moved so the all-pupil mean stays that of {name}"
    source["g"] = why_g
    return replace(reference, subject=code, a=a, g=g, shape_from=name, source=source)


# -- KS4 ----------------------------------------------------------------------------------

KS4_PRIOR = PriorAttainment(
    measure="KS2 scaled score, mean of reading and maths",
    mean=104.0,
    sd=6.5,
    low=80.0,
    high=120.0,
    source="mean about 104 as DfE's KS2 2019 averages (reading 104, maths 105); "
    "sd 6.5 is an assumption (design brief: 6-7); clipped to the 80-120 score range",
)
GCSE_MATHS_2019 = {9: 3.8, 8: 11.0, 7: 20.6, 6: 32.0, 5: 50.2, 4: 71.3, 3: 83.9, 2: 92.4, 1: 97.7}
GCSE_MATHS_SOURCE = "GCSE maths 2019, England, cumulative shares (DfE data, BENCHMARKS.md)"
ENGLISH_4_PLUS = 70.0
ENGLISH_SOURCE = "GCSE English 4+ about 70%, UK 16-year-olds 2019 (JCQ, BENCHMARKS.md)"
MONTH_GAP = 6.0
MONTH_SOURCE = (
    "September- vs August-born gap in grade 4+ in English and maths, about 6 points "
    "(BENCHMARKS.md); solved with pupil residuals independent across subjects"
)
A8_PER_SUBJECT = 4.67
A8_SOURCE = "Attainment 8 average 46.7, state-funded schools 2019 (DfE), 4.67 a slot"

# Girls' lead at equal prior attainment: direction from BENCHMARKS.md (girls ahead in
# English, level or slightly behind in maths); sizes are assumptions.
KS4_GENDER = {
    "art": 0.6, "biology": 0.0, "business": 0.0, "chemistry": 0.0, "dt": 0.3,
    "eng-lit": 0.7, "french": 0.4, "geography": 0.2, "german": 0.4, "history": 0.2,
    "ict": 0.0, "music": 0.2, "pe": -0.1, "physics": -0.05, "rs": 0.4,
    "science-additional": 0.0, "science-core": 0.0, "spanish": 0.4,
}  # fmt: skip


def _ks4_maths(d: float) -> SubjectParameters:
    base = SubjectParameters(
        "maths", a=5.2, b1=0.27, b2=0.003, g=-0.05, d=d, su=0.4, se=1.2, pa_mean=KS4_PRIOR.mean
    )
    grades = list(GCSE_MATHS_2019)
    target = np.array([GCSE_MATHS_2019[g] for g in grades]) / 100

    def misfit(p: SubjectParameters) -> np.ndarray:
        return share_at_least(p, KS4_PRIOR, grades) - target

    return _solve_shape(base, misfit, (5.2, 0.27, 0.003), minimax=True)


def _ks4_english(maths: SubjectParameters) -> SubjectParameters:
    base = replace(maths, subject="eng-lang", g=0.7)

    def misfit(p: SubjectParameters) -> np.ndarray:
        return share_at_least(p, KS4_PRIOR, [4.0]) - ENGLISH_4_PLUS / 100

    return _solve_shape(base, misfit, (maths.a,), free=("a",))


def _ks4_month_gap(maths: SubjectParameters, english: SubjectParameters) -> float:
    gap = both_at_least(maths, english, KS4_PRIOR, 4.0, 0) - both_at_least(
        maths, english, KS4_PRIOR, 4.0, 11
    )
    return 100 * gap


def build_ks4() -> ModelParameters:
    def gap_misfit(d: float) -> float:
        maths = _ks4_maths(d)
        return _ks4_month_gap(maths, _ks4_english(maths)) - MONTH_GAP

    d = brentq(gap_misfit, -0.12, 0.0, xtol=1e-5)
    maths = _rounded(_ks4_maths(d))
    english = _rounded(_ks4_english(maths))
    maths = replace(
        maths,
        source={
            **{f: f"solved so the national distribution matches {GCSE_MATHS_SOURCE}"
               for f in ("a", "b1", "b2")},
            "g": "assumption: girls level or slightly behind in maths (BENCHMARKS.md)",
            "d": f"solved for the {MONTH_SOURCE}",
            "su": "assumption: school progress sd 0.3-0.5 grades (BENCHMARKS.md)",
            "se": "assumption: pupil residual sd 1.1-1.4 grades (BENCHMARKS.md)",
            "pa_mean": "the prior attainment mean",
        },
    )  # fmt: skip
    english = replace(
        english,
        shape_from="maths",
        source={
            **{f: "borrowed from maths" for f in ("b1", "b2", "su", "se", "pa_mean")},
            "a": f"solved for {ENGLISH_SOURCE}",
            "g": "assumption: girls ahead in English (BENCHMARKS.md) by 0.7 grade",
            "d": f"solved with maths for the {MONTH_SOURCE}",
        },
    )
    subjects = {"maths": maths, "eng-lang": english}
    for subject in subjects_for(KeyStage.KS4):
        if subject.code in subjects:
            continue
        reference = english if subject.code == "eng-lit" else maths
        why = "assumption: direction by subject family, girls ahead in essay subjects"
        subjects[subject.code] = _rounded(
            _borrowing(reference, subject.code, KS4_GENDER[subject.code], why)
        )
    subjects = {s.code: subjects[s.code] for s in subjects_for(KeyStage.KS4)}

    maths_shares = share_at_least(maths, KS4_PRIOR, list(GCSE_MATHS_2019)) * 100
    figures = [
        _figure(f"GCSE maths {g}+", GCSE_MATHS_2019[g], m, GCSE_MATHS_SOURCE)
        for g, m in zip(GCSE_MATHS_2019, maths_shares, strict=True)
    ]
    figures.append(
        _figure(
            "GCSE English Language 4+",
            ENGLISH_4_PLUS,
            100 * share_at_least(english, KS4_PRIOR, [4.0])[0],
            ENGLISH_SOURCE,
        )
    )
    weights = {"maths": 2.0, "eng-lang": 2.0}
    points = [mean_grade_points(p, KS4_PRIOR, GCSE_9_1) for p in subjects.values()]
    w = np.array([weights.get(c, 1.0) for c in subjects])
    figures.append(
        _figure(
            "Attainment 8 points a subject (maths and English double weighted)",
            A8_PER_SUBJECT,
            float(np.dot(points, w) / w.sum()),
            A8_SOURCE,
            unit="points",
        )
    )
    figures.append(
        _figure(
            "Sep vs Aug born gap, 4+ in English Language and maths",
            MONTH_GAP,
            _ks4_month_gap(maths, english),
            MONTH_SOURCE,
            unit="percentage points",
        )
    )
    return ModelParameters(
        version=VERSION,
        key_stage=KeyStage.KS4,
        prior=KS4_PRIOR,
        subjects=subjects,
        source="Calibrated by server/services/estimates/calibrate.py to public national "
        "figures; subjects without a published distribution borrow maths' shape "
        "(English Literature borrows English Language's). Outcome points: GCSE 9-1.",
        calibration=tuple(figures),
    )


# -- KS5 ----------------------------------------------------------------------------------

KS5_PRIOR = PriorAttainment(
    measure="mean GCSE point score (9-1)",
    mean=5.5,
    sd=1.2,
    low=1.0,
    high=9.0,
    source="assumption for A-level takers (design brief: mean about 5.5, sd about 1.2)",
)
A_LEVEL_2019 = {6: 7.7, 5: 25.4, 3: 75.9, 1: 97.6}
A_LEVEL_SOURCE = "A level 2019, UK, all subjects: A* / A*-A / A*-C / A*-E (JCQ, BENCHMARKS.md)"
KS5_GENDER = {
    "art": 0.2, "biology": 0.0, "business": 0.0, "chemistry": 0.0, "computing": -0.1,
    "economics": -0.05, "eng-lit": 0.15, "french": 0.1, "further-maths": -0.1,
    "geography": 0.05, "history": 0.05, "maths": -0.1, "physics": -0.1,
    "psychology": 0.15, "rs": 0.1, "sociology": 0.15,
}  # fmt: skip


def build_ks5() -> ModelParameters:
    reference = SubjectParameters(
        "all A levels", a=4.0, b1=0.8, b2=0.0, g=0.0, d=-0.01, su=0.3, se=0.9,
        pa_mean=KS5_PRIOR.mean,
    )  # fmt: skip
    codes = [s.code for s in subjects_for(KeyStage.KS5)]
    why = "assumption: small gaps by subject family at A level"
    grades = list(A_LEVEL_2019)
    target = np.array([A_LEVEL_2019[g] for g in grades]) / 100

    def pooled(ref: SubjectParameters) -> np.ndarray:
        rows = [_borrowing(ref, c, KS5_GENDER[c], why) for c in codes]
        return np.mean([share_at_least(p, KS5_PRIOR, grades) for p in rows], axis=0)

    reference = _rounded(_solve_shape(reference, lambda p: pooled(p) - target, (4.0, 0.8, 0.0)))
    reference = replace(
        reference,
        source={
            **{f: f"solved so all subjects pooled match {A_LEVEL_SOURCE}"
               for f in ("a", "b1", "b2")},
            "g": "reference level; each subject sets its own gap",
            "d": "assumption: month of birth matters little by 18",
            "su": "assumption: school progress sd about 0.3 grade",
            "se": "assumption: pupil residual sd about 0.9 of an A level grade",
            "pa_mean": "the prior attainment mean",
        },
    )  # fmt: skip
    subjects = {c: _rounded(_borrowing(reference, c, KS5_GENDER[c], why)) for c in codes}
    shares = 100 * np.mean([share_at_least(p, KS5_PRIOR, grades) for p in subjects.values()], 0)
    labels = {6: "A*", 5: "A*-A", 3: "A*-C", 1: "A*-E"}
    return ModelParameters(
        version=VERSION,
        key_stage=KeyStage.KS5,
        prior=KS5_PRIOR,
        subjects=subjects,
        source="Calibrated by server/services/estimates/calibrate.py. Every subject borrows "
        "the shape of all A levels pooled (no subject-level distribution used) and "
        "differs only by its gender gap. Outcome points: A level, E=1 ... A*=6.",
        calibration=tuple(
            _figure(f"A level {labels[g]}", A_LEVEL_2019[g], m, A_LEVEL_SOURCE)
            for g, m in zip(grades, shares, strict=True)
        ),
    )


# -- KS2 ----------------------------------------------------------------------------------

KS2_PRIOR = PriorAttainment(
    measure="KS1 average point score",
    mean=16.0,
    sd=4.0,
    low=3.0,
    high=27.0,
    source="assumption (design brief: mean about 16, sd about 4); KS1 APS runs 3 to 27",
)
KS2_SOURCE = "DfE, National curriculum assessments at key stage 2 in England, 2019"
# code: share >= 100, share >= 110, DfE's mean scaled score (None: teacher assessed), g, se
KS2_TARGETS = {
    "reading": (73.0, 27.0, 104.0, 0.5, 5.0),
    "writing": (78.0, 20.0, None, 1.5, 4.0),
    "maths": (79.0, 27.0, 105.0, -1.0, 4.5),
    "gps": (78.0, 36.0, 106.0, 1.5, 5.0),
}
KS2_NAMES = {"reading": "reading", "writing": "writing (teacher assessment)",
             "maths": "maths", "gps": "grammar, punctuation and spelling"}  # fmt: skip
# Slight flattening towards the 120 ceiling; solving b2 from DfE's means as well bends
# the curve until estimates fall with prior attainment, so the means are only reported.
KS2_B2 = -0.03


def build_ks2() -> ModelParameters:
    scale = get_subject(KeyStage.KS2, "reading").scale
    subjects: dict[str, SubjectParameters] = {}
    figures = []
    for code, (expected, high, mean, g, se) in KS2_TARGETS.items():
        base = SubjectParameters(
            code, a=104.0, b1=1.5, b2=KS2_B2, g=g, d=-0.1, su=1.5, se=se,
            pa_mean=KS2_PRIOR.mean,
        )  # fmt: skip
        target = np.array([expected, high]) / 100

        def misfit(p: SubjectParameters, target: np.ndarray = target) -> np.ndarray:
            return share_at_least(p, KS2_PRIOR, [100.0, 110.0]) - target

        p = _rounded(_solve_shape(base, misfit, (104.0, 1.5), free=("a", "b1")))
        what = f"{KS2_NAMES[code]}: {expected:.0f}% expected standard, {high:.0f}% "
        what += "greater depth" if mean is None else "high score"
        solved = f"solved for {what} ({KS2_SOURCE})"
        p = replace(
            p,
            source={
                "a": solved,
                "b1": solved,
                "b2": "assumption: slight flattening towards the 120 ceiling",
                "g": "assumption: girls ahead in English, boys slightly in maths",
                "d": "assumption: August-born about 1 scaled point behind at equal KS1",
                "su": "assumption: school progress sd 1.5 scaled points",
                "se": "assumption: pupil residual sd in scaled points",
                "pa_mean": "the prior attainment mean",
            },
        )
        subjects[code] = p
        shares = 100 * share_at_least(p, KS2_PRIOR, [100.0, 110.0])
        figures.append(_figure(f"KS2 {code} 100+", expected, shares[0], KS2_SOURCE))
        figures.append(_figure(f"KS2 {code} 110+", high, shares[1], KS2_SOURCE))
        if mean is not None:
            figures.append(
                _figure(f"KS2 {code} mean (reported, not solved for)", mean,
                        mean_points(p, KS2_PRIOR, scale), KS2_SOURCE, unit="scaled score")
            )  # fmt: skip
    return ModelParameters(
        version=VERSION,
        key_stage=KeyStage.KS2,
        prior=KS2_PRIOR,
        subjects={s.code: subjects[s.code] for s in subjects_for(KeyStage.KS2)},
        source="Calibrated by server/services/estimates/calibrate.py. Outcome points: KS2 "
        "scaled score 80-120; writing is teacher-assessed and predicted on the same points, "
        "shown as a band (WTS below 100, EXS from 100, GDS from 110).",
        calibration=tuple(figures),
    )


def main() -> None:
    for build in (build_ks2, build_ks4, build_ks5):
        parameters = build()
        path = PARAMETERS_DIR / f"{parameters.key_stage.value.lower()}.json"
        write_parameters(parameters, path)
        print(path)
        for f in parameters.calibration:
            print(f"  {f['figure']:<70} target {f['target']:>6}  model {f['model']:>6}")


if __name__ == "__main__":
    main()
