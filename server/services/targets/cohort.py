"""A year group's estimates for every subject and benchmark, with the school's choices.

Three queries: the year group's pupils, the school's subject settings, and its value-added
history. The figures all come from the estimates engine (server.services.estimates).

Value-added history: the indicator uses the three academic years ending at the latest year
the school has any value added for in the key stage (a subject missing one of those years
has that year counted as absent, as BENCHMARKS.md renormalises over the years present).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from tortoise import connections

from server.models import Pupil, SchoolValueAdded
from server.models.enums import (
    YEAR_GROUPS,
    BenchmarkLevel,
    GradeFormat,
    KeyStage,
    PriorAttainmentSource,
)
from server.services.estimates import baselines, model, versions
from server.services.estimates.challenge import CustomLevel, parse_code
from server.services.estimates.levels import BenchmarkLevel as EngineLevel
from server.services.estimates.parameters import load_parameters
from server.services.estimates.scales import Scale
from server.services.estimates.subjects import get_subject, subjects_for
from server.services.targets import sql

LEVELS: tuple[BenchmarkLevel, ...] = (
    BenchmarkLevel.AVERAGE,
    BenchmarkLevel.HIGH,
    BenchmarkLevel.VERY_HIGH,
)
# What a school may choose for a subject: a benchmark or its own custom level.
CHOICES: tuple[BenchmarkLevel, ...] = (*LEVELS, BenchmarkLevel.CUSTOM)


def engine_level(level: BenchmarkLevel | str) -> EngineLevel:
    """The stored benchmark (AVERAGE, HIGH, VERY_HIGH) as the engine's percentile level."""
    return EngineLevel[BenchmarkLevel(level).name]


def stored_level(level: EngineLevel | int) -> BenchmarkLevel:
    return BenchmarkLevel[EngineLevel(level).name]


def key_stage_of(key_stage: KeyStage | str) -> KeyStage:
    return KeyStage(getattr(key_stage, "value", key_stage))


def check_year_group(key_stage: KeyStage | str, year_group: int) -> KeyStage:
    """The key stage as stored; ValueError when the year group is not one of its years."""
    ks = key_stage_of(key_stage)
    if year_group not in YEAR_GROUPS[ks]:
        raise ValueError(f"Year {year_group} is not a {ks.value} year group")
    return ks


def grade_formats(key_stage: KeyStage | str, code: str) -> tuple[Scale, ...]:
    """The scales a school may choose for a subject (only KS4 offers two)."""
    return get_subject(key_stage_of(key_stage).value, code).grade_formats


@dataclass(frozen=True)
class SubjectChoice:
    """The school's choices for one subject of one year group."""

    code: str
    name: str
    benchmark: BenchmarkLevel  # saved, else the intelligent benchmark
    saved: bool  # False: `benchmark` is the intelligent benchmark, offered as a suggestion
    suggested: BenchmarkLevel  # the intelligent benchmark, whatever is saved
    indicator: int | None  # "Your school" percentile, None without history
    grade_format: GradeFormat | None  # KS4 only, None elsewhere
    scale: Scale
    included: bool
    default_included: bool
    school_rate: float = 0.0  # u_school: weighted value added, 0 (national rate) without history
    # The school's custom challenge level for the subject (saved even while a benchmark is
    # chosen); `benchmark` is CUSTOM only when there is one.
    custom: CustomLevel | None = None
    # The national estimates version (services.estimates.versions) the school applies.
    estimates_version: str = ""

    @property
    def custom_level(self) -> str | None:
        """The code of the level targets follow when the choice is CUSTOM, else None."""
        return self.custom.code if self.benchmark == BenchmarkLevel.CUSTOM else None


@dataclass(frozen=True, eq=False)
class CohortEstimates:
    """Every pupil of a year group (columns) in every subject (rows), at each benchmark.

    A pupil without prior attainment is estimated from their standardised score equated
    onto the prior-attainment scale (services.estimates.baselines), and `sources` says so;
    a pupil with neither is listed but has NaN points and no grade.
    """

    school_id: int
    key_stage: KeyStage
    year_group: int
    model_version: str
    pupil_ids: tuple[int, ...]
    has_prior: NDArray[np.bool_]
    subjects: tuple[str, ...]
    choices: Mapping[str, SubjectChoice]
    by_level: Mapping[BenchmarkLevel, model.Estimates] = field(repr=False)
    # Per subject with a custom challenge level: its estimate per pupil.
    custom: Mapping[str, NDArray[np.float64]] = field(default_factory=dict, repr=False)
    sources: tuple[PriorAttainmentSource, ...] = ()

    def source(self, column: int) -> PriorAttainmentSource:
        if column < 0 or column >= len(self.sources):
            return PriorAttainmentSource.NONE
        return self.sources[column]

    @property
    def pupils_on_standardised_score(self) -> int:
        return sum(1 for s in self.sources if s == PriorAttainmentSource.STANDARDISED_SCORE)

    def row(self, code: str) -> int:
        return self.subjects.index(code)

    def points(self, code: str, level: BenchmarkLevel | None = None) -> NDArray[np.float64]:
        """est_q per pupil, at `level` or at the school's chosen benchmark (CUSTOM: the
        subject's custom level, all NaN when it has none)."""
        lvl = BenchmarkLevel(level or self.choices[code].benchmark)
        if lvl == BenchmarkLevel.CUSTOM:
            found = self.custom.get(code)
            return found if found is not None else np.full(len(self.pupil_ids), np.nan)
        return self.by_level[lvl].points[self.row(code)]

    def grades(self, code: str, level: BenchmarkLevel | None = None) -> NDArray[np.object_]:
        """Benchmark grade per pupil in the subject's chosen format (None without prior)."""
        return self.choices[code].scale.grades_of(self.points(code, level))

    def fine_grades(self, code: str, level: BenchmarkLevel | None = None) -> NDArray[np.object_]:
        return self.choices[code].scale.format_fine_grades(self.points(code, level))

    def se(self, code: str) -> float:
        return float(self.by_level[BenchmarkLevel.AVERAGE].se[self.row(code)])

    def cohort_average(self, code: str, level: BenchmarkLevel | None = None) -> str | None:
        """The year group's average estimate in the subject's grade format."""
        return model.cohort_average(self.choices[code].scale, self.points(code, level))

    @property
    def pupils_with_estimates(self) -> int:
        return int(self.has_prior.sum())


def _female(gender: str | None) -> float:
    g = (gender or "").strip().upper()
    return 1.0 if g == "F" else 0.0 if g == "M" else 0.5


async def value_added_history(
    school_ids: Iterable[int], key_stage: KeyStage, codes: Sequence[str]
) -> dict[int, dict[str, list[float | None]]]:
    """Per school, per subject: value added of the three academic years ending at the latest
    year the school has any value added for in the key stage, oldest first (None: absent).

    Many schools in one statement.
    """
    rows = await SchoolValueAdded.filter(
        school_id__in=list(school_ids), subject__key_stage=key_stage, subject__code__in=list(codes)
    ).values_list("school_id", "subject__code", "academic_year", "value_added")
    by_school: dict[int, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    latest: dict[int, int] = {}
    for school_id, code, year, va in rows:
        by_school[school_id][code][year] = va
        latest[school_id] = max(latest.get(school_id, year), year)
    out: dict[int, dict[str, list[float | None]]] = {}
    for school_id, subjects in by_school.items():
        last = latest[school_id]
        window = (last - 2, last - 1, last)
        out[school_id] = {code: [years.get(y) for y in window] for code, years in subjects.items()}
    return out


def _subject_codes(ks: KeyStage, subject_codes: Sequence[str] | None) -> tuple[str, ...]:
    parameters = load_parameters(ks.value)
    known = tuple(s.code for s in subjects_for(ks.value) if s.code in parameters.subjects)
    if subject_codes is None:
        return known
    unknown = [c for c in subject_codes if c not in known]
    if unknown:
        raise ValueError(f"no {ks.value} subject {', '.join(unknown)}")
    wanted = set(subject_codes)
    return tuple(c for c in known if c in wanted)


def decide_choices_by_school(
    ks: KeyStage,
    codes: Sequence[str],
    saved: Mapping[int, Mapping[str, Mapping]],
    history: Mapping[int, Mapping[str, Sequence[float | None]]],
    school_ids: Sequence[int],
    applied: Mapping[int, str] | None = None,
) -> dict[int, dict[str, SubjectChoice]]:
    """Each school's benchmark, grade format and inclusion per subject, from its saved
    settings rows and its value-added history (the rule every caller shares): one indicator
    computation for all the schools, each with the su of its applied estimates version
    (`applied`: per school, default the shipped one)."""
    shipped = load_parameters(ks.value).version
    absent = (None,) * 3
    va = np.array(
        [[np.nan if v is None else v for v in history.get(s, {}).get(c, absent)]
         for s in school_ids for c in codes],
        dtype=float,
    ).reshape(-1, 3)
    su_of: dict[str, NDArray[np.float64]] = {}
    school_versions = [(applied or {}).get(s, shipped) for s in school_ids]
    for version in set(school_versions):
        parameters = versions.parameters_of(ks, version)
        su_of[version] = np.array([parameters[c].su for c in codes], dtype=float)
    su = (np.concatenate([su_of[v] for v in school_versions]) if school_ids
          else np.zeros(0, dtype=float))
    indicators = model.school_indicators(va, su)
    suggestions = model.intelligent_benchmarks(indicators).tolist()
    indicator_values = [None if np.isnan(v) else int(v) for v in indicators.tolist()]
    rates = model.school_rates(va).tolist()
    entries = [get_subject(ks.value, code) for code in codes]
    levels = {int(level): stored_level(int(level)) for level in set(suggestions)}
    # Schools with the same settings and indicator share one (frozen) choice object.
    made: dict[tuple, SubjectChoice] = {}
    out: dict[int, dict[str, SubjectChoice]] = {}
    i = 0
    for school_id, version in zip(school_ids, school_versions, strict=True):
        rows = saved.get(school_id, {})
        choices: dict[str, SubjectChoice] = {}
        for code, entry in zip(codes, entries, strict=True):
            row = rows.get(code, {})
            key = (code, row.get("benchmark"), row.get("grade_format"), row.get("included"),
                   row.get("custom_level"), suggestions[i], indicator_values[i], rates[i],
                   version)
            choice = made.get(key)
            if choice is None:
                choice = made[key] = _choice(ks, entry, row, levels[suggestions[i]],
                                             indicator_values[i], rates[i], version)
            choices[code] = choice
            i += 1
        out[school_id] = choices
    return out


def _choice(ks: KeyStage, entry, row: Mapping, suggested: BenchmarkLevel,
            indicator: int | None, school_rate: float, version: str) -> SubjectChoice:
    level = row.get("benchmark")
    custom = parse_code(row.get("custom_level"))
    if level == BenchmarkLevel.CUSTOM.value and custom is None:
        level = None  # never saved without a level: offer the suggestion rather than guess
    fmt = _grade_format(ks, entry, row.get("grade_format"))
    return SubjectChoice(
        code=entry.code,
        name=entry.name,
        benchmark=BenchmarkLevel(level) if level is not None else suggested,
        saved=level is not None,
        suggested=suggested,
        indicator=indicator,
        grade_format=fmt,
        scale=entry.scale_for(fmt.value if fmt is not None else None),
        included=bool(row.get("included", entry.default)),
        default_included=entry.default,
        school_rate=school_rate,
        custom=custom,
        estimates_version=version,
    )


def _grade_format(ks: KeyStage, entry, saved: str | None) -> GradeFormat | None:
    """KS4 only: the saved format, else the subject's own scale."""
    if ks != KeyStage.KS4:
        return None
    return GradeFormat(saved if saved is not None else entry.scale.code)


async def subject_choices(
    school_id: int,
    key_stage: KeyStage | str,
    year_group: int,
    subject_codes: Sequence[str] | None = None,
    version: str | None = None,
) -> dict[str, SubjectChoice]:
    """The school's benchmark, grade format and inclusion per subject (three queries),
    under its applied estimates version or `version`."""
    ks = check_year_group(key_stage, year_group)
    codes = _subject_codes(ks, subject_codes)
    applied = None if version is None else {school_id: version}
    return (await subject_choices_by_school([school_id], ks, year_group, codes,
                                            applied))[school_id]


def versions_of(choices: Mapping[int, Mapping[str, SubjectChoice]]) -> dict[int, str]:
    """Per school, the estimates version its choices were decided under."""
    return {school_id: next(iter(by_code.values())).estimates_version
            for school_id, by_code in choices.items() if by_code}


async def subject_choices_by_school(
    school_ids: Sequence[int], key_stage: KeyStage, year_group: int, codes: Sequence[str],
    applied: Mapping[int, str] | None = None,
) -> dict[int, dict[str, SubjectChoice]]:
    """Each school's benchmark, grade format and inclusion per subject (three statements:
    settings, value-added history and the applied estimates versions, unless `applied` names
    them), as `subject_choices` decides them for one school.
    """
    saved: dict[int, dict[str, dict]] = defaultdict(dict)
    ks = KeyStage(key_stage)
    found: dict[int, str] = {}
    if school_ids and codes:
        # The schools' applied estimates versions come in the same statement (rows with no
        # subject code), so knowing them costs no statement of its own.
        versions_sql, version_values = "", []
        if applied is None:
            versions_sql = f"""
            UNION ALL
            SELECT v.school_id, NULL, NULL, NULL, NULL, v.version
            FROM school_estimates_version v
            WHERE v.school_id IN ({sql.in_list(school_ids)}) AND v.key_stage = ?"""  # noqa: S608
            version_values = [*school_ids, ks.value]
        # Plain SQL: a large LA has 2,000 of these rows, and Tortoise's row handling
        # was a third of this function's time.
        for row in await sql.fetch(connections.get("default"), f"""
            SELECT s.school_id AS school_id, j.code AS code, s.benchmark AS benchmark,
                   s.grade_format AS grade_format, s.included AS included,
                   s.custom_level AS custom_level
            FROM subject_settings s JOIN subject j ON j.id = s.subject_id
            WHERE s.school_id IN ({sql.in_list(school_ids)}) AND s.key_stage = ?
              AND s.year_group = ? AND j.code IN ({sql.in_list(codes)}){versions_sql}
        """, [*school_ids, ks.value, year_group, *codes, *version_values]):  # noqa: S608
            if row["code"] is None:
                found[row["school_id"]] = row["custom_level"]
            else:
                saved[row["school_id"]][row["code"]] = row
        if applied is None:
            applied = await versions.with_defaults(school_ids, ks, found)
    history = await value_added_history(school_ids, key_stage, codes)
    if applied is None:
        applied = await versions.school_versions(school_ids, key_stage)
    return decide_choices_by_school(key_stage, codes, saved, history, school_ids, applied)


def custom_points(
    parameters, choices: Mapping[str, SubjectChoice], prior, female, month
) -> dict[str, NDArray[np.float64]]:
    """Each subject's custom challenge level estimate per pupil (subjects with one only)."""
    codes = tuple(c for c, choice in choices.items() if choice.custom is not None)
    if not codes:
        return {}
    table = parameters.table(codes)
    fixed = model.expected_points(table, prior, female, month)
    return {
        code: choices[code].custom.points(choices[code].scale, fixed[i], table.su[i, 0])
        for i, code in enumerate(codes)
    }


async def year_group_estimates(
    school_id: int,
    key_stage: KeyStage | str,
    year_group: int,
    subject_codes: list[str] | None = None,
    version: str | None = None,
) -> CohortEstimates:
    """The year group's current pupils' estimates in every subject at every benchmark,
    from the school's applied estimates version (or `version`, for an impact preview)."""
    ks = check_year_group(key_stage, year_group)
    rows = (
        await Pupil.filter(school_id=school_id, year_group=year_group, left_at__isnull=True)
        .order_by("id")
        .values_list("id", "prior_attainment", "gender", "date_of_birth", "standardised_score")
    )
    choices = await subject_choices(school_id, ks, year_group, subject_codes, version)
    codes = tuple(choices)
    if codes:
        version = next(iter(choices.values())).estimates_version
    elif version is None:
        version = (await versions.school_versions([school_id], ks))[school_id]
    ids = tuple(r[0] for r in rows)
    own = np.array([np.nan if r[1] is None else r[1] for r in rows], dtype=float)
    scores = np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=float)
    prior = baselines.effective_prior(own, scores, ks)
    female = np.array([_female(r[2]) for r in rows], dtype=float)
    month = model.month_of_school_year(np.array([r[3].month for r in rows], dtype=np.int64))
    parameters = versions.parameters_of(ks, version)
    formats = {c: choices[c].scale for c in codes}
    by_level = {}
    for level in LEVELS:
        by_level[level] = model.estimate(
            parameters,
            prior,
            female,
            month,
            levels=engine_level(level),
            subjects=codes,
            grade_formats=formats,
        )
    return CohortEstimates(
        custom=custom_points(parameters, choices, prior, female, month),
        school_id=school_id,
        key_stage=ks,
        year_group=year_group,
        model_version=parameters.version,
        pupil_ids=ids,
        has_prior=~np.isnan(prior),
        subjects=codes,
        choices=choices,
        by_level=by_level,
        sources=tuple(baselines.sources(own, scores, ks)),
    )
