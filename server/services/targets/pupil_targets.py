"""Pupils' targets on the main site: the rows of a year group, and setting a target.

Estimates come from `cohort.year_group_estimates` (the estimates engine); chances and
likelihoods from the engine's model functions. Setting a target keeps the year group's
rules: target setting on, the editing rule (No / Yes / Yes upwards only, never below the
pre-populated target) and the subject's grade format; every change is kept as history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from tortoise.timezone import now
from tortoise.transactions import in_transaction

from server.models import Pupil, Subject, Target, TargetChange, YearGroupSettings
from server.models.enums import YEAR_GROUPS, BenchmarkLevel, Editing, KeyStage, TargetChangeKind
from server.services.accounts.audit import Actor
from server.services.errors import UserInputError
from server.services.estimates import model
from server.services.estimates.challenge import CustomLevel
from server.services.estimates.scales import Scale
from server.services.targets import audit
from server.services.targets.aggregates import subjects_by_code
from server.services.targets.cohort import (
    CohortEstimates,
    SubjectChoice,
    subject_choices,
    year_group_estimates,
)
from server.services.targets.errors import SetTargetErrorCode
from server.services.transactions import run_again_if_rolled_back

REASON_MAX = 500


@dataclass(frozen=True)
class EstimateValue:
    benchmark: BenchmarkLevel
    fine_points: float
    fine_grade: str
    grade: str
    custom: CustomLevel | None = None  # with benchmark CUSTOM: the school's level


@dataclass(frozen=True)
class PupilTargetRow:
    """One pupil in one subject, with what the page and the API show about them."""

    pupil: Pupil
    subject: Subject
    target: Target | None
    choice: SubjectChoice
    cohort: CohortEstimates
    column: int
    u_school: float

    @property
    def scale(self) -> Scale:
        return self.choice.scale

    def points(self, level: BenchmarkLevel | None = None) -> float | None:
        if self.column < 0:  # joined the year group after the estimates were read
            return None
        value = float(self.cohort.points(self.subject.code, level)[self.column])
        return None if np.isnan(value) else value

    def estimate(self, level: BenchmarkLevel | None = None) -> EstimateValue | None:
        """At `level`, or at the school's chosen benchmark; None without prior attainment."""
        chosen = BenchmarkLevel(level or self.choice.benchmark)
        points = self.points(chosen)
        if points is None:
            return None
        return EstimateValue(
            benchmark=chosen,
            fine_points=points,
            fine_grade=self.scale.format_fine_grade(points),
            grade=self.scale.grade_of(points),
            custom=self.choice.custom if chosen == BenchmarkLevel.CUSTOM else None,
        )

    def chances(self, level: BenchmarkLevel | None = None) -> list[tuple[str, float]]:
        """P(grade) for each grade of the subject's scale, lowest first."""
        points = self.points(level)
        if points is None:
            return []
        se = self.cohort.se(self.subject.code)
        values = model.grade_chances(self.scale, np.asarray([points]), se)[0]
        return list(zip(self.scale.grades, (float(v) for v in values), strict=True))

    def target_threshold(self) -> float | None:
        if self.target is None:
            return None
        return float(self.target.points)

    def likelihood(self, level: BenchmarkLevel | None = None) -> float | None:
        """P(reaching the target) nationally, at the benchmark."""
        points, threshold = self.points(level), self.target_threshold()
        if points is None or threshold is None:
            return None
        se = self.cohort.se(self.subject.code)
        return float(model.likelihood(points, se, threshold))

    def likelihood_at_school_rate(self) -> float | None:
        """P(reaching the target) at this school's own past rate: est_50 + u_school."""
        average, threshold = self.points(BenchmarkLevel.AVERAGE), self.target_threshold()
        if average is None or threshold is None:
            return None
        est = model.school_rate_points(self.scale, average, self.u_school)
        se = self.cohort.se(self.subject.code)
        return float(model.likelihood(est, se, threshold))


@dataclass(frozen=True)
class PupilTargetPage:
    total: int
    rows: list[PupilTargetRow]


def key_stage_of_year(year_group: int) -> KeyStage | None:
    for ks, years in YEAR_GROUPS.items():
        if year_group in years:
            return ks
    return None


def live(target: Target | None) -> Target | None:
    if target is None or target.deleted_at is not None or target.history_academic_year is not None:
        return None
    return target


async def _rows(
    key_stage: KeyStage, cohort: CohortEstimates, shown: Sequence[str], pupils: Sequence[Pupil],
) -> list[PupilTargetRow]:
    """Each pupil in each shown subject (two statements, whatever the number of pupils)."""
    columns = {pupil_id: i for i, pupil_id in enumerate(cohort.pupil_ids)}
    subjects = await subjects_by_code(key_stage, shown)
    targets = {
        (t.pupil_id, t.subject_id): t
        for t in await Target.filter(
            pupil_id__in=[p.id for p in pupils], subject_id__in=[s.id for s in subjects.values()],
            deleted_at__isnull=True, history_academic_year__isnull=True,
        )
    } if pupils else {}
    rows = []
    for pupil in pupils:
        column = columns.get(pupil.id)
        for code in shown:
            subject = subjects[code]
            rows.append(
                PupilTargetRow(
                    pupil=pupil, subject=subject, target=targets.get((pupil.id, subject.id)),
                    choice=cohort.choices[code], cohort=cohort,
                    column=-1 if column is None else column,
                    u_school=cohort.choices[code].school_rate,
                )
            )
    return rows


async def _cohort(
    school_id: int, key_stage: KeyStage, year_group: int, codes: Sequence[str] | None
) -> tuple[CohortEstimates, list[str]]:
    wanted = list(codes) if codes is not None else None
    cohort = await year_group_estimates(school_id, key_stage, year_group, wanted)
    return cohort, [c for c in cohort.subjects if cohort.choices[c].included]


def _pupils(school_id: int, year_group: int):
    return Pupil.filter(
        school_id=school_id, year_group=year_group, left_at__isnull=True
    ).order_by("surname", "forename", "upn", "id")


async def pupil_target_page(
    school_id: int, key_stage: KeyStage, year_group: int, codes: Sequence[str] | None,
    offset: int, limit: int, upn: str | None = None,
) -> PupilTargetPage:
    """Rows of (pupil, subject), pupils by surname, forename and UPN, subjects in catalogue
    order; only subjects the school includes. A constant number of statements.
    """
    cohort, shown = await _cohort(school_id, key_stage, year_group, codes)
    if not shown:
        return PupilTargetPage(0, [])
    per_pupil = len(shown)
    if upn is not None:
        pupils = await _pupils(school_id, year_group).filter(upn=upn.strip().upper()).limit(1)
        rows = await _rows(key_stage, cohort, shown, pupils)
        return PupilTargetPage(len(rows), rows[offset : offset + limit])
    total = per_pupil * len(cohort.pupil_ids)
    if limit == 0 or offset >= total:
        return PupilTargetPage(total, [])
    first_pupil = offset // per_pupil
    last_pupil = (offset + limit - 1) // per_pupil
    pupils = await _pupils(school_id, year_group).offset(first_pupil).limit(
        last_pupil - first_pupil + 1
    )
    rows = await _rows(key_stage, cohort, shown, pupils)
    skip = offset - first_pupil * per_pupil
    return PupilTargetPage(total, rows[skip : skip + limit])


async def pupils_page(
    school_id: int, key_stage: KeyStage, year_group: int, offset: int, limit: int
) -> tuple[int, list[list[PupilTargetRow]]]:
    """Pupils (not rows) offset..offset+limit, each with their rows in the included subjects."""
    cohort, shown = await _cohort(school_id, key_stage, year_group, None)
    total = len(cohort.pupil_ids)
    if not shown or limit == 0 or offset >= total:
        return total, []
    pupils = await _pupils(school_id, year_group).offset(offset).limit(limit)
    rows = await _rows(key_stage, cohort, shown, pupils)
    n = len(shown)
    return total, [rows[i : i + n] for i in range(0, len(rows), n)]


# -- setting a target ---------------------------------------------------------------------


@dataclass(frozen=True)
class TargetSet:
    pupil: Pupil
    subject: Subject
    key_stage: KeyStage
    year_group: int
    target: Target
    changed: bool


async def find_pupil(school_id: int, pupil_id: int | None, upn: str | None) -> Pupil:
    if pupil_id is None and not (upn or "").strip():
        raise UserInputError("Choose a pupil", field="upn", code=SetTargetErrorCode.REQUIRED)
    query = Pupil.filter(school_id=school_id, left_at__isnull=True)
    if pupil_id is not None:
        found = await query.filter(id=pupil_id).first()
        field = "pupilId"
    else:
        found = await query.filter(upn=(upn or "").strip().upper()).first()
        field = "upn"
    if found is None:
        raise UserInputError("There is no such pupil in your school", field=field,
                             code=SetTargetErrorCode.UNKNOWN_PUPIL)
    return found


def check_upwards(editing: Editing, target: Target | None, points: float, scale: Scale) -> None:
    """Yes upwards only: never below the pre-populated target."""
    if editing != Editing.UPWARDS or target is None or target.prepopulated_points is None:
        return
    if points < target.prepopulated_points - 1e-9:
        floor = scale.grade_of(target.prepopulated_points)
        raise UserInputError(
            f"Targets in this year group can only be raised: enter {floor} or higher",
            field="grade", code=SetTargetErrorCode.BELOW_PREPOPULATED,
        )


def clean_reason(reason: str | None) -> str | None:
    text = (reason or "").strip()
    if len(text) > REASON_MAX:
        raise UserInputError(f"Reason must be {REASON_MAX} characters or fewer", field="reason",
                             code=SetTargetErrorCode.TOO_LONG)
    return text or None


@run_again_if_rolled_back
async def set_target(
    school_id: int, account_id: int, pupil_id: int | None, upn: str | None,
    subject_code: str, grade: str | None, reason: str | None = None,
) -> TargetSet:
    """Set or change one pupil's target in one subject; raises UserInputError."""
    pupil = await find_pupil(school_id, pupil_id, upn)
    key_stage = key_stage_of_year(pupil.year_group)
    if key_stage is None:
        raise UserInputError(f"Year {pupil.year_group} has no targets", field="upn",
                             code=SetTargetErrorCode.NO_TARGETS)
    code = (subject_code or "").strip()
    subject = (await subjects_by_code(key_stage, [code])).get(code) if code else None
    if subject is None:
        raise UserInputError(f"Choose a {key_stage.value} subject", field="subjectCode",
                             code=SetTargetErrorCode.UNKNOWN_SUBJECT)
    settings = await YearGroupSettings.filter(
        school_id=school_id, key_stage=key_stage, year_group=pupil.year_group
    ).first()
    if settings is None or not settings.use_target_setting:
        raise UserInputError(
            f"Target setting is not in use for Year {pupil.year_group}: an administrator "
            "turns it on in Target Setting, Targets", field="grade", code=SetTargetErrorCode.TARGET_SETTING_OFF,
        )
    if settings.editing == Editing.NO:
        raise UserInputError(
            f"Targets cannot be changed in Year {pupil.year_group}: an administrator can "
            "allow editing in Target Setting, Targets", field="grade", code=SetTargetErrorCode.EDITING_OFF,
        )
    choice = (await subject_choices(school_id, key_stage, pupil.year_group, [subject.code]))[
        subject.code
    ]
    if not choice.included:
        raise UserInputError(f"{subject.name} is not one of this year group's subjects",
                             field="subjectCode", code=SetTargetErrorCode.SUBJECT_NOT_INCLUDED)
    chosen = choice.scale.parse_grade(grade, field="grade")
    points = choice.scale.points_of(chosen)
    why = clean_reason(reason)
    at = now()
    async with in_transaction() as connection:
        query = Target.filter(pupil_id=pupil.id, subject_id=subject.id).using_db(connection)
        if connection.capabilities.dialect == "postgres":
            query = query.select_for_update()
        existing = await query.first()
        current = live(existing)
        check_upwards(settings.editing, current, points, choice.scale)
        if current is not None and current.grade == chosen:
            return TargetSet(pupil, subject, key_stage, pupil.year_group, current, False)
        old_grade = current.grade if current is not None else None
        if existing is None:
            target = await Target.create(
                school_id=school_id, pupil_id=pupil.id, subject_id=subject.id,
                key_stage=key_stage, year_group=pupil.year_group, grade=chosen, points=points,
                set_by_id=account_id, updated_at=at, using_db=connection,
            )
        else:
            target = existing
            target.grade, target.points = chosen, points
            target.set_by_id, target.updated_at = account_id, at
            target.year_group = pupil.year_group
            target.deleted_at = target.deletion_id = target.history_academic_year = None
            # Pre-populated means "still holds the pre-populated value" (pre-population
            # refreshes only such targets, and never overwrites a person's choice).
            target.prepopulated = bool(
                target.prepopulated_grade is not None and chosen == target.prepopulated_grade
            )
            await target.save(using_db=connection, update_fields=[
                "grade", "points", "set_by_id", "updated_at", "year_group", "deleted_at",
                "deletion_id", "history_academic_year", "prepopulated",
            ])
        await TargetChange.create(
            target_id=target.id,
            kind=TargetChangeKind.CHANGED if current is not None else TargetChangeKind.SET,
            old_grade=old_grade,
            new_grade=chosen, reason=why, changed_by_id=account_id, changed_at=at,
            using_db=connection,
        )
    return TargetSet(pupil, subject, key_stage, pupil.year_group, target, True)


async def record_outside_read(
    actor: Actor, school_id: int, key_stage: KeyStage, year_group: int,
    pupil_ids: Sequence[int], action: str = "targets.pupil_read",
    subject_codes: Sequence[str] | None = None,
) -> None:
    """An outside organisation read pupil-level targets: who, through what, which pupils
    (their ids, never their data) and which subjects (none named: every subject).
    """
    detail: dict = {"pupil_ids": sorted(set(pupil_ids))}
    if subject_codes:
        detail["subjects"] = sorted(set(subject_codes))
    await audit.record(
        actor, action, school_id, "year_group",
        audit.year_group_key(key_stage.value, year_group), detail=detail,
    )
