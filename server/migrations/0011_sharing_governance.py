from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from server.models.enums import KeyStage
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_tracking')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OutsideRead',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.Organisation', source_field='school_id', db_constraint=True, to_field='id', related_name='outside_reads', on_delete=OnDelete.CASCADE)),
                ('reader', fields.ForeignKeyField('models.Account', source_field='reader_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('reader_name', fields.CharField(max_length=101)),
                ('reader_organisation', fields.ForeignKeyField('models.Organisation', source_field='reader_organisation_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('read_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('level', fields.CharField(max_length=10)),
                ('key_stage', fields.CharEnumField(description='KS2: KS2\nKS4: KS4\nKS5: KS5', enum_type=KeyStage, max_length=3)),
                ('year_group', fields.IntField()),
                ('subjects', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('pupils', fields.IntField(null=True)),
                ('via', fields.CharField(max_length=10)),
            ],
            options={'table': 'outside_read', 'app': 'models', 'indexes': [Index(fields=['school_id', 'read_at'])], 'pk_attr': 'id', 'table_description': "One outside read of a school's targets: who, when, what and through which door."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SharingChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.Organisation', source_field='school_id', db_constraint=True, to_field='id', related_name='sharing_changes', on_delete=OnDelete.CASCADE)),
                ('key_stage', fields.CharEnumField(description='KS2: KS2\nKS4: KS4\nKS5: KS5', enum_type=KeyStage, max_length=3)),
                ('year_group', fields.IntField()),
                ('pupil_level_with_la', fields.BooleanField(default=False)),
                ('aggregate_with_la', fields.BooleanField(default=False)),
                ('aggregate_with_chain', fields.BooleanField(default=False)),
                ('status', fields.CharField(default='pending', max_length=12)),
                ('requested_by', fields.ForeignKeyField('models.Account', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('models.Account', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sharing_change', 'app': 'models', 'indexes': [Index(fields=['school_id', 'status'])], 'pk_attr': 'id', 'table_description': 'A request to turn on or widen sharing for one year group, until a senior leader decides.'},
            bases=['Model'],
        ),
    ]
