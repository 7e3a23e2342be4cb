from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from server.models.enums import KeyStage
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

# Versioned national estimates (issue 14 part 3): the loaded parameter versions and each
# school's applied one per key stage. The shipped parameter files are the first version and
# need no row (a school without a row uses them).

class Migration(migrations.Migration):
    dependencies = [('models', '0016_custom_challenge')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EstimatesVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key_stage', fields.CharEnumField(description='KS2: KS2\nKS4: KS4\nKS5: KS5', enum_type=KeyStage, max_length=3)),
                ('version', fields.CharField(max_length=20)),
                ('label', fields.CharField(max_length=100)),
                ('parameters', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('loaded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('loaded_by', fields.CharField(description='Who loaded it (operator CLI user)', max_length=100)),
            ],
            options={'table': 'estimates_version', 'app': 'models', 'unique_together': (('key_stage', 'version'),), 'pk_attr': 'id', 'table_description': 'One loaded set of model parameters for a key stage, never changed once loaded.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SchoolEstimatesVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.Organisation', source_field='school_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('key_stage', fields.CharEnumField(description='KS2: KS2\nKS4: KS4\nKS5: KS5', enum_type=KeyStage, max_length=3)),
                ('version', fields.CharField(max_length=20)),
                ('previous_version', fields.CharField(null=True, max_length=20)),
                ('revision', fields.IntField(default=0)),
                ('applied_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('applied_by', fields.ForeignKeyField('models.Account', source_field='applied_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'school_estimates_version', 'app': 'models', 'unique_together': (('school', 'key_stage'),), 'pk_attr': 'id', 'table_description': "The version a school's estimates come from for a key stage, and the one before it."},
            bases=['Model'],
        ),
    ]
