from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_target_change_index')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Account',
            name='totp_last_step',
            field=fields.BigIntField(null=True),
        ),
    ]
