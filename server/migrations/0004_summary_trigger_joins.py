import importlib

from tortoise import migrations
from tortoise.migrations import operations as ops

# PostgreSQL only: the target triggers of 0003 find each target's pupil with
#   JOIN pupil p ON p.id = t.pupil_id AND p.school_id = t.school_id
# over a transition table. The planner knows nothing of a transition table's columns, so
# after the liveness filter (two IS NULL tests) it expects one row and runs a nested loop.
# With both clauses indexable it may probe pupil by its school_id index and filter on id,
# reading every pupil of the school for every target: 150 ms for a 6,000-target
# pre-population of a 300-pupil year group (15 ms when it probes the primary key). plpgsql
# keeps that plan for the session, so it depends on the first statement a connection ran.
# Here the school is compared with IS NOT DISTINCT FROM (the same test: both columns are
# NOT NULL), which no index can use: the pupil is found by its primary key, or by a hash
# join when the planner expects many rows. Same rows, same summaries.
#
# SQLite's row triggers look the pupil up by its rowid already: unchanged. Written here,
# not imported, so that this migration stays as it was applied. Going back restores 0003's
# functions.

_LIVE = "{t}.deleted_at IS NULL AND {t}.history_academic_year IS NULL"
_PREPOPULATED = "(CASE WHEN {t}.prepopulated THEN 1 ELSE 0 END)"
_SUMMARY_COLUMNS = "(school_id, key_stage, year_group, subject_id, targets_set, prepopulated, points_total)"
_GRADE_COLUMNS = "(school_id, key_stage, year_group, subject_id, points, targets, prepopulated)"
_SUMMARY_KEY = "school_id, key_stage, year_group, subject_id"
_GRADE_KEY = "school_id, key_stage, year_group, subject_id, points"


def _pg_apply(deltas: str) -> str:
    """Add signed deltas (school_id, key_stage, year_group, subject_id, points, n, pp)."""
    return f"""
    WITH d AS ({deltas}),
    g AS (
        SELECT school_id, key_stage, year_group, subject_id, points, SUM(n) AS n, SUM(pp) AS pp
        FROM d GROUP BY school_id, key_stage, year_group, subject_id, points
        HAVING SUM(n) <> 0 OR SUM(pp) <> 0
    ),
    grades AS (
        INSERT INTO target_summary_grade AS x {_GRADE_COLUMNS}
        SELECT school_id, key_stage, year_group, subject_id, points, n, pp FROM g
        ORDER BY school_id, key_stage, year_group, subject_id, points
        ON CONFLICT ({_GRADE_KEY}) DO UPDATE SET targets = x.targets + EXCLUDED.targets,
            prepopulated = x.prepopulated + EXCLUDED.prepopulated
    )
    INSERT INTO target_summary AS s {_SUMMARY_COLUMNS}
    SELECT school_id, key_stage, year_group, subject_id, SUM(n), SUM(pp), SUM(n * points) FROM g
    GROUP BY school_id, key_stage, year_group, subject_id
    ORDER BY school_id, key_stage, year_group, subject_id
    ON CONFLICT ({_SUMMARY_KEY}) DO UPDATE SET targets_set = s.targets_set + EXCLUDED.targets_set,
        prepopulated = s.prepopulated + EXCLUDED.prepopulated,
        points_total = s.points_total + EXCLUDED.points_total"""


def _pg_rows(table: str, sign: int) -> str:
    """The live targets of `table` whose pupil (same school) has not left, signed."""
    return (f"SELECT t.school_id, t.key_stage, p.year_group, t.subject_id, t.points, "
            f"{sign} AS n, {sign} * {_PREPOPULATED.format(t='t')} AS pp "
            f"FROM {table} t JOIN pupil p ON p.id = t.pupil_id "
            f"AND p.school_id IS NOT DISTINCT FROM t.school_id "
            f"WHERE {_LIVE.format(t='t')} AND p.left_at IS NULL")


def _pg_subtract(table: str) -> list[str]:
    """Deleted targets: subtract from existing rows only."""
    rows = _pg_rows(table, 1)
    return [
        f"""UPDATE target_summary s SET targets_set = s.targets_set - d.n,
            prepopulated = s.prepopulated - d.pp, points_total = s.points_total - d.pts
        FROM (SELECT school_id, key_stage, year_group, subject_id, SUM(n) AS n, SUM(pp) AS pp,
                     SUM(points) AS pts FROM ({rows}) r
              GROUP BY school_id, key_stage, year_group, subject_id) d
        WHERE s.school_id = d.school_id AND s.key_stage = d.key_stage
          AND s.year_group = d.year_group AND s.subject_id = d.subject_id""",
        f"""UPDATE target_summary_grade s SET targets = s.targets - d.n,
            prepopulated = s.prepopulated - d.pp
        FROM (SELECT school_id, key_stage, year_group, subject_id, points, SUM(n) AS n,
                     SUM(pp) AS pp FROM ({rows}) r
              GROUP BY school_id, key_stage, year_group, subject_id, points) d
        WHERE s.school_id = d.school_id AND s.key_stage = d.key_stage
          AND s.year_group = d.year_group AND s.subject_id = d.subject_id
          AND s.points = d.points""",
    ]


def _pg_function(name: str, statements: list[str], returns: str = "NULL") -> str:
    body = "".join(f"{s};\n" for s in statements)
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
            f"BEGIN\n{body}RETURN {returns};\nEND\n$body$")


# The functions only: the triggers of 0003 call them by name.
POSTGRES = [
    _pg_function("target_summary_insert", [_pg_apply(_pg_rows("new_targets", 1))]),
    _pg_function("target_summary_update", [_pg_apply(
        _pg_rows("old_targets", -1) + " UNION ALL " + _pg_rows("new_targets", 1))]),
    _pg_function("target_summary_delete", _pg_subtract("old_targets")),
]


async def replace_functions(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        for statement in POSTGRES:
            await client.execute_query(statement)


async def restore_functions(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        before = importlib.import_module("server.migrations.0003_summaries")
        for statement in before.POSTGRES[:3]:
            await client.execute_query(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0003_summaries')]

    initial = False

    operations = [
        ops.RunPython(replace_functions, restore_functions),
    ]
