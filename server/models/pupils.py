from tortoise import fields
from tortoise.models import Model

from server.models.enums import KeyStage


class Subject(Model):
    """A subject of a key stage, on its outcome scale."""

    id = fields.IntField(primary_key=True)
    key_stage = fields.CharEnumField(KeyStage, max_length=3)
    code = fields.CharField(max_length=40)
    name = fields.CharField(max_length=100)
    scale = fields.CharField(max_length=20)
    is_default = fields.BooleanField(default=True)
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "subject"
        unique_together = (("key_stage", "code"),)
        ordering = ["key_stage", "sort_order", "name"]


class Pupil(Model):
    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name="pupils", on_delete=fields.CASCADE
    )
    upn = fields.CharField(max_length=13)
    forename = fields.CharField(max_length=100)
    surname = fields.CharField(max_length=100)
    gender = fields.CharField(max_length=1)  # "F" or "M"
    date_of_birth = fields.DateField()
    year_group = fields.IntField()
    prior_attainment = fields.FloatField(null=True)
    disadvantaged = fields.BooleanField(default=False)
    sen = fields.BooleanField(default=False)
    eal = fields.BooleanField(default=False)
    left_at = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "pupil"
        unique_together = (("school", "upn"),)
        indexes = (("school_id", "year_group"),)


class SchoolValueAdded(Model):
    """A school's value added in a subject in one academic year (mean residual)."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name="value_added", on_delete=fields.CASCADE
    )
    subject = fields.ForeignKeyField(
        "models.Subject", related_name="value_added", on_delete=fields.CASCADE
    )
    academic_year = fields.IntField()
    value_added = fields.FloatField()
    pupils = fields.IntField()

    class Meta:
        table = "school_value_added"
        unique_together = (("school", "subject", "academic_year"),)
