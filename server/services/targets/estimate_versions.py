"""Applying a version of the national estimates to a school, its impact preview, roll back.

Loading a version (services.estimates.versions) changes no school. Before applying, the
impact preview shows, per year group and subject, how many pre-populated targets nobody has
changed would go up, down or stay, and the change in their average points: the targets as
they are now against what pre-population would give them under the new version (the same
rules: benchmark grade or +1 at the school's benchmark, in the subject's grade format, with
the intelligent benchmark worked out under the new version's figures).

Applying is one transaction: the school's version row is changed by a conditional UPDATE
naming the revision it read (of two applies at once only one changes it, the other is told
the version changed meanwhile), then every year group of the key stage is pre-populated
again as its settings say (run_prepopulation: only targets still as pre-populated, each
change recorded with the new model version), then an audit entry. Rolling back applies the
previous version the same way, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from tortoise import connections
from tortoise.transactions import in_transaction

from server.models import SchoolEstimatesVersion, Target, YearGroupSettings
from server.models.enums import YEAR_GROUPS, KeyStage, Prepopulate
from server.services.accounts.audit import Actor
from server.services.errors import UserInputError
from server.services.estimates import versions
from server.services.estimates.errors import EstimatesVersionErrorCode as Code
from server.services.targets import audit, sql
from server.services.targets.cohort import year_group_estimates
from server.services.targets.prepopulate import run_prepopulation, target_grades


@dataclass(frozen=True)
class SubjectImpact:
    year_group: int
    subject_code: str
    subject_name: str
    targets: int  # pre-populated targets nobody has changed, compared
    up: int
    down: int
    same: int
    average_change: float | None  # points; None without targets to compare


@dataclass(frozen=True)
class Impact:
    key_stage: KeyStage
    applied: versions.Version
    proposed: versions.Version
    subjects: tuple[SubjectImpact, ...]


@dataclass(frozen=True)
class SchoolVersion:
    key_stage: KeyStage
    applied: versions.Version
    previous: versions.Version | None
    applied_at: datetime | None


@dataclass(frozen=True)
class Applied:
    school_version: SchoolVersion
    prepopulated: int  # targets pre-populated again or brought up to date


async def _prepopulating_year_groups(school_id: int, ks: KeyStage) -> list[tuple[int, Prepopulate]]:
    rows = await YearGroupSettings.filter(
        school_id=school_id, key_stage=ks, use_target_setting=True
    ).exclude(prepopulate=Prepopulate.NO).order_by("year_group").values_list(
        "year_group", "prepopulate")
    return [(y, Prepopulate(p)) for y, p in rows if y in YEAR_GROUPS[ks]]


async def _untouched_targets(school_id: int, ks: KeyStage, year_groups: Sequence[int]
                             ) -> dict[tuple[int, str], tuple[np.ndarray, np.ndarray]]:
    """Live pre-populated targets still at their pre-populated grade, per (year group,
    subject code): their pupils' ids and their points, as arrays."""
    if not year_groups:
        return {}
    rows = await Target.filter(
        school_id=school_id, subject__key_stage=ks, pupil__year_group__in=list(year_groups),
        pupil__left_at__isnull=True, prepopulated=True, deleted_at__isnull=True,
        history_academic_year__isnull=True,
    ).values_list("pupil__year_group", "subject__code", "pupil_id", "points", "grade",
                  "prepopulated_grade")
    grouped: dict[tuple[int, str], tuple[list[int], list[float]]] = {}
    for year_group, code, pupil_id, points, grade, pre in rows:
        if grade == pre:
            ids, values = grouped.setdefault((year_group, code), ([], []))
            ids.append(pupil_id)
            values.append(float(points))
    return {key: (np.array(ids, dtype=np.int64), np.array(values, dtype=float))
            for key, (ids, values) in grouped.items()}


async def impact(school_id: int, key_stage: KeyStage | str, version: str) -> Impact:
    """What applying `version` would do to the school's pre-populated targets."""
    ks = KeyStage(getattr(key_stage, "value", key_stage))
    proposed = await versions.get(ks, version)
    applied = (await versions.school_versions([school_id], ks))[school_id]
    year_groups = await _prepopulating_year_groups(school_id, ks)
    existing = await _untouched_targets(school_id, ks, [y for y, _ in year_groups])
    out: list[SubjectImpact] = []
    for year_group, option in year_groups:
        cohort = await year_group_estimates(school_id, ks, year_group, version=version)
        pupil_ids = np.array(cohort.pupil_ids, dtype=np.int64)
        plus_one = option == Prepopulate.BENCHMARK_PLUS_ONE
        for code in cohort.subjects:
            choice = cohort.choices[code]
            if not choice.included:
                continue
            ids, before = existing.get((year_group, code), (np.zeros(0, np.int64), np.zeros(0)))
            grades = target_grades(choice.scale, cohort.grades(code), plus_one)
            points_of = {g: choice.scale.points_of(g) for g in set(grades.tolist()) - {None}}
            planned = np.array([np.nan if g is None else points_of[g] for g in grades.tolist()])
            # Pupil ids are in ascending order (year_group_estimates): each target's column.
            columns = np.minimum(np.searchsorted(pupil_ids, ids), max(len(pupil_ids) - 1, 0))
            known = (pupil_ids[columns] == ids) if len(pupil_ids) else np.zeros(len(ids), bool)
            after = before.copy()
            moved = planned[columns[known]]
            # No estimate under the new version: pre-population leaves the target as it is.
            after[known] = np.where(np.isnan(moved), before[known], moved)
            out.append(SubjectImpact(
                year_group=year_group, subject_code=code, subject_name=choice.name,
                targets=len(before), up=int((after > before).sum()),
                down=int((after < before).sum()), same=int((after == before).sum()),
                average_change=float(after.mean() - before.mean()) if len(before) else None,
            ))
    return Impact(ks, versions.describe(ks, applied), proposed, tuple(out))


async def school_version(school_id: int, key_stage: KeyStage | str) -> SchoolVersion:
    """The school's applied version of the key stage and the one a roll back would restore."""
    ks = KeyStage(getattr(key_stage, "value", key_stage))
    row = await SchoolEstimatesVersion.get_or_none(school_id=school_id, key_stage=ks)
    if row is None:
        return SchoolVersion(ks, versions.shipped(ks), None, None)
    applied = await versions.get(ks, row.version)
    previous = await versions.get(ks, row.previous_version) if row.previous_version else None
    return SchoolVersion(ks, applied, previous, row.applied_at)


async def _row(school_id: int, ks: KeyStage, connection=None) -> dict | None:
    rows = await sql.fetch(
        connection or connections.get("default"),
        "SELECT version, previous_version, revision FROM school_estimates_version "
        "WHERE school_id = ? AND key_stage = ?", [school_id, ks.value])
    return rows[0] if rows else None


async def _change(school_id: int, ks: KeyStage, actor: Actor, wanted: str | None,
                  rolling_back: bool) -> Applied:
    """Set the school's version (`wanted`; None: roll back) and pre-populate again."""
    now = datetime.now(UTC)
    account_id = actor.account.id if actor.account else None
    async with in_transaction() as connection:
        await sql.execute(
            connection,
            "INSERT INTO school_estimates_version (school_id, key_stage, version, revision) "
            "VALUES (?, ?, ?, 0) ON CONFLICT (school_id, key_stage) DO NOTHING",
            [school_id, ks.value, versions.shipped_version(ks)])
        row = await _row(school_id, ks, connection)
        current = row["version"]
        if rolling_back:
            if not row["previous_version"]:
                raise UserInputError(
                    f"There is no earlier {ks.value} national estimates version to roll back to.",
                    field="version", code=Code.NOTHING_TO_ROLL_BACK)
            wanted, previous = row["previous_version"], None
        else:
            if wanted == current:
                raise UserInputError(
                    f"Version {wanted} is already the school's {ks.value} national estimates.",
                    field="version", code=Code.ALREADY_APPLIED)
            previous = current
        target = await versions.get(ks, wanted, connection)
        changed = await sql.fetch(
            connection,
            "UPDATE school_estimates_version SET version = ?, previous_version = ?, "
            "revision = revision + 1, applied_at = ?, applied_by_id = ? "
            "WHERE school_id = ? AND key_stage = ? AND revision = ? RETURNING id",
            [wanted, previous, now, account_id, school_id, ks.value, row["revision"]])
        if not changed:
            raise UserInputError(
                "The national estimates version was changed by someone else just now: look "
                "again before applying.", field="version", code=Code.CHANGED_MEANWHILE)
        written = 0
        for year_group in YEAR_GROUPS[ks]:
            written += (await run_prepopulation(connection, school_id, ks, year_group,
                                                actor)).written
        await audit.record(
            actor, "estimates.rolled_back" if rolling_back else "estimates.applied", school_id,
            "key_stage", ks.value, before={"version": current}, after={"version": wanted},
            detail={"prepopulated": written, "label": target.label}, connection=connection,
        )
    previous_version = await versions.get(ks, previous) if previous else None
    return Applied(SchoolVersion(ks, target, previous_version, now), written)


async def apply_version(school_id: int, key_stage: KeyStage | str, version: str,
                        actor: Actor) -> Applied:
    """Make `version` the school's national estimates for the key stage (see the module)."""
    ks = KeyStage(getattr(key_stage, "value", key_stage))
    await versions.get(ks, version)  # refused before anything is written
    return await _change(school_id, ks, actor, version, rolling_back=False)


async def roll_back(school_id: int, key_stage: KeyStage | str, actor: Actor) -> Applied:
    """Go back to the version the school had before the last apply (once)."""
    ks = KeyStage(getattr(key_stage, "value", key_stage))
    return await _change(school_id, ks, actor, None, rolling_back=True)
