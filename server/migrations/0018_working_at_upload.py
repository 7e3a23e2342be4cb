from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from server.models.tracking import WorkingAtUploadStatus
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

# Working-at spreadsheet uploads (issue 14 part 1): a checked file waits here, its rows and
# every cell's verdict, until it is confirmed (once: a conditional UPDATE of its status) or
# replaced by the same person's next upload.

class Migration(migrations.Migration):
    dependencies = [('models', '0017_estimate_versions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WorkingAtUpload',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.Organisation', source_field='school_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('point', fields.ForeignKeyField('models.AssessmentPoint', source_field='point_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('year_group', fields.IntField()),
                ('file_name', fields.CharField(max_length=200)),
                ('status', fields.CharEnumField(default=WorkingAtUploadStatus.PENDING, description='PENDING: pending\nCONFIRMED: confirmed\nDISCARDED: discarded', enum_type=WorkingAtUploadStatus, max_length=10)),
                ('sheet', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('result', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('created_by', fields.ForeignKeyField('models.Account', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('confirmed_by', fields.ForeignKeyField('models.Account', source_field='confirmed_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'working_at_upload', 'app': 'models', 'indexes': [Index(fields=['school_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A checked working-at spreadsheet awaiting confirmation: its rows, each cell accepted'},
            bases=['Model'],
        ),
    ]
