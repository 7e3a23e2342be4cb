"""Targets against benchmarks per school and subject, computed by the database.

Every figure is one set-based statement over all the schools asked for, so the number of
statements never grows with the number of schools or pupils:

- the schools and their sharing settings for the year group (two statements),
- the subjects, and every school's subject settings and value-added history (three),
- live targets and estimates per school and subject (two, `year_group_figures`): stale
  cached estimate rows recomputed, then the cached rows read with the target summary and
  the on-track counts at each school's latest assessment point (services.tracking.shares),
- targets at or above a threshold (one per batch of thresholds, see `targets_at_or_above`).

Targets are never scanned: the database keeps summary rows current with triggers on target
and pupil (migration 0003, services.targets.summaries). Estimate averages are cached per
school, year group and subject and recomputed in SQL only when a pupil of the year group
or the model version changed.

"Live" targets: not deleted (deleted_at IS NULL), not kept as history of an earlier school
year (history_academic_year IS NULL), of pupils currently in the year group who have not
left. `pupils` counts the year group's current pupils with prior attainment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tortoise.expressions import Q

from server.models import (
    Organisation,
    Subject,
    YearGroupSettings,
)
from server.models.enums import BenchmarkLevel, Editing, KeyStage
from server.permissions.scope import SchoolSharing
from server.services.catalogue import ensure_subjects
from server.services.errors import UserInputError
from server.services.estimates import versions
from server.services.estimates.challenge import CustomLevel
from server.services.estimates.errors import GradeErrorCode
from server.services.estimates.parameters import load_parameters
from server.services.estimates.scales import Scale
from server.services.estimates.subjects import get_subject, subjects_for
from server.services.targets import summaries
from server.services.targets.cohort import check_year_group
from server.services.targets.errors import TargetSettingsErrorCode
from server.services.tracking import shares
from server.services.tracking.flight_paths import TrackCounts

# A target's points equal a grade threshold exactly; the margin only absorbs float noise.
_MARGIN = 1e-9


@dataclass(frozen=True)
class SchoolYearGroup:
    """A school and its sharing settings for one key stage and year group."""

    school: Organisation
    sharing: SchoolSharing
    use_target_setting: bool
    editing: Editing = Editing.YES


def year_group_of(key_stage: KeyStage | str, year_group: int) -> KeyStage:
    """The key stage, or a clear message when the year group is not one of its years."""
    try:
        return check_year_group(key_stage, year_group)
    except ValueError as error:
        raise UserInputError(str(error), field="yearGroup", code=TargetSettingsErrorCode.INVALID_YEAR_GROUP) from None


async def schools_with_sharing(
    schools: Q, key_stage: KeyStage, year_group: int, urns: Sequence[str] | None = None
) -> list[SchoolYearGroup]:
    """The schools matching `schools` (and `urns`), each with its sharing for the year group.

    No settings row means nothing is shared.
    """
    query = Organisation.filter(schools)
    if urns is not None:
        query = query.filter(urn__in=list(urns))
    rows = await query.order_by("name", "id")
    if not rows:
        return []
    settings = {
        s["school_id"]: s
        for s in await YearGroupSettings.filter(
            school_id__in=[r.id for r in rows], key_stage=key_stage, year_group=year_group
        ).values(
            "school_id", "use_target_setting", "editing", "pupil_level_with_la",
            "aggregate_with_la", "aggregate_with_chain",
        )
    }
    out = []
    for row in rows:
        s = settings.get(row.id, {})
        pupil_level = bool(s.get("pupil_level_with_la"))
        out.append(
            SchoolYearGroup(
                school=row,
                sharing=SchoolSharing(
                    school_id=row.id,
                    local_authority_id=row.local_authority_id,
                    academy_chain_id=row.academy_chain_id,
                    pupil_level_with_la=pupil_level,
                    # Pupil-level with the LA implies aggregates with the LA.
                    aggregate_with_la=pupil_level or bool(s.get("aggregate_with_la")),
                    aggregate_with_chain=bool(s.get("aggregate_with_chain")),
                ),
                use_target_setting=bool(s.get("use_target_setting")),
                editing=Editing(s.get("editing") or Editing.YES),
            )
        )
    return out


def known_subject_codes(key_stage: KeyStage) -> tuple[str, ...]:
    parameters = load_parameters(key_stage.value)
    return tuple(s.code for s in subjects_for(key_stage.value) if s.code in parameters.subjects)


def check_subject_codes(key_stage: KeyStage, codes: Sequence[str] | None) -> tuple[str, ...]:
    """The key stage's subject codes asked for, in catalogue order; unknown codes refused."""
    known = known_subject_codes(key_stage)
    if codes is None:
        return known
    unknown = sorted({c for c in codes if c not in known})
    if unknown:
        raise UserInputError(
            f"{', '.join(unknown)} {'is not a' if len(unknown) == 1 else 'are not'} "
            f"{key_stage.value} subject code{'' if len(unknown) == 1 else 's'}. "
            f"Codes: {', '.join(known)}",
            field="subjectCodes", code=TargetSettingsErrorCode.UNKNOWN_SUBJECT,
        )
    wanted = set(codes)
    return tuple(c for c in known if c in wanted)


async def subjects_by_code(key_stage: KeyStage, codes: Sequence[str]) -> dict[str, Subject]:
    """Subject rows of catalogue codes (the table is filled from the catalogue if needed)."""
    rows = {s.code: s for s in await Subject.filter(key_stage=key_stage, code__in=list(codes))}
    if len(rows) < len(set(codes)):
        every = await ensure_subjects()
        rows = {c: every[(key_stage, c)] for c in codes if (key_stage, c) in every}
    return rows


@dataclass(frozen=True)
class TargetFigures:
    targets_set: int
    average_target_points: float | None


@dataclass(frozen=True)
class EstimateFigures:
    pupils: int
    fallback_pupils: int  # of `pupils`, those estimated from a standardised score
    average_points: Mapping[BenchmarkLevel, float | None]
    # At the school's latest assessment point (`tracking_on`); None when not asked for.
    tracking: TrackCounts | None = None


async def year_group_figures(
    school_ids: Sequence[int], key_stage: KeyStage, year_group: int,
    subjects: Mapping[str, Subject],
    customs: Mapping[tuple[int, str], CustomLevel] | None = None,
    applied: Mapping[int, str] | None = None,
    tracking_on: tuple[Sequence[Organisation], date] | None = None,
) -> tuple[dict[tuple[int, int], TargetFigures], dict[tuple[int, int], EstimateFigures]]:
    """Per (school, subject): live targets (how many, their average points; absent when
    none) and pupils with prior attainment with their mean estimate at each benchmark,
    est_q = clamp(a + b1*pa + b2*pa^2 + g*female + d*month + z_q*su), and at the school's
    custom challenge level where `customs` (per school and subject code) has one (CUSTOM),
    from each school's applied estimates version (`applied`, else looked up).
    With `tracking_on` (the schools' rows and a day) also on track, above and below at each
    school's latest assessment point on that day (services.tracking.shares), in the same
    statement. Two statements (three without `applied`).
    """
    if not school_ids or not subjects:
        return {}, {}
    if applied is None and tracking_on is not None:
        applied = await versions.school_versions(school_ids, key_stage)
    await summaries.refresh_estimates(school_ids, key_stage, year_group, subjects, customs,
                                     applied)
    tracking = None
    if tracking_on is not None:
        tracked_schools, day = tracking_on
        tracking = shares.counts_sql(tracked_schools, key_stage, year_group, subjects, day,
                                     applied, summaries.is_postgres())
    rows = await summaries.figures(school_ids, key_stage, year_group,
                                   [s.id for s in subjects.values()], tracking)
    targets: dict[tuple[int, int], TargetFigures] = {}
    estimates: dict[tuple[int, int], EstimateFigures] = {}
    for r in rows:
        key = (r["school_id"], r["subject_id"])
        estimates[key] = EstimateFigures(
            pupils=int(r["pupils"]),
            fallback_pupils=int(r["fallback_pupils"] or 0),
            average_points={
                level: None if r[column] is None else float(r[column])
                for level, column in (*summaries.LEVEL_COLUMNS.items(),
                                      (BenchmarkLevel.CUSTOM, "custom"))
            },
            tracking=None if tracking is None else shares.counts_of(r),
        )
        if r["targets_set"]:
            n = int(r["targets_set"])
            targets[key] = TargetFigures(n, float(r["points_total"]) / n)
    return targets, estimates


def grade_threshold(key_stage: KeyStage, code: str, grade: str) -> float:
    """The points of a grade on the subject's scale (either of a KS4 subject's formats)."""
    subject = get_subject(key_stage.value, code)
    first_error: UserInputError | None = None
    # The subject's own formats first, then the key stage's other scales on the same points
    # (KS2: "EXS" reads as 100 on a scaled score, "100" as a score on writing's bands).
    others = {
        s.scale for s in subjects_for(key_stage.value)
        if (s.scale.low, s.scale.high) == (subject.scale.low, subject.scale.high)
    }
    scales = list(subject.grade_formats) + [s for s in others if s not in subject.grade_formats]
    for scale in scales:
        try:
            return scale.threshold(_grade_on(scale, grade))
        except UserInputError as error:
            first_error = first_error or error
    raise UserInputError(
        f"'{grade[:20]}' is not a grade in {subject.name}: "
        + (first_error.message if first_error else ""),
        field="grade", code=GradeErrorCode.INVALID_GRADE,
    )


def _grade_on(scale: Scale, grade: str) -> str:
    typed = (grade or "").strip().upper().replace(" ", "")
    if typed in scale.grades:  # U and other ungraded marks count too
        return typed
    return scale.parse_grade(grade, field="grade")


async def targets_at_or_above(
    year_group: int, keys: Sequence[tuple[int, int, float]]
) -> dict[tuple[int, int, float], int]:
    """Live targets with points >= threshold per (school, subject, threshold): one statement
    over the summary's counts per points value for every threshold asked for in the batch.
    """
    if not keys:
        return {}
    thresholds = sorted({k[2] for k in keys})
    rows = await summaries.targets_at_or_above(
        year_group, sorted({k[0] for k in keys}), sorted({k[1] for k in keys}),
        [t - _MARGIN for t in thresholds],
    )
    found = {
        (r["school_id"], r["subject_id"], t): int(r[f"n_{i}"] or 0)
        for r in rows
        for i, t in enumerate(thresholds)
    }
    return {key: found.get(key, 0) for key in keys}


def is_suppressed(pupils: int, targets_set: int, threshold: int) -> bool:
    """A small group's figures identify children: fewer than `threshold` pupils, or a
    handful of targets (1 to threshold - 1) whose average would describe those pupils.
    """
    return pupils < threshold or 0 < targets_set < threshold


async def sharing_by_school(
    schools: Q, offset: int, limit: int
) -> tuple[int, list[tuple[Organisation, list[tuple[tuple[KeyStage, int], SchoolSharing]]]]]:
    """How many schools, and a page of them, each with its sharing per key stage and year
    group that has settings saved (three statements). Year groups without settings share
    nothing.
    """
    total = await Organisation.filter(schools).count()
    rows = await Organisation.filter(schools).order_by("name", "id").offset(offset).limit(limit)
    if not rows:
        return total, []
    settings: dict[int, list] = defaultdict(list)
    for s in await YearGroupSettings.filter(school_id__in=[r.id for r in rows]).order_by(
        "key_stage", "year_group"
    ).values("school_id", "key_stage", "year_group", "pupil_level_with_la",
             "aggregate_with_la", "aggregate_with_chain"):
        settings[s["school_id"]].append(s)
    out = []
    for row in rows:
        entries = []
        for s in sorted(settings[row.id], key=lambda s: (KeyStage(s["key_stage"]).value,
                                                         s["year_group"])):
            pupil_level = bool(s["pupil_level_with_la"])
            entries.append((
                (KeyStage(s["key_stage"]), s["year_group"]),
                SchoolSharing(
                    school_id=row.id, local_authority_id=row.local_authority_id,
                    academy_chain_id=row.academy_chain_id, pupil_level_with_la=pupil_level,
                    aggregate_with_la=pupil_level or bool(s["aggregate_with_la"]),
                    aggregate_with_chain=bool(s["aggregate_with_chain"]),
                ),
            ))
        out.append((row, entries))
    return total, out
