"""A pupil's standardised score (a fallback baseline without prior attainment), and the
pupil_revision triggers bumped when it changes, so cached estimates follow it.

The trigger SQL is copied here (never imported from 0003), so this migration stays as it was.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

_OLD_COLUMNS = ("school_id", "year_group", "prior_attainment", "gender", "date_of_birth")
_NEW_COLUMNS = (*_OLD_COLUMNS, "standardised_score")


def _sqlite_bump(row: str) -> str:
    return (f"INSERT INTO pupil_revision (school_id, year_group, revision) "
            f"VALUES ({row}.school_id, {row}.year_group, 1) "
            "ON CONFLICT (school_id, year_group) DO UPDATE SET revision = revision + 1")


def _sqlite_trigger(columns) -> str:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
    return (f"CREATE TRIGGER pupil_revision_update AFTER UPDATE OF {', '.join(columns)}, "
            f"left_at ON pupil WHEN {changed} OR (OLD.left_at IS NULL) <> (NEW.left_at IS NULL) "
            f"BEGIN {_sqlite_bump('OLD')}; {_sqlite_bump('NEW')}; END")


_PG_BUMP = """INSERT INTO pupil_revision AS r (school_id, year_group, revision)
    SELECT school_id, year_group, 1 FROM ({groups}) g GROUP BY school_id, year_group
    ORDER BY school_id, year_group
    ON CONFLICT (school_id, year_group) DO UPDATE SET revision = r.revision + 1"""


def _pg_function(columns) -> str:
    changed = " OR ".join([f"o.{c} IS DISTINCT FROM n.{c}" for c in columns]
                          + ["(o.left_at IS NULL) <> (n.left_at IS NULL)"])
    bump = _PG_BUMP.format(
        groups="SELECT o.school_id, o.year_group FROM old_pupils o JOIN new_pupils n ON n.id = o.id "
               f"WHERE {changed} UNION ALL "
               "SELECT n.school_id, n.year_group FROM old_pupils o JOIN new_pupils n ON n.id = o.id "
               f"WHERE {changed}")
    return ("CREATE OR REPLACE FUNCTION pupil_revision_update() RETURNS trigger LANGUAGE plpgsql "
            f"AS $body$\nBEGIN\n{bump};\nRETURN NULL;\nEND\n$body$")


async def _replace(schema_editor, columns) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_query(_pg_function(columns))
    else:
        await client.execute_query("DROP TRIGGER IF EXISTS pupil_revision_update")
        await client.execute_query(_sqlite_trigger(columns))


async def watch_score(apps, schema_editor) -> None:
    await _replace(schema_editor, _NEW_COLUMNS)
    # A cache: its rows are recomputed with the fallback baselines when next read.
    await schema_editor.client.execute_query("DELETE FROM estimate_summary")


async def unwatch_score(apps, schema_editor) -> None:
    await _replace(schema_editor, _OLD_COLUMNS)


class Migration(migrations.Migration):
    dependencies = [('models', '0011_sharing_governance')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Pupil',
            name='standardised_score',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='EstimateSummary',
            name='fallback_pupils',
            field=fields.IntField(default=0),
        ),
        ops.RunPython(watch_score, unwatch_score),
    ]
