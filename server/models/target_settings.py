from tortoise import fields
from tortoise.models import Model

from server.models.enums import BenchmarkLevel, Editing, GradeFormat, KeyStage, Prepopulate


class YearGroupSettings(Model):
    """A school's targets settings for one key stage and year group, sharing included."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name="year_group_settings", on_delete=fields.CASCADE
    )
    key_stage = fields.CharEnumField(KeyStage, max_length=3)
    year_group = fields.IntField()
    use_target_setting = fields.BooleanField(default=False)
    prepopulate = fields.CharEnumField(Prepopulate, max_length=30, default=Prepopulate.NO)
    editing = fields.CharEnumField(Editing, max_length=10, default=Editing.YES)
    pupil_level_with_la = fields.BooleanField(default=False)
    aggregate_with_la = fields.BooleanField(default=False)
    aggregate_with_chain = fields.BooleanField(default=False)
    updated_by = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "year_group_settings"
        unique_together = (("school", "key_stage", "year_group"),)


class SubjectSettings(Model):
    """Benchmark, grade format and whether a subject is shown, per school and year group."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name="subject_settings", on_delete=fields.CASCADE
    )
    key_stage = fields.CharEnumField(KeyStage, max_length=3)
    year_group = fields.IntField()
    subject = fields.ForeignKeyField(
        "models.Subject", related_name="school_settings", on_delete=fields.CASCADE
    )
    # null: not saved yet, the intelligent benchmark is offered as a suggestion
    benchmark = fields.CharEnumField(BenchmarkLevel, max_length=10, null=True)
    grade_format = fields.CharEnumField(GradeFormat, max_length=5, null=True)
    # The school's custom challenge level (services/estimates/challenge.py code, e.g. "P35"),
    # used when benchmark is CUSTOM and kept when another benchmark is chosen.
    custom_level = fields.CharField(max_length=12, null=True)
    included = fields.BooleanField(default=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "subject_settings"
        unique_together = (("school", "key_stage", "year_group", "subject"),)
