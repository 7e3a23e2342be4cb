from tortoise import migrations
from tortoise.migrations import operations as ops
from server.models.enums import KeyStage
from tortoise.fields.base import OnDelete
from tortoise import fields


# Triggers that keep target_summary, target_summary_grade and pupil_revision current on every
# write, bulk SQL included. Written here, not imported, so that this migration stays as it
# was applied. "Live" is what aggregates counted by a GROUP BY over target JOIN pupil:
# not deleted, not history of an earlier school year, of a pupil who has not left; grouped
# by the pupil's current year group (a pupil's year group can change without its targets').
#
# SQLite: row triggers. PostgreSQL: statement triggers over transition tables (set-based,
# so a 6,000-row pre-population is two upserts, not 12,000), plus one row trigger.
# A pupil being deleted first deletes its targets (the foreign key would cascade anyway)
# while the pupil still exists, so their year group is known. Subtractions only UPDATE
# existing rows (never insert), so a school deleted with everything it has never makes a
# summary row point at a missing school.

_LIVE = "{t}.deleted_at IS NULL AND {t}.history_academic_year IS NULL"
_PREPOPULATED = "(CASE WHEN {t}.prepopulated THEN 1 ELSE 0 END)"
_SUMMARY_COLUMNS = "(school_id, key_stage, year_group, subject_id, targets_set, prepopulated, points_total)"
_GRADE_COLUMNS = "(school_id, key_stage, year_group, subject_id, points, targets, prepopulated)"
_SUMMARY = f"target_summary {_SUMMARY_COLUMNS}"
_GRADE = f"target_summary_grade {_GRADE_COLUMNS}"
_SUMMARY_KEY = "school_id, key_stage, year_group, subject_id"
_GRADE_KEY = "school_id, key_stage, year_group, subject_id, points"

# -- SQLite -------------------------------------------------------------------------------


def _sqlite_add(row: str) -> list[str]:
    """Add one target row (NEW or OLD) of a pupil who has not left."""
    pupil = (f"FROM pupil p WHERE p.id = {row}.pupil_id AND p.school_id = {row}.school_id "
             f"AND p.left_at IS NULL AND {_LIVE.format(t=row)}")
    pre = _PREPOPULATED.format(t=row)
    return [
        f"INSERT INTO {_SUMMARY} SELECT {row}.school_id, {row}.key_stage, p.year_group, "
        f"{row}.subject_id, 1, {pre}, {row}.points {pupil} "
        f"ON CONFLICT ({_SUMMARY_KEY}) DO UPDATE SET targets_set = targets_set + 1, "
        "prepopulated = prepopulated + excluded.prepopulated, "
        "points_total = points_total + excluded.points_total",
        f"INSERT INTO {_GRADE} SELECT {row}.school_id, {row}.key_stage, p.year_group, "
        f"{row}.subject_id, {row}.points, 1, {pre} {pupil} "
        f"ON CONFLICT ({_GRADE_KEY}) DO UPDATE SET targets = targets + 1, "
        "prepopulated = prepopulated + excluded.prepopulated",
    ]


def _sqlite_subtract(row: str) -> list[str]:
    year = (f"(SELECT p.year_group FROM pupil p WHERE p.id = {row}.pupil_id "
            f"AND p.school_id = {row}.school_id AND p.left_at IS NULL)")
    pre = _PREPOPULATED.format(t=row)
    where = (f"school_id = {row}.school_id AND key_stage = {row}.key_stage "
             f"AND subject_id = {row}.subject_id AND year_group = {year} "
             f"AND {_LIVE.format(t=row)}")
    return [
        f"UPDATE target_summary SET targets_set = targets_set - 1, "
        f"prepopulated = prepopulated - {pre}, points_total = points_total - {row}.points "
        f"WHERE {where}",
        f"UPDATE target_summary_grade SET targets = targets - 1, "
        f"prepopulated = prepopulated - {pre} WHERE {where} AND points = {row}.points",
    ]


def _sqlite_move(sign: str) -> list[str]:
    """A pupil's live targets out of (OLD) or into (NEW) its year group's summary."""
    row = "OLD" if sign == "-" else "NEW"
    live = _LIVE.format(t="t")
    pre = _PREPOPULATED.format(t="t")
    pupil = (f"FROM target t WHERE t.pupil_id = {row}.id AND t.school_id = {row}.school_id "
             f"AND {live} AND {row}.left_at IS NULL")
    if sign == "+":
        return [
            f"INSERT INTO {_SUMMARY} SELECT t.school_id, t.key_stage, NEW.year_group, "
            f"t.subject_id, 1, {pre}, t.points {pupil} "
            f"ON CONFLICT ({_SUMMARY_KEY}) DO UPDATE SET targets_set = targets_set + 1, "
            "prepopulated = prepopulated + excluded.prepopulated, "
            "points_total = points_total + excluded.points_total",
            f"INSERT INTO {_GRADE} SELECT t.school_id, t.key_stage, NEW.year_group, "
            f"t.subject_id, t.points, 1, {pre} {pupil} "
            f"ON CONFLICT ({_GRADE_KEY}) DO UPDATE SET targets = targets + 1, "
            "prepopulated = prepopulated + excluded.prepopulated",
        ]
    return [
        f"UPDATE target_summary SET targets_set = targets_set - d.n, "
        "prepopulated = prepopulated - d.pp, points_total = points_total - d.pts "
        f"FROM (SELECT t.school_id, t.key_stage, t.subject_id, COUNT(*) AS n, SUM({pre}) AS pp, "
        f"SUM(t.points) AS pts {pupil} GROUP BY t.school_id, t.key_stage, t.subject_id) AS d "
        "WHERE target_summary.school_id = d.school_id AND target_summary.key_stage = d.key_stage "
        "AND target_summary.subject_id = d.subject_id AND target_summary.year_group = OLD.year_group",
        f"UPDATE target_summary_grade SET targets = targets - d.n, "
        "prepopulated = prepopulated - d.pp "
        f"FROM (SELECT t.school_id, t.key_stage, t.subject_id, t.points, COUNT(*) AS n, "
        f"SUM({pre}) AS pp {pupil} GROUP BY t.school_id, t.key_stage, t.subject_id, t.points) AS d "
        "WHERE target_summary_grade.school_id = d.school_id "
        "AND target_summary_grade.key_stage = d.key_stage "
        "AND target_summary_grade.subject_id = d.subject_id "
        "AND target_summary_grade.points = d.points "
        "AND target_summary_grade.year_group = OLD.year_group",
    ]


def _sqlite_bump(row: str) -> str:
    return (f"INSERT INTO pupil_revision (school_id, year_group, revision) "
            f"VALUES ({row}.school_id, {row}.year_group, 1) "
            "ON CONFLICT (school_id, year_group) DO UPDATE SET revision = revision + 1")


_TARGET_COLUMNS = ("school_id", "pupil_id", "subject_id", "key_stage", "points", "prepopulated",
                   "deleted_at", "history_academic_year")
_ESTIMATE_COLUMNS = ("school_id", "year_group", "prior_attainment", "gender", "date_of_birth")


def _trigger(name: str, when: str, body: list[str]) -> str:
    return f"CREATE TRIGGER {name} {when} BEGIN " + "".join(f"{s}; " for s in body) + "END"


def _changed(columns, old="OLD", new="NEW") -> str:
    return " OR ".join(f"{old}.{c} IS NOT {new}.{c}" for c in columns)


SQLITE = [
    _trigger("target_summary_insert", f"AFTER INSERT ON target WHEN {_LIVE.format(t='NEW')}",
             _sqlite_add("NEW")),
    _trigger("target_summary_update",
             f"AFTER UPDATE OF {', '.join(_TARGET_COLUMNS)} ON target WHEN {_changed(_TARGET_COLUMNS)}",
             _sqlite_subtract("OLD") + _sqlite_add("NEW")),
    _trigger("target_summary_delete", f"AFTER DELETE ON target WHEN {_LIVE.format(t='OLD')}",
             _sqlite_subtract("OLD")),
    _trigger("pupil_summary_update",
             "AFTER UPDATE OF school_id, year_group, left_at ON pupil WHEN "
             "OLD.school_id IS NOT NEW.school_id OR OLD.year_group IS NOT NEW.year_group "
             "OR (OLD.left_at IS NULL) <> (NEW.left_at IS NULL)",
             _sqlite_move("-") + _sqlite_move("+")),
    _trigger("pupil_summary_delete", "BEFORE DELETE ON pupil",
             ["DELETE FROM target WHERE pupil_id = OLD.id"]),
    _trigger("pupil_revision_insert", "AFTER INSERT ON pupil", [_sqlite_bump("NEW")]),
    _trigger("pupil_revision_update",
             f"AFTER UPDATE OF {', '.join(_ESTIMATE_COLUMNS)}, left_at ON pupil WHEN "
             f"{_changed(_ESTIMATE_COLUMNS)} OR (OLD.left_at IS NULL) <> (NEW.left_at IS NULL)",
             [_sqlite_bump("OLD"), _sqlite_bump("NEW")]),
    _trigger("pupil_revision_delete", "AFTER DELETE ON pupil", [_sqlite_bump("OLD")]),
]

# -- PostgreSQL -----------------------------------------------------------------------------


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
    return (f"SELECT t.school_id, t.key_stage, p.year_group, t.subject_id, t.points, "
            f"{sign} AS n, {sign} * {_PREPOPULATED.format(t='t')} AS pp "
            f"FROM {table} t JOIN pupil p ON p.id = t.pupil_id AND p.school_id = t.school_id "
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


_PG_MOVED = f"""
    WITH m AS (
        SELECT o.id, o.school_id AS old_school, o.year_group AS old_year,
               o.left_at IS NULL AS was_current, n.school_id AS new_school,
               n.year_group AS new_year, n.left_at IS NULL AS is_current
        FROM old_pupils o JOIN new_pupils n ON n.id = o.id
        WHERE o.school_id <> n.school_id OR o.year_group <> n.year_group
           OR (o.left_at IS NULL) <> (n.left_at IS NULL)
    )
    SELECT t.school_id, t.key_stage, m.old_year AS year_group, t.subject_id, t.points, -1 AS n,
           -{_PREPOPULATED.format(t='t')} AS pp
    FROM m JOIN target t ON t.pupil_id = m.id AND t.school_id = m.old_school
    WHERE m.was_current AND {_LIVE.format(t='t')}
    UNION ALL
    SELECT t.school_id, t.key_stage, m.new_year, t.subject_id, t.points, 1,
           {_PREPOPULATED.format(t='t')}
    FROM m JOIN target t ON t.pupil_id = m.id AND t.school_id = m.new_school
    WHERE m.is_current AND {_LIVE.format(t='t')}"""

_PG_BUMP = """INSERT INTO pupil_revision AS r (school_id, year_group, revision)
    SELECT school_id, year_group, 1 FROM ({groups}) g GROUP BY school_id, year_group
    ORDER BY school_id, year_group
    ON CONFLICT (school_id, year_group) DO UPDATE SET revision = r.revision + 1"""

_PG_ESTIMATE_CHANGED = " OR ".join(
    [f"o.{c} IS DISTINCT FROM n.{c}" for c in _ESTIMATE_COLUMNS]
    + ["(o.left_at IS NULL) <> (n.left_at IS NULL)"]
)


def _pg_function(name: str, statements: list[str], returns: str = "NULL") -> str:
    body = "".join(f"{s};\n" for s in statements)
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
            f"BEGIN\n{body}RETURN {returns};\nEND\n$body$")


POSTGRES = [
    _pg_function("target_summary_insert", [_pg_apply(_pg_rows("new_targets", 1))]),
    _pg_function("target_summary_update", [_pg_apply(
        _pg_rows("old_targets", -1) + " UNION ALL " + _pg_rows("new_targets", 1))]),
    _pg_function("target_summary_delete", _pg_subtract("old_targets")),
    _pg_function("pupil_summary_update", [_pg_apply(_PG_MOVED)]),
    _pg_function("pupil_summary_delete", ["DELETE FROM target WHERE pupil_id = OLD.id"], "OLD"),
    _pg_function("pupil_revision_insert", [_PG_BUMP.format(
        groups="SELECT school_id, year_group FROM new_pupils")]),
    _pg_function("pupil_revision_update", [_PG_BUMP.format(
        groups="SELECT o.school_id, o.year_group FROM old_pupils o JOIN new_pupils n ON n.id = o.id "
               f"WHERE {_PG_ESTIMATE_CHANGED} UNION ALL "
               "SELECT n.school_id, n.year_group FROM old_pupils o JOIN new_pupils n ON n.id = o.id "
               f"WHERE {_PG_ESTIMATE_CHANGED}")]),
    _pg_function("pupil_revision_delete", [_PG_BUMP.format(
        groups="SELECT school_id, year_group FROM old_pupils")]),
    "CREATE TRIGGER target_summary_insert AFTER INSERT ON target "
    "REFERENCING NEW TABLE AS new_targets FOR EACH STATEMENT EXECUTE FUNCTION target_summary_insert()",
    "CREATE TRIGGER target_summary_update AFTER UPDATE ON target "
    "REFERENCING OLD TABLE AS old_targets NEW TABLE AS new_targets "
    "FOR EACH STATEMENT EXECUTE FUNCTION target_summary_update()",
    "CREATE TRIGGER target_summary_delete AFTER DELETE ON target "
    "REFERENCING OLD TABLE AS old_targets FOR EACH STATEMENT EXECUTE FUNCTION target_summary_delete()",
    "CREATE TRIGGER pupil_summary_update AFTER UPDATE ON pupil "
    "REFERENCING OLD TABLE AS old_pupils NEW TABLE AS new_pupils "
    "FOR EACH STATEMENT EXECUTE FUNCTION pupil_summary_update()",
    "CREATE TRIGGER pupil_summary_delete BEFORE DELETE ON pupil "
    "FOR EACH ROW EXECUTE FUNCTION pupil_summary_delete()",
    "CREATE TRIGGER pupil_revision_insert AFTER INSERT ON pupil "
    "REFERENCING NEW TABLE AS new_pupils FOR EACH STATEMENT EXECUTE FUNCTION pupil_revision_insert()",
    "CREATE TRIGGER pupil_revision_update AFTER UPDATE ON pupil "
    "REFERENCING OLD TABLE AS old_pupils NEW TABLE AS new_pupils "
    "FOR EACH STATEMENT EXECUTE FUNCTION pupil_revision_update()",
    "CREATE TRIGGER pupil_revision_delete AFTER DELETE ON pupil "
    "REFERENCING OLD TABLE AS old_pupils FOR EACH STATEMENT EXECUTE FUNCTION pupil_revision_delete()",
]

# The summaries of the targets already there (target_summary exists since 0001, unused).
BACKFILL = [
    "DELETE FROM target_summary",
    f"""INSERT INTO {_SUMMARY}
    SELECT t.school_id, t.key_stage, p.year_group, t.subject_id, COUNT(*),
           SUM({_PREPOPULATED.format(t='t')}), SUM(t.points)
    FROM target t JOIN pupil p ON p.id = t.pupil_id AND p.school_id = t.school_id
    WHERE {_LIVE.format(t='t')} AND p.left_at IS NULL
    GROUP BY t.school_id, t.key_stage, p.year_group, t.subject_id""",
    f"""INSERT INTO {_GRADE}
    SELECT t.school_id, t.key_stage, p.year_group, t.subject_id, t.points, COUNT(*),
           SUM({_PREPOPULATED.format(t='t')})
    FROM target t JOIN pupil p ON p.id = t.pupil_id AND p.school_id = t.school_id
    WHERE {_LIVE.format(t='t')} AND p.left_at IS NULL
    GROUP BY t.school_id, t.key_stage, p.year_group, t.subject_id, t.points""",
]

_TRIGGERS = ("target_summary_insert", "target_summary_update", "target_summary_delete",
             "pupil_summary_update", "pupil_summary_delete", "pupil_revision_insert",
             "pupil_revision_update", "pupil_revision_delete")


async def create_triggers(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for statement in (POSTGRES if postgres else SQLITE) + BACKFILL:
        await client.execute_query(statement)


async def drop_triggers(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for name in _TRIGGERS:
        table = "target" if name.startswith("target") else "pupil"
        await client.execute_query(
            f"DROP TRIGGER IF EXISTS {name} ON {table}" if postgres else f"DROP TRIGGER IF EXISTS {name}"
        )
        if postgres:
            await client.execute_query(f"DROP FUNCTION IF EXISTS {name}()")
    await client.execute_query("DELETE FROM target_summary")


class Migration(migrations.Migration):
    dependencies = [('models', '0002_pupils_school_years')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EstimateSummary',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.Organisation', source_field='school_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('key_stage', fields.CharEnumField(description='KS2: KS2\nKS4: KS4\nKS5: KS5', enum_type=KeyStage, max_length=3)),
                ('year_group', fields.IntField()),
                ('subject', fields.ForeignKeyField('models.Subject', source_field='subject_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('pupils', fields.IntField()),
                ('average', fields.FloatField(null=True)),
                ('high', fields.FloatField(null=True)),
                ('very_high', fields.FloatField(null=True)),
                ('model_version', fields.CharField(max_length=20)),
                ('revision', fields.IntField()),
            ],
            options={'table': 'estimate_summary', 'app': 'models', 'unique_together': (('school', 'key_stage', 'year_group', 'subject'),), 'pk_attr': 'id', 'table_description': 'Cached per school, year group and subject: pupils with prior attainment and the mean'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PupilRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school_id', fields.IntField()),
                ('year_group', fields.IntField()),
                ('revision', fields.IntField(default=0)),
            ],
            options={'table': 'pupil_revision', 'app': 'models', 'unique_together': (('school_id', 'year_group'),), 'pk_attr': 'id', 'table_description': "Bumped by a trigger whenever a pupil of the school's year group is added, changed"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TargetSummaryGrade',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.Organisation', source_field='school_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('key_stage', fields.CharEnumField(description='KS2: KS2\nKS4: KS4\nKS5: KS5', enum_type=KeyStage, max_length=3)),
                ('year_group', fields.IntField()),
                ('subject', fields.ForeignKeyField('models.Subject', source_field='subject_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('points', fields.FloatField()),
                ('targets', fields.IntField(default=0)),
                ('prepopulated', fields.IntField(default=0)),
            ],
            options={'table': 'target_summary_grade', 'app': 'models', 'unique_together': (('school', 'key_stage', 'year_group', 'subject', 'points'),), 'pk_attr': 'id', 'table_description': 'Live targets of one school, year group and subject at one points value.'},
            bases=['Model'],
        ),
        ops.RunPython(create_triggers, drop_triggers),
    ]
