from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from server.models.enums import PupilImportStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PupilImport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.Organisation', source_field='school_id', db_constraint=True, to_field='id', related_name='pupil_imports', on_delete=OnDelete.CASCADE)),
                ('file_name', fields.CharField(max_length=200)),
                ('academic_year', fields.IntField(null=True)),
                ('status', fields.CharEnumField(default=PupilImportStatus.PENDING, description='PENDING: pending\nCONFIRMED: confirmed\nDISCARDED: discarded', enum_type=PupilImportStatus, max_length=20)),
                ('rows', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('result', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_by', fields.ForeignKeyField('models.Account', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('confirmed_by', fields.ForeignKeyField('models.Account', source_field='confirmed_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'pupil_import', 'app': 'models', 'indexes': [Index(fields=['school_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'An uploaded pupil file awaiting confirmation: its rows and their row-level problems.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Target',
            name='history_academic_year',
            field=fields.IntField(null=True),
        ),
    ]
