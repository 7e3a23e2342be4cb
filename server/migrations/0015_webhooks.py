from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from server.models.enums import KeyStage
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

# shared_targets_revision is bumped by triggers on target_summary (itself kept by the
# triggers of 0003/0004 on target and pupil), so every write path to targets, plain SQL
# included, moves it in the same transaction as the change. SQLite: row triggers, skipping
# updates that change no figure. PostgreSQL: statement triggers over transition tables, one
# upsert per school, key stage and year group a statement touched. The SQL is copied here,
# never imported, so that this migration stays as it was applied.

_UPSERT = ("INSERT INTO shared_targets_revision {alias}(school_id, key_stage, year_group, revision) "
           "{source} ON CONFLICT (school_id, key_stage, year_group) DO UPDATE SET revision = {rev} + 1")
_FIGURES = ("targets_set", "prepopulated", "points_total", "school_id", "key_stage", "year_group")


def _sqlite_bump(row: str) -> str:
    values = f"VALUES ({row}.school_id, {row}.key_stage, {row}.year_group, 1)"
    return _UPSERT.format(alias="", source=values, rev="revision")


SQLITE = [
    "CREATE TRIGGER shared_targets_on_insert AFTER INSERT ON target_summary "
    f"BEGIN {_sqlite_bump('NEW')}; END",
    "CREATE TRIGGER shared_targets_on_update AFTER UPDATE ON target_summary WHEN "
    + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _FIGURES)
    + f" BEGIN {_sqlite_bump('OLD')}; {_sqlite_bump('NEW')}; END",
    "CREATE TRIGGER shared_targets_on_delete AFTER DELETE ON target_summary "
    f"BEGIN {_sqlite_bump('OLD')}; END",
]


def _pg_bump(source: str) -> str:
    select = (f"SELECT school_id, key_stage, year_group, 1 FROM ({source}) AS changed "
              "GROUP BY school_id, key_stage, year_group ORDER BY school_id, key_stage, year_group")
    return _UPSERT.format(alias="AS r ", source=select, rev="r.revision")


def _pg_function(name: str, source: str) -> str:
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
            f"BEGIN\n{_pg_bump(source)};\nRETURN NULL;\nEND\n$body$")


_PG_CHANGED = (
    "SELECT n.school_id, n.key_stage, n.year_group FROM new_rows n JOIN old_rows o ON o.id = n.id "
    "WHERE (o.targets_set, o.prepopulated, o.points_total) IS DISTINCT FROM "
    "(n.targets_set, n.prepopulated, n.points_total) "
    "UNION ALL SELECT o.school_id, o.key_stage, o.year_group FROM new_rows n "
    "JOIN old_rows o ON o.id = n.id WHERE (o.school_id, o.key_stage, o.year_group) IS DISTINCT FROM "
    "(n.school_id, n.key_stage, n.year_group)"
)

POSTGRES = [
    _pg_function("shared_targets_on_insert", "SELECT school_id, key_stage, year_group FROM new_rows"),
    _pg_function("shared_targets_on_update", _PG_CHANGED),
    _pg_function("shared_targets_on_delete", "SELECT school_id, key_stage, year_group FROM old_rows"),
    "CREATE TRIGGER shared_targets_on_insert AFTER INSERT ON target_summary "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shared_targets_on_insert()",
    "CREATE TRIGGER shared_targets_on_update AFTER UPDATE ON target_summary "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION shared_targets_on_update()",
    "CREATE TRIGGER shared_targets_on_delete AFTER DELETE ON target_summary "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION shared_targets_on_delete()",
]

_TRIGGERS = ("shared_targets_on_insert", "shared_targets_on_update", "shared_targets_on_delete")


async def create_triggers(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for statement in POSTGRES if postgres else SQLITE:
        await client.execute_query(statement)


async def drop_triggers(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for name in _TRIGGERS:
        await client.execute_query(
            f"DROP TRIGGER IF EXISTS {name} ON target_summary" if postgres
            else f"DROP TRIGGER IF EXISTS {name}"
        )
        if postgres:
            await client.execute_query(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [('models', '0013_standardised_scores')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SharedTargetsRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school_id', fields.IntField()),
                ('key_stage', fields.CharField(max_length=3)),
                ('year_group', fields.IntField()),
                ('revision', fields.IntField(default=0)),
            ],
            options={'table': 'shared_targets_revision', 'app': 'models', 'unique_together': (('school_id', 'key_stage', 'year_group'),), 'pk_attr': 'id', 'table_description': "Bumped by triggers on target_summary whenever a school's live targets of a year group"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Webhook',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='webhooks', on_delete=OnDelete.CASCADE)),
                ('school', fields.ForeignKeyField('models.Organisation', source_field='school_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('key_stage', fields.CharEnumField(description='KS2: KS2\nKS4: KS4\nKS5: KS5', enum_type=KeyStage, max_length=3)),
                ('url', fields.CharField(max_length=500)),
                ('secret', fields.CharField(max_length=200)),
                ('created_by', fields.ForeignKeyField('models.Account', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('seen', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('seen_version', fields.IntField(default=0)),
            ],
            options={'table': 'webhook', 'app': 'models', 'indexes': [Index(fields=['organisation_id', 'school_id'])], 'pk_attr': 'id', 'table_description': "An outside organisation's address to tell when a school's shared targets change."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('webhook', fields.ForeignKeyField('models.Webhook', source_field='webhook_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('event_id', fields.CharField(unique=True, max_length=40)),
                ('payload', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharField(default='queued', max_length=10)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(null=True, max_length=80)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('response_status', fields.IntField(null=True)),
                ('last_error', fields.CharField(null=True, max_length=300)),
            ],
            options={'table': 'webhook_delivery', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'One notice to send: the durable queue the delivery worker claims rows from.'},
            bases=['Model'],
        ),
        ops.RunPython(create_triggers, drop_triggers),
    ]
