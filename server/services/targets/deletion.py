"""Delete targets: soft deletion for a year group or one subject, restorable for 30 days.

- Counts ("N targets set (M prepopulated)") come from one GROUP BY over live targets:
  not deleted and not kept as history of an earlier school year.
- Deleting marks the live targets deleted (deleted_at, deletion_id) under one
  TargetDeletion row (purge_after = now + 30 days) and records a "deleted" TargetChange
  per target, all in one transaction with set-based statements.
- Restoring brings back only targets still deleted by that deletion: a target set again
  since (which clears its deletion) is left as it is now.
- `purge_expired` removes targets whose deletion is past its 30 days and not restored.
Every delete, restore and purge is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise import connections
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from server.models import Subject, Target, TargetDeletion
from server.models.enums import KeyStage
from server.services.accounts.audit import Actor
from server.services.errors import UserInputError
from server.services.targets import audit, sql
from server.services.targets.errors import TargetSettingsErrorCode
from server.services.targets.settings import require_school, year_group_of
from server.services.transactions import run_again_if_rolled_back

RESTORE_DAYS = 30


_DELETE_ALL_SUBJECTS = (
    "UPDATE target SET deleted_at = ?, deletion_id = ? "
    "WHERE school_id = ? AND key_stage = ? AND year_group = ? "
    "AND deleted_at IS NULL AND history_academic_year IS NULL RETURNING id"
)
_DELETE_ONE_SUBJECT = _DELETE_ALL_SUBJECTS.replace(" RETURNING id", " AND subject_id = ? RETURNING id")


class DeletionNotFound(LookupError):
    """No such deletion for this school."""


@dataclass(frozen=True)
class SubjectCount:
    code: str
    name: str
    targets: int
    prepopulated: int


@dataclass(frozen=True)
class TargetCounts:
    key_stage: KeyStage
    year_group: int
    targets: int
    prepopulated: int
    subjects: list[SubjectCount]  # every subject of the key stage, zero counts included


async def _grouped(connection, school_id: int, ks: KeyStage, year_group: int) -> dict[int, tuple]:
    rows = await sql.fetch(
        connection,
        "SELECT subject_id, COUNT(*) AS targets, "
        "SUM(CASE WHEN prepopulated THEN 1 ELSE 0 END) AS prepopulated "
        "FROM target WHERE school_id = ? AND key_stage = ? AND year_group = ? "
        "AND deleted_at IS NULL AND history_academic_year IS NULL "
        "GROUP BY subject_id",
        [school_id, ks.value, year_group],
    )
    return {r["subject_id"]: (int(r["targets"]), int(r["prepopulated"] or 0)) for r in rows}


async def target_counts(school_id: int, key_stage: KeyStage | str, year_group: int) -> TargetCounts:
    ks = year_group_of(key_stage, year_group)
    subjects = await Subject.filter(key_stage=ks).order_by("sort_order", "name")
    grouped = await _grouped(connections.get("default"), school_id, ks, year_group)
    counts = [SubjectCount(s.code, s.name, *grouped.get(s.id, (0, 0))) for s in subjects]
    return TargetCounts(
        ks,
        year_group,
        targets=sum(c.targets for c in counts),
        prepopulated=sum(c.prepopulated for c in counts),
        subjects=counts,
    )


async def has_live_targets(school_id: int) -> bool:
    return await Target.filter(
        school_id=school_id, deleted_at__isnull=True, history_academic_year__isnull=True
    ).exists()


def _restorable(school_id: int, now: datetime):
    return TargetDeletion.filter(school_id=school_id, restored_at__isnull=True, purge_after__gt=now)


async def has_restorable_deletions(school_id: int, now: datetime | None = None) -> bool:
    return await _restorable(school_id, now or datetime.now(UTC)).exists()


@dataclass(frozen=True)
class Deletion:
    id: int
    key_stage: KeyStage
    year_group: int
    subject_code: str | None
    subject_name: str | None
    targets_deleted: int
    restorable: int  # still deleted under it (not set again since)
    deleted_by: str | None
    deleted_at: datetime
    purge_after: datetime
    restored_at: datetime | None


def _deletion(row: TargetDeletion, restorable: int) -> Deletion:
    who = row.deleted_by
    return Deletion(
        id=row.id,
        key_stage=KeyStage(row.key_stage),
        year_group=row.year_group,
        subject_code=row.subject.code if row.subject else None,
        subject_name=row.subject.name if row.subject else None,
        targets_deleted=row.targets_deleted,
        restorable=restorable,
        deleted_by=f"{who.forename} {who.surname}" if who else None,
        deleted_at=row.deleted_at,
        purge_after=row.purge_after,
        restored_at=row.restored_at,
    )


async def restorable_deletions(school_id: int) -> list[Deletion]:
    """Deletions that can still be restored, newest first, with what each would bring back."""
    rows = await (
        _restorable(school_id, datetime.now(UTC)).select_related("subject", "deleted_by").order_by("-deleted_at", "-id")
    )
    if not rows:
        return []
    counts = dict(
        await Target.filter(deletion_id__in=[r.id for r in rows], deleted_at__isnull=False)
        .group_by("deletion_id")
        .annotate(n=Count("id"))
        .values_list("deletion_id", "n")
    )
    return [_deletion(r, counts.get(r.id, 0)) for r in rows]


@run_again_if_rolled_back
async def delete_targets(
    school_id: int,
    key_stage: KeyStage | str,
    year_group: int,
    subject_code: str | None,
    actor: Actor,
) -> Deletion:
    """Soft-delete the live targets of a year group (or one subject of it)."""
    ks = year_group_of(key_stage, year_group)
    await require_school(school_id)
    subject = None
    if subject_code:
        subject = await Subject.get_or_none(key_stage=ks, code=subject_code)
        if subject is None:
            raise UserInputError(f"Choose a {ks.value} subject", field="subject",
                code=TargetSettingsErrorCode.UNKNOWN_SUBJECT)
    now = datetime.now(UTC)
    actor_id = actor.account.id if actor.account else None
    async with in_transaction() as connection:
        grouped = await _grouped(connection, school_id, ks, year_group)
        if subject is not None:
            grouped = {k: v for k, v in grouped.items() if k == subject.id}
        before = {"targets": sum(v[0] for v in grouped.values()), "prepopulated": sum(v[1] for v in grouped.values())}
        deletion = await TargetDeletion.create(
            school_id=school_id,
            key_stage=ks,
            year_group=year_group,
            subject=subject,
            targets_deleted=0,
            deleted_by_id=actor_id,
            deleted_at=now,
            purge_after=now + timedelta(days=RESTORE_DAYS),
            using_db=connection,
        )
        # RETURNING, not the driver's change count: on SQLite that counts trigger writes too.
        deleted = len(
            await sql.fetch(
                connection,
                _DELETE_ONE_SUBJECT if subject is not None else _DELETE_ALL_SUBJECTS,
                [now, deletion.id, school_id, ks.value, year_group]
                + ([subject.id] if subject is not None else []),
            )
        )
        if not deleted:
            where_words = f"{subject.name} in " if subject else ""
            raise UserInputError(
                f"There are no targets to delete for {where_words}{ks.value} Year {year_group}",
                field="subject" if subject else "scope",
                code=TargetSettingsErrorCode.NO_TARGETS,
            )
        await sql.execute(
            connection,
            "INSERT INTO target_change (target_id, kind, old_grade, new_grade, reason, "
            "benchmark, model_version, changed_by_id, changed_at) "
            "SELECT id, 'deleted', grade, NULL, 'Delete targets', benchmark, model_version, ?, ? "
            "FROM target WHERE deletion_id = ? AND deleted_at IS NOT NULL",
            [actor_id, now, deletion.id],
        )
        deletion.targets_deleted = deleted
        await deletion.save(update_fields=["targets_deleted"], using_db=connection)
        await audit.record(
            actor,
            "targets.deleted",
            school_id,
            "target_deletion",
            str(deletion.id),
            before={**before, "subject": subject_code},
            after={"targets": before["targets"] - deleted, "deleted": deleted},
            detail={"keyStage": ks.value, "yearGroup": year_group, "purgeAfter": deletion.purge_after.isoformat()},
            connection=connection,
        )
    await deletion.fetch_related("subject", "deleted_by")
    return _deletion(deletion, deleted)


async def restore_deletion(school_id: int, deletion_id: int, actor: Actor) -> tuple[Deletion, int]:
    """Bring back the targets still deleted by one deletion; how many came back."""
    now = datetime.now(UTC)
    actor_id = actor.account.id if actor.account else None
    async with in_transaction() as connection:
        deletion = await (
            TargetDeletion.filter(id=deletion_id, school_id=school_id).select_for_update().using_db(connection).first()
        )
        if deletion is None:
            raise DeletionNotFound(deletion_id)
        if deletion.restored_at is not None:
            raise UserInputError("These targets have already been restored", field="id",
                code=TargetSettingsErrorCode.ALREADY_RESTORED)
        if deletion.purge_after <= now:
            raise UserInputError(
                f"Deleted targets can only be restored for {RESTORE_DAYS} days",
                field="id",
                code=TargetSettingsErrorCode.RESTORE_EXPIRED,
            )
        await sql.execute(
            connection,
            "INSERT INTO target_change (target_id, kind, old_grade, new_grade, reason, "
            "benchmark, model_version, changed_by_id, changed_at) "
            "SELECT id, 'restored', NULL, grade, 'Restored deleted targets', benchmark, "
            "model_version, ?, ? FROM target "
            "WHERE deletion_id = ? AND deleted_at IS NOT NULL AND school_id = ?",
            [actor_id, now, deletion.id, school_id],
        )
        restored = len(
            await sql.fetch(
                connection,
                "UPDATE target SET deleted_at = NULL, deletion_id = NULL "
                "WHERE deletion_id = ? AND deleted_at IS NOT NULL AND school_id = ? RETURNING id",
                [deletion.id, school_id],
            )
        )
        deletion.restored_at = now
        await deletion.save(update_fields=["restored_at"], using_db=connection)
        await audit.record(
            actor,
            "targets.restored",
            school_id,
            "target_deletion",
            str(deletion.id),
            before={"deleted": deletion.targets_deleted},
            after={"restored": restored, "setAgainSinceDeletion": deletion.targets_deleted - restored},
            connection=connection,
        )
    await deletion.fetch_related("subject", "deleted_by")
    return _deletion(deletion, 0), restored


async def purge_expired(now: datetime | None = None) -> int:
    """Remove targets deleted more than 30 days ago and never restored; how many."""
    now = now or datetime.now(UTC)
    total = 0
    expired = await TargetDeletion.filter(restored_at__isnull=True, purge_after__lte=now)
    for deletion in expired:
        async with in_transaction() as connection:
            # RETURNING, not the driver's change count: SQLite counts cascaded history rows.
            removed = len(
                await sql.fetch(
                    connection,
                    "DELETE FROM target WHERE deletion_id = ? AND deleted_at IS NOT NULL RETURNING id",
                    [deletion.id],
                )
            )
            if removed:
                await audit.record(
                    Actor.system(),
                    "targets.purged",
                    deletion.school_id,
                    "target_deletion",
                    str(deletion.id),
                    before={"deleted": removed},
                    after={"deleted": 0},
                    connection=connection,
                )
        total += removed
    return total
