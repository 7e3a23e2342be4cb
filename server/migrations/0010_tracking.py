from tortoise import migrations
from tortoise.migrations import operations as ops
from server.models.enums import KeyStage
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_upkeep')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AssessmentPoint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.Organisation', source_field='school_id', db_constraint=True, to_field='id', related_name='assessment_points', on_delete=OnDelete.CASCADE)),
                ('key_stage', fields.CharEnumField(description='KS2: KS2\nKS4: KS4\nKS5: KS5', enum_type=KeyStage, max_length=3)),
                ('year_group', fields.IntField(null=True)),
                ('academic_year', fields.IntField()),
                ('name', fields.CharField(max_length=50)),
                ('on', fields.DateField()),
                ('created_by', fields.ForeignKeyField('models.Account', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'assessment_point', 'app': 'models', 'unique_together': (('school', 'key_stage', 'year_group', 'academic_year', 'name'),), 'indexes': [Index(fields=['school_id', 'key_stage', 'academic_year', 'on'])], 'pk_attr': 'id', 'table_description': "A school's assessment point: a name and a date in an academic year, for one year"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ExpectedGrade',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('point', fields.ForeignKeyField('models.AssessmentPoint', source_field='point_id', db_constraint=True, to_field='id', related_name='expected_grades', on_delete=OnDelete.CASCADE)),
                ('subject', fields.ForeignKeyField('models.Subject', source_field='subject_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('year_group', fields.IntField()),
                ('grade', fields.CharField(max_length=10)),
                ('points', fields.FloatField()),
                ('set_by', fields.ForeignKeyField('models.Account', source_field='set_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('set_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'expected_grade', 'app': 'models', 'unique_together': (('point', 'subject', 'year_group'),), 'pk_attr': 'id', 'table_description': 'The grade a school expects at an assessment point for a subject and year group,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WorkingAtGrade',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.Organisation', source_field='school_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('pupil', fields.ForeignKeyField('models.Pupil', source_field='pupil_id', db_constraint=True, to_field='id', related_name='working_at_grades', on_delete=OnDelete.CASCADE)),
                ('subject', fields.ForeignKeyField('models.Subject', source_field='subject_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('point', fields.ForeignKeyField('models.AssessmentPoint', source_field='point_id', db_constraint=True, to_field='id', related_name='working_at_grades', on_delete=OnDelete.CASCADE)),
                ('grade', fields.CharField(max_length=10)),
                ('points', fields.FloatField()),
                ('entered_by', fields.ForeignKeyField('models.Account', source_field='entered_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('entered_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'working_at_grade', 'app': 'models', 'unique_together': (('pupil', 'subject', 'point'),), 'indexes': [Index(fields=['school_id', 'point_id', 'subject_id'])], 'pk_attr': 'id', 'table_description': "A teacher's current working-at grade for a pupil and subject at an assessment point"},
            bases=['Model'],
        ),
    ]
