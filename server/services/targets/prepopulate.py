"""Pre-populating targets from benchmark grades (DOMAIN.md "Target setting settings").

When a year group's settings say "use target setting" and "pre-populate", every current
pupil with prior attainment gets a target in every included subject: their benchmark grade
(at the school's benchmark for the subject, in the subject's grade format), or that grade
+1 on the same scale, capped at the top grade. A benchmark grade of U becomes the lowest
grade a target may be set at, since no target is ever U.

What happens to targets that already exist (the rule this module keeps):

- no target yet for the pupil and subject: one is inserted (prepopulated=True, with the
  pre-populated grade and points, benchmark and model version) and a TargetChange of kind
  "prepopulated" records it;
- a pre-populated target nobody has changed (its grade still equals its pre-populated
  grade) follows the benchmark: when the grade, benchmark or model version it would get now
  differs, it is updated, and a "prepopulated" TargetChange records old and new grade;
- a target a person set or changed is never overwritten;
- a deleted target (Delete targets) is pre-populated again: the year group's settings ask
  for every pupil to have a target, so the next save or pupil import fills the gap again.
  The page says so before deleting. Its earlier value stays in its change history, and
  a restore of that deletion leaves it as it is now;
- a target kept as history of an earlier school year is left alone.

Everything runs in one transaction that first locks the year group's settings row (on
PostgreSQL, SELECT ... FOR UPDATE; SQLite runs one write transaction at a time) and inserts
with INSERT ... ON CONFLICT (pupil_id, subject_id) DO NOTHING, so two saves at the same
moment never make a duplicate, and running it again changes nothing.

- PostgreSQL: two statements whatever the number of pupils, each taking its rows as one
  array per column (`unnest`): the new targets with their change rows (INSERT ... RETURNING
  in a CTE feeding the INSERT into target_change), then the refreshed targets with theirs
  (UPDATE ... RETURNING feeding the same); when there are both, the targets to refresh are
  locked first (SELECT ... FOR UPDATE), in the order a teacher's change takes its locks.
  The summary triggers run once per statement over all the rows, and no row comes back to
  Python.
- SQLite: the new targets in one INSERT ... SELECT FROM json_each(one JSON array of the
  rows) ... RETURNING id (binding 14 values per row cost more than writing them), their
  change rows copied from those targets by one INSERT ... SELECT; refreshed targets with one
  UPDATE ... FROM (VALUES ...) per 2,000 rows and their change rows in multi-row INSERTs.

Change rows are numbered as the targets are: the new targets' in target id order, then the
refreshed targets' in plan order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from tortoise.transactions import in_transaction

from server.faultpoints import pause_point
from server.models import Account, Target, YearGroupSettings
from server.models.enums import AccessVia, BenchmarkLevel, KeyStage, Prepopulate, TargetChangeKind
from server.services.accounts.audit import Actor
from server.services.catalogue import ensure_subjects
from server.services.estimates.scales import Scale
from server.services.targets import audit, sql
from server.services.targets.cohort import CohortEstimates, check_year_group, year_group_estimates
from server.services.transactions import run_again_if_rolled_back

REASON_BENCHMARK = "Pre-populated target follows the benchmark"
REASON_AGAIN = "Pre-populated again after the target was deleted"


@dataclass(frozen=True)
class Planned:
    pupil_id: int
    subject_id: int
    grade: str
    points: float
    benchmark: BenchmarkLevel
    custom_level: str | None = None  # the custom challenge level's code with CUSTOM


@dataclass(frozen=True)
class Existing:
    id: int
    grade: str
    prepopulated: bool
    prepopulated_grade: str | None
    benchmark: str | None
    model_version: str | None
    deleted: bool
    history: bool
    custom_level: str | None = None


@dataclass(frozen=True)
class Plan:
    new: list[Planned]
    refresh: list[tuple[Existing, Planned]]


@dataclass(frozen=True)
class PrepopulateResult:
    created: int = 0
    refreshed: int = 0

    @property
    def written(self) -> int:
        return self.created + self.refreshed


def target_grades(scale: Scale, benchmark_grades: np.ndarray, plus_one: bool) -> np.ndarray:
    """Each pupil's pre-populated target: the benchmark grade or +1 (None: no estimate)."""
    lowest = scale.target_grades[0]
    chosen: dict[object, str | None] = {None: None}
    for grade in set(benchmark_grades.tolist()) - {None}:
        target = scale.plus_one(grade) if plus_one else grade
        chosen[grade] = lowest if target not in scale.target_grades else target
    return np.array([chosen[g] for g in benchmark_grades.tolist()], dtype=object)


def plan_targets(
    cohort: CohortEstimates,
    option: Prepopulate,
    subject_ids: Mapping[str, int],
    existing: Mapping[tuple[int, int], Existing],
) -> Plan:
    """Which targets to insert and which untouched pre-populated ones to bring up to date."""
    new: list[Planned] = []
    refresh: list[tuple[Existing, Planned]] = []
    plus_one = option == Prepopulate.BENCHMARK_PLUS_ONE
    for code in cohort.subjects:
        choice = cohort.choices[code]
        if not choice.included:
            continue
        grades = target_grades(choice.scale, cohort.grades(code), plus_one)
        points = {g: choice.scale.points_of(g) for g in set(grades.tolist()) - {None}}
        subject_id = subject_ids[code]
        for pupil_id, grade in zip(cohort.pupil_ids, grades.tolist(), strict=True):
            if grade is None:
                continue
            planned = Planned(pupil_id, subject_id, grade, points[grade], choice.benchmark,
                              choice.custom_level)
            row = existing.get((pupil_id, subject_id))
            if row is None:
                new.append(planned)
            elif row.history:
                continue
            elif row.deleted:
                refresh.append((row, planned))
            elif (
                row.prepopulated
                and row.grade == row.prepopulated_grade
                and (
                    row.grade != grade
                    or row.benchmark != choice.benchmark.value
                    or row.custom_level != choice.custom_level
                    or row.model_version != cohort.model_version
                )
            ):
                refresh.append((row, planned))
    return Plan(new, refresh)


_INSERT_COLUMNS = (
    "school_id",
    "pupil_id",
    "subject_id",
    "key_stage",
    "year_group",
    "grade",
    "points",
    "prepopulated",
    "prepopulated_grade",
    "prepopulated_points",
    "benchmark",
    "custom_level",
    "model_version",
    "set_by_id",
    "updated_at",
)


_CHANGE_COLUMNS = (
    "target_id",
    "kind",
    "old_grade",
    "new_grade",
    "reason",
    "benchmark",
    "custom_level",
    "model_version",
    "changed_by_id",
    "changed_at",
)


async def _record_changes(connection, rows: list[tuple]) -> None:
    """The "prepopulated" history rows, one multi-row INSERT per chunk."""
    width = len(_CHANGE_COLUMNS)
    columns = ", ".join(_CHANGE_COLUMNS)
    for chunk in sql.chunks(rows, width):
        values = ", ".join(["(" + ", ".join(["?"] * width) + ")"] * len(chunk))
        statement = f"INSERT INTO target_change ({columns}) VALUES {values}"  # noqa: S608
        await sql.execute(connection, statement, [v for row in chunk for v in row])


async def _refresh(connection, rows: list[tuple], version: str, actor_id: int | None, now: datetime) -> set[int]:
    """Update only rows still deleted or still untouched pre-populated; their ids."""
    updated: set[int] = set()
    row_sql = ("(CAST(? AS INTEGER), CAST(? AS VARCHAR(10)), CAST(? AS DOUBLE PRECISION), "
               "CAST(? AS VARCHAR(10)), CAST(? AS VARCHAR(12)))")
    for chunk in sql.chunks(rows, 5, spare=3):
        placeholders = ", ".join([row_sql] * len(chunk))
        statement = (
            f"WITH v(id, grade, points, benchmark, custom_level) AS (VALUES {placeholders}) "  # noqa: S608
            "UPDATE target SET grade = v.grade, points = v.points, prepopulated = TRUE, "
            "prepopulated_grade = v.grade, prepopulated_points = v.points, "
            "benchmark = v.benchmark, custom_level = v.custom_level, model_version = ?, "
            "set_by_id = ?, updated_at = ?, "
            "deleted_at = NULL, deletion_id = NULL "
            "FROM v WHERE target.id = v.id AND target.history_academic_year IS NULL "
            "AND (target.deleted_at IS NOT NULL "
            "OR (target.prepopulated AND target.grade = target.prepopulated_grade)) "
            "RETURNING target.id"
        )
        values = [v for row in chunk for v in row] + [version, actor_id, now]
        updated |= {r["id"] for r in await sql.fetch(connection, statement, values)}
    return updated


async def _existing(school_id: int, ks: KeyStage, year_group: int) -> dict[tuple[int, int], Existing]:
    rows = await Target.filter(
        school_id=school_id,
        subject__key_stage=ks,
        pupil__year_group=year_group,
        pupil__left_at__isnull=True,
    ).values_list(
        "id",
        "pupil_id",
        "subject_id",
        "grade",
        "prepopulated",
        "prepopulated_grade",
        "benchmark",
        "model_version",
        "deleted_at",
        "history_academic_year",
        "custom_level",
    )
    return {
        (r[1], r[2]): Existing(
            id=r[0],
            grade=r[3],
            prepopulated=bool(r[4]),
            prepopulated_grade=r[5],
            benchmark=getattr(r[6], "value", r[6]),
            model_version=r[7],
            deleted=r[8] is not None,
            history=r[9] is not None,
            custom_level=r[10],
        )
        for r in rows
    }


@dataclass(frozen=True)
class Stamp:
    """What every written target and change row of one run shares."""

    school_id: int
    key_stage: str
    year_group: int
    version: str
    actor_id: int | None
    now: datetime


# PostgreSQL: the new targets and their change rows in one statement, the rows as arrays.
_PG_INSERT = f"""
    WITH v AS (
        SELECT * FROM unnest(CAST(? AS INTEGER[]), CAST(? AS INTEGER[]), CAST(? AS VARCHAR[]),
                             CAST(? AS DOUBLE PRECISION[]), CAST(? AS VARCHAR[]),
                             CAST(? AS VARCHAR[]))
             WITH ORDINALITY AS v(pupil_id, subject_id, grade, points, benchmark, custom_level, n)
    ),
    inserted AS (
        INSERT INTO target ({", ".join(_INSERT_COLUMNS)})
        SELECT CAST(? AS INTEGER), v.pupil_id, v.subject_id, CAST(? AS VARCHAR(3)),
               CAST(? AS INTEGER), v.grade, v.points, TRUE, v.grade, v.points, v.benchmark,
               v.custom_level, CAST(? AS VARCHAR(20)), CAST(? AS INTEGER),
               CAST(? AS TIMESTAMPTZ)
        FROM v ORDER BY v.n
        ON CONFLICT (pupil_id, subject_id) DO NOTHING
        RETURNING id, grade, benchmark, custom_level, model_version, set_by_id, updated_at
    ),
    changes AS (
        INSERT INTO target_change ({", ".join(_CHANGE_COLUMNS)})
        SELECT id, CAST(? AS VARCHAR(20)), NULL, grade, NULL, benchmark, custom_level,
               model_version, set_by_id, updated_at
        FROM inserted ORDER BY id
    )
    SELECT COUNT(*) AS written FROM inserted
"""  # noqa: S608 - only fixed column names are joined in: values are bound

# PostgreSQL: the refreshed targets (still deleted or untouched pre-populated) and theirs.
_PG_REFRESH = f"""
    WITH v AS (
        SELECT * FROM unnest(CAST(? AS INTEGER[]), CAST(? AS VARCHAR[]),
                             CAST(? AS DOUBLE PRECISION[]), CAST(? AS VARCHAR[]),
                             CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]))
             WITH ORDINALITY AS v(id, grade, points, benchmark, custom_level, old_grade, reason, n)
    ),
    refreshed AS (
        UPDATE target SET grade = v.grade, points = v.points, prepopulated = TRUE,
            prepopulated_grade = v.grade, prepopulated_points = v.points,
            benchmark = v.benchmark, custom_level = v.custom_level,
            model_version = CAST(? AS VARCHAR(20)),
            set_by_id = CAST(? AS INTEGER), updated_at = CAST(? AS TIMESTAMPTZ),
            deleted_at = NULL, deletion_id = NULL
        FROM v WHERE target.id = v.id AND target.history_academic_year IS NULL
          AND (target.deleted_at IS NOT NULL
               OR (target.prepopulated AND target.grade = target.prepopulated_grade))
        RETURNING target.id, target.model_version, target.set_by_id, target.updated_at
    ),
    changes AS (
        INSERT INTO target_change ({", ".join(_CHANGE_COLUMNS)})
        SELECT r.id, CAST(? AS VARCHAR(20)), v.old_grade, v.grade, v.reason, v.benchmark,
               v.custom_level, r.model_version, r.set_by_id, r.updated_at
        FROM refreshed r JOIN v ON v.id = r.id ORDER BY v.n
    )
    SELECT COUNT(*) AS written FROM refreshed
"""  # noqa: S608 - only fixed column names are joined in: values are bound


# The new targets' statement takes the year group's summary rows (the triggers of 0003), and
# a teacher's change takes its target, then those rows. A teacher holding a target about to
# be refreshed would wait for the summary rows while the refresh waited for the target: a
# deadlock. So the targets to refresh are locked first, as a teacher's change does.
_PG_LOCK_REFRESHED = """
    SELECT id FROM target WHERE id = ANY(CAST(? AS INTEGER[])) ORDER BY id FOR UPDATE
"""


async def _write_postgres(connection, plan: Plan, stamp: Stamp) -> PrepopulateResult:
    """Two statements, each with its rows as one array per column (see the module)."""
    kind = TargetChangeKind.PREPOPULATED.value
    created = refreshed = 0
    if plan.new and plan.refresh:
        await sql.fetch(connection, _PG_LOCK_REFRESHED, [[row.id for row, _ in plan.refresh]])
    if plan.new:
        columns = [
            [p.pupil_id for p in plan.new],
            [p.subject_id for p in plan.new],
            [p.grade for p in plan.new],
            [p.points for p in plan.new],
            [p.benchmark.value for p in plan.new],
            [p.custom_level for p in plan.new],
        ]
        rows = await sql.fetch(connection, _PG_INSERT, [
            *columns, stamp.school_id, stamp.key_stage, stamp.year_group, stamp.version,
            stamp.actor_id, stamp.now, kind,
        ])
        created = rows[0]["written"]
    if plan.refresh:
        columns = [
            [row.id for row, _ in plan.refresh],
            [p.grade for _, p in plan.refresh],
            [p.points for _, p in plan.refresh],
            [p.benchmark.value for _, p in plan.refresh],
            [p.custom_level for _, p in plan.refresh],
            [None if row.deleted else row.grade for row, _ in plan.refresh],
            [REASON_AGAIN if row.deleted else REASON_BENCHMARK for row, _ in plan.refresh],
        ]
        rows = await sql.fetch(connection, _PG_REFRESH, [
            *columns, stamp.version, stamp.actor_id, stamp.now, kind,
        ])
        refreshed = rows[0]["written"]
    return PrepopulateResult(created=created, refreshed=refreshed)


# SQLite: the new targets from one JSON array of [pupil_id, subject_id, grade, points,
# benchmark, custom_level] rows (one bound value, not 14 per row), in the order given.
_SQLITE_INSERT = f"""
    INSERT INTO target ({", ".join(_INSERT_COLUMNS)})
    SELECT ?, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), ?, ?,
           json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'), 1,
           json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'),
           json_extract(j.value, '$[4]'), json_extract(j.value, '$[5]'), ?, ?, ?
    FROM json_each(?) AS j WHERE 1 = 1 ORDER BY j.key
    ON CONFLICT (pupil_id, subject_id) DO NOTHING
    RETURNING id
"""  # noqa: S608 - only fixed column names are joined in: values are bound

# SQLite: the change rows of the targets just inserted (a JSON array of their ids), copied
# from the targets themselves, in target id order.
_SQLITE_CHANGES = f"""
    INSERT INTO target_change ({", ".join(_CHANGE_COLUMNS)})
    SELECT t.id, ?, NULL, t.grade, NULL, t.benchmark, t.custom_level, t.model_version,
           t.set_by_id, t.updated_at
    FROM target t WHERE t.id IN (SELECT j.value FROM json_each(?) AS j) ORDER BY t.id
"""  # noqa: S608 - only fixed column names are joined in: values are bound


async def _write_sqlite(connection, plan: Plan, stamp: Stamp) -> PrepopulateResult:
    """New targets and their change rows in two statements, refreshed ones in chunks."""
    version, actor_id, now = stamp.version, stamp.actor_id, stamp.now
    kind = TargetChangeKind.PREPOPULATED.value
    created = 0
    if plan.new:
        rows = json.dumps([[p.pupil_id, p.subject_id, p.grade, p.points, p.benchmark.value,
                            p.custom_level] for p in plan.new])
        inserted = await sql.fetch(connection, _SQLITE_INSERT, [
            stamp.school_id, stamp.key_stage, stamp.year_group, version, actor_id, now, rows,
        ])
        created = len(inserted)
        if inserted:
            ids = json.dumps([row["id"] for row in inserted])
            await sql.execute(connection, _SQLITE_CHANGES, [kind, ids])
    refreshed = await _refresh(
        connection,
        [(row.id, p.grade, p.points, p.benchmark.value, p.custom_level)
         for row, p in plan.refresh],
        version,
        actor_id,
        now,
    )
    changes = [
        (
            row.id,
            kind,
            None if row.deleted else row.grade,
            p.grade,
            REASON_AGAIN if row.deleted else REASON_BENCHMARK,
            p.benchmark.value,
            p.custom_level,
            version,
            actor_id,
            now,
        )
        for row, p in plan.refresh
        if row.id in refreshed
    ]
    await _record_changes(connection, changes)
    return PrepopulateResult(created=created, refreshed=len(refreshed))


async def run_prepopulation(
    connection,
    school_id: int,
    key_stage: KeyStage | str,
    year_group: int,
    actor: Actor,
) -> PrepopulateResult:
    """Pre-populate inside the caller's transaction (`connection`), after locking settings."""
    ks = check_year_group(key_stage, year_group)
    settings = await (
        YearGroupSettings.filter(school_id=school_id, key_stage=ks, year_group=year_group)
        .select_for_update()
        .using_db(connection)
        .first()
    )
    if settings is None or not settings.use_target_setting or settings.prepopulate == Prepopulate.NO:
        return PrepopulateResult()
    cohort = await year_group_estimates(school_id, ks, year_group)
    subject_ids = {code: row.id for (k, code), row in (await ensure_subjects()).items() if k == ks}
    existing = await _existing(school_id, ks, year_group)
    plan = plan_targets(cohort, settings.prepopulate, subject_ids, existing)
    if not plan.new and not plan.refresh:
        return PrepopulateResult()
    version = cohort.model_version
    stamp = Stamp(
        school_id=school_id,
        key_stage=ks.value,
        year_group=year_group,
        version=version,
        actor_id=actor.account.id if actor.account else None,
        now=datetime.now(UTC),
    )
    write = _write_postgres if sql.is_postgres(connection) else _write_sqlite
    result = await write(connection, plan, stamp)
    await pause_point("targets.prepopulate", result.written)
    if result.written:
        await audit.record(
            actor,
            "targets.prepopulated",
            school_id,
            "year_group",
            audit.year_group_key(ks.value, year_group),
            after={"created": result.created, "refreshed": result.refreshed},
            detail={"prepopulate": settings.prepopulate.value, "modelVersion": version},
            connection=connection,
        )
    return result


async def actor_for(actor_id: int | None) -> Actor:
    account = await Account.get_or_none(id=actor_id).select_related("organisation") if actor_id else None
    return Actor(account=account, via=AccessVia.SESSION if account else AccessVia.SYSTEM)


@run_again_if_rolled_back
async def prepopulate_year_group(
    school_id: int,
    key_stage: KeyStage | str,
    year_group: int,
    actor_id: int | None,
    actor: Actor | None = None,
) -> int:
    """Pre-populate one year group as its settings say; the number of targets written.

    Safe to call at any time (pupil import calls it for new pupils): it does nothing unless
    the year group uses target setting with pre-population, and never duplicates a target.
    """
    who = actor or await actor_for(actor_id)
    async with in_transaction() as connection:
        result = await run_prepopulation(connection, school_id, key_stage, year_group, who)
    return result.written
