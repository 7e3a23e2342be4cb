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

from server.services.estimates.levels import KeyStage
from server.services.estimates.national import (
    both_at_least,
    mean_grade_points,
    mean_points,
    share_at_least,
)
from server.services.estimates.national_shapes import ShapeRules, misses, solve_shape
from server.services.estimates.parameters import (
    PARAMETERS_DIR,
    ModelParameters,
    PriorAttainment,
    SubjectParameters,
    write_parameters,
)
from server.services.estimates.published import (
    A_LEVEL_2019,
    A_LEVEL_STUDENTS_2019,
    GCSE_2019,
    GCSE_COHORT_2019,
    Published,
)
from server.services.estimates.scales import GCSE_9_1
from server.services.estimates.subjects import get_subject, subjects_for

VERSION = "2026.2"


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


# -- KS4 and KS5: every subject its own national shape (docs/CALIBRATION-2019.md) ---------

KS4_PRIOR = PriorAttainment(
    measure="KS2 scaled score, mean of reading and maths",
    mean=104.0,
    sd=6.5,
    low=80.0,
    high=120.0,
    source="mean about 104 as DfE's KS2 2019 averages (reading 104, maths 105); "
    "sd 6.5 is an assumption (design brief: 6-7); clipped to the 80-120 score range",
)
MONTH_GAP = 6.0
MONTH_SOURCE = (
    "September- vs August-born gap in grade 4+ in English and maths, about 6 points "
    "(BENCHMARKS.md); solved with pupil residuals independent across subjects"
)
# DfE's England figures for GCSE maths at every grade (state-funded schools, end of KS4):
# JCQ's UK tables give only 7/4/1, so maths is solved for these as well.
GCSE_MATHS_DFE_2019 = {9: 3.8, 8: 11.0, 6: 32.0, 5: 50.2, 3: 83.9, 2: 92.4}
GCSE_MATHS_DFE_SOURCE = "GCSE maths 2019, England, cumulative shares (DfE data, BENCHMARKS.md)"
ALSO = {(KeyStage.KS4, "maths"): GCSE_MATHS_DFE_2019}
A8_PER_SUBJECT = 4.67
A8_SOURCE = "Attainment 8 average 46.7, state-funded schools 2019 (DfE), 4.67 a slot"

# Who takes a subject: entry follows a propensity correlated rho with prior attainment
# (assumptions, docs/CALIBRATION-2019.md); the entry share is published (JCQ entries).
KS4_SELECTION = {
    "biology": 0.8, "chemistry": 0.8, "physics": 0.8,
    "french": 0.6, "german": 0.6, "spanish": 0.6,
    # the combined science award: those who do not take the three sciences
    "science-core": -0.8, "science-additional": -0.8,
}  # fmt: skip
KS5_SELECTION = {
    "further-maths": 0.8, "maths": 0.5, "physics": 0.5, "chemistry": 0.5,
    "biology": 0.3, "french": 0.5,
}  # fmt: skip
# The least prior attainment a subject's entry asks for (assumption, docs/CALIBRATION-2019.md).
KS5_FLOOR = {"maths": 4.5}
FLOOR_WHY = "; none below {floor} mean GCSE points (entry asks for a grade 6 or 7 in GCSE maths)"
KS4_RULES = dict(su=0.4, se_start=1.2, se_bounds=(1.0, 1.6), min_slope=0.08, b2_min=0.0)
KS5_RULES = dict(su=0.3, se_start=0.9, se_bounds=(0.6, 1.5), min_slope=0.25)
KS5_MONTH = -0.01
SELECTION_WHY = "entry propensity correlated {rho} with prior attainment (assumption), entry share {share:.3f} ({how})"
FREE_SOURCE = "solved so the subject's entrants match {what}"


def _entry_share(key_stage: KeyStage, code: str, row: Published) -> tuple[float, str]:
    if key_stage is KeyStage.KS4:
        # the double award counts two entries a pupil
        per_pupil = 2 if row.jcq_name.startswith("Science: Double") else 1
        share = min(1.0, (row.entries_aged_16 or row.entries) / per_pupil / GCSE_COHORT_2019)
        how = f"JCQ UK entries aged 16 over {GCSE_COHORT_2019} in GCSE maths"
        return share, how + (", two entries a pupil" if per_pupil == 2 else "")
    how = f"JCQ UK entries over {A_LEVEL_STUDENTS_2019} A level students"
    return min(1.0, row.entries / A_LEVEL_STUDENTS_2019), how


def _entrants(key_stage: KeyStage, code: str, row: Published) -> PriorAttainment | None:
    rho = (KS4_SELECTION if key_stage is KeyStage.KS4 else KS5_SELECTION).get(code)
    if rho is None:
        return None
    prior = KS4_PRIOR if key_stage is KeyStage.KS4 else KS5_PRIOR
    share, how = _entry_share(key_stage, code, row)
    why = SELECTION_WHY.format(rho=rho, share=share, how=how)
    floor = KS5_FLOOR.get(code) if key_stage is KeyStage.KS5 else None
    if floor is not None:
        why += FLOOR_WHY.format(floor=floor)
    return prior.entrants(share, rho, why, floor)


def _what(row: Published) -> str:
    grades = "/".join(_label(row, g) for g in sorted(row.all, reverse=True))
    return f"JCQ 2019 {row.jcq_name}, cumulative % at {grades} ({row.source})"


def _label(row: Published, grade: int) -> str:
    if row.table == "a level":
        return {6: "A*", 5: "A", 4: "B", 3: "C", 2: "D", 1: "E"}[grade]
    return str(grade)


def _subject(key_stage: KeyStage, code: str, row: Published, d: float, start: tuple[float, float]) -> SubjectParameters:
    prior = KS4_PRIOR if key_stage is KeyStage.KS4 else KS5_PRIOR
    rules = ShapeRules(d=d, **(KS4_RULES if key_stage is KeyStage.KS4 else KS5_RULES))
    entrants = _entrants(key_stage, code, row)
    also = ALSO.get((key_stage, code))
    p = _rounded(solve_shape(code, row, entrants or prior, prior, rules, start, also))
    what = _what(row) + (f" and {GCSE_MATHS_DFE_SOURCE} at 9/8/6/5/3/2" if also else "")
    solved = FREE_SOURCE.format(what=what)
    return replace(
        p,
        entrants=entrants,
        source={
            **{f: solved for f in ("a", "b1", "b2", "se")},
            "g": f"solved with the others for the girls' lead, same table by gender ({what})",
            "d": f"one value for the key stage: {MONTH_SOURCE}"
            if key_stage is KeyStage.KS4
            else "assumption: month of birth matters little by 18",
            "su": f"assumption: school progress sd {rules.su} grades (BENCHMARKS.md)",
            "pa_mean": "the key stage's prior attainment mean (centring only)",
        },
    )


def _figures(key_stage: KeyStage, code: str, p: SubjectParameters, row: Published) -> list:
    prior = KS4_PRIOR if key_stage is KeyStage.KS4 else KS5_PRIOR
    also = ALSO.get((key_stage, code)) or {}
    everyone, _ = misses(p, p.entrants or prior, row, also=also)
    name = get_subject(key_stage, code).name
    grades = sorted(row.all, reverse=True)
    figures = [
        _figure(f"{name} {_label(row, g)}+", row.all[g], row.all[g] + miss, _what(row))
        for g, miss in zip(grades, everyone, strict=False)
    ]
    extra = sorted(also, reverse=True)
    return figures + [
        _figure(f"DfE England GCSE maths {g}+", also[g], also[g] + miss, GCSE_MATHS_DFE_SOURCE)
        for g, miss in zip(extra, everyone[len(grades) :], strict=True)
    ]


def _ks4_month_gap(maths: SubjectParameters, english: SubjectParameters) -> float:
    gap = both_at_least(maths, english, KS4_PRIOR, 4.0, 0) - both_at_least(maths, english, KS4_PRIOR, 4.0, 11)
    return 100 * gap


def _ks4_pair(d: float) -> tuple[SubjectParameters, SubjectParameters]:
    return tuple(_subject(KeyStage.KS4, c, GCSE_2019[c], d, (5.0, 0.27)) for c in ("maths", "eng-lang"))


def _attainment_8(subjects: dict[str, SubjectParameters]) -> float:
    """Entry-weighted mean whole-grade points over the catalogue, maths and English twice."""
    points, weights = [], []
    for code, p in subjects.items():
        share, _ = _entry_share(KeyStage.KS4, code, GCSE_2019[code])
        points.append(mean_grade_points(p, p.entrants or KS4_PRIOR, GCSE_9_1))
        weights.append(share * (2.0 if code in ("maths", "eng-lang") else 1.0))
    return float(np.dot(points, weights) / np.sum(weights))


def build_ks4() -> ModelParameters:
    def gap_misfit(d: float) -> float:
        return _ks4_month_gap(*_ks4_pair(d)) - MONTH_GAP

    d = round(brentq(gap_misfit, -0.12, 0.0, xtol=1e-4), 4)
    subjects = dict(zip(("maths", "eng-lang"), _ks4_pair(d), strict=True))
    for subject in subjects_for(KeyStage.KS4):
        if subject.code not in subjects:
            row = GCSE_2019[subject.code]
            subjects[subject.code] = _subject(KeyStage.KS4, subject.code, row, d, (5.0, 0.27))
    subjects = {s.code: subjects[s.code] for s in subjects_for(KeyStage.KS4)}
    figures = [f for c, p in subjects.items() for f in _figures(KeyStage.KS4, c, p, GCSE_2019[c])]
    figures.append(
        _figure(
            "Attainment 8 points a subject (entry-weighted, maths and English twice)",
            A8_PER_SUBJECT, _attainment_8(subjects), A8_SOURCE, unit="points",
        )
    )  # fmt: skip
    figures.append(
        _figure(
            "Sep vs Aug born gap, 4+ in English Language and maths",
            MONTH_GAP, _ks4_month_gap(subjects["maths"], subjects["eng-lang"]),
            MONTH_SOURCE, unit="percentage points",
        )
    )  # fmt: skip
    return ModelParameters(
        version=VERSION,
        key_stage=KeyStage.KS4,
        prior=KS4_PRIOR,
        subjects=subjects,
        source="Calibrated by server/services/estimates/calibrate.py: every subject solved "
        "for its own JCQ 2019 cumulative percentages (UK; maths and English Language UK "
        "16-year-olds), its entrants' prior attainment modelled where it differs "
        "(docs/CALIBRATION-2019.md). Outcome points: GCSE 9-1.",
        calibration=tuple(figures),
    )


KS5_PRIOR = PriorAttainment(
    measure="mean GCSE point score (9-1)",
    mean=5.5,
    sd=1.2,
    low=1.0,
    high=9.0,
    source="assumption for A-level takers (design brief: mean about 5.5, sd about 1.2)",
)


def build_ks5() -> ModelParameters:
    codes = [s.code for s in subjects_for(KeyStage.KS5)]
    subjects = {c: _subject(KeyStage.KS5, c, A_LEVEL_2019[c], KS5_MONTH, (4.0, 0.8)) for c in codes}
    figures = [f for c, p in subjects.items() for f in _figures(KeyStage.KS5, c, p, A_LEVEL_2019[c])]
    return ModelParameters(
        version=VERSION,
        key_stage=KeyStage.KS5,
        prior=KS5_PRIOR,
        subjects=subjects,
        source="Calibrated by server/services/estimates/calibrate.py: every subject solved "
        "for its own JCQ 2019 A level cumulative percentages (UK, all candidates), its "
        "entrants' prior attainment modelled where it differs (docs/CALIBRATION-2019.md). "
        "Outcome points: A level, E=1 ... A*=6.",
        calibration=tuple(figures),
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
