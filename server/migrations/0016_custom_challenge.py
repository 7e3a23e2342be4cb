from tortoise import migrations
from tortoise.migrations import operations as ops
from server.models.enums import BenchmarkLevel
from tortoise import fields

# Custom challenge levels (issue 14 part 2): subject_settings.custom_level holds a school's own
# level (services/estimates/challenge.py code), target and target_change record the level a
# pre-populated target came from, estimate_summary caches the mean at it.
#
# The benchmark columns only gain the value CUSTOM: their enum's description changes, which
# is no column change at all. Tortoise would rebuild the tables on SQLite for it (dropping
# the summary triggers of 0003 on target), so those three AlterFields change the migration
# state only.


class StateOnlyAlterField(ops.AlterField):
    """A field change with nothing to do in the database (a description)."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [('models', '0015_webhooks')]

    initial = False

    operations = [
        ops.AddField(
            model_name='EstimateSummary',
            name='custom',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='EstimateSummary',
            name='custom_level',
            field=fields.CharField(null=True, max_length=12),
        ),
        StateOnlyAlterField(
            model_name='SubjectSettings',
            name='benchmark',
            field=fields.CharEnumField(null=True, description='AVERAGE: AVERAGE\nHIGH: HIGH\nVERY_HIGH: VERY_HIGH\nCUSTOM: CUSTOM', enum_type=BenchmarkLevel, max_length=10),
        ),
        ops.AddField(
            model_name='SubjectSettings',
            name='custom_level',
            field=fields.CharField(null=True, max_length=12),
        ),
        StateOnlyAlterField(
            model_name='Target',
            name='benchmark',
            field=fields.CharEnumField(null=True, description='AVERAGE: AVERAGE\nHIGH: HIGH\nVERY_HIGH: VERY_HIGH\nCUSTOM: CUSTOM', enum_type=BenchmarkLevel, max_length=10),
        ),
        ops.AddField(
            model_name='Target',
            name='custom_level',
            field=fields.CharField(null=True, max_length=12),
        ),
        StateOnlyAlterField(
            model_name='TargetChange',
            name='benchmark',
            field=fields.CharEnumField(null=True, description='AVERAGE: AVERAGE\nHIGH: HIGH\nVERY_HIGH: VERY_HIGH\nCUSTOM: CUSTOM', enum_type=BenchmarkLevel, max_length=10),
        ),
        ops.AddField(
            model_name='TargetChange',
            name='custom_level',
            field=fields.CharField(null=True, max_length=12),
        ),
    ]
