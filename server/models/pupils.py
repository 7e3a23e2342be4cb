from tortoise import fields
from tortoise.models import Model

from server.models.enums import KeyStage, PupilImportStatus


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
    # A fallback baseline (mean 100, SD 15, e.g. CAT4 mean SAS), used only without prior
    # attainment: services/estimates/baselines.py, docs/BASELINES.md.
    standardised_score = fields.FloatField(null=True)
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


class PupilImport(Model):
    """An uploaded pupil file awaiting confirmation: its rows and their row-level problems.

    Nothing reaches the pupil table until the import is confirmed. `rows` holds, for each
    data row of the file, its row number, the values read and the problems found.
    """

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name="pupil_imports", on_delete=fields.CASCADE
    )
    file_name = fields.CharField(max_length=200)
    academic_year = fields.IntField(null=True)
    status = fields.CharEnumField(PupilImportStatus, max_length=20, default=PupilImportStatus.PENDING)
    rows = fields.JSONField()
    result = fields.JSONField(null=True)
    created_by = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    confirmed_by = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    confirmed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "pupil_import"
        indexes = (("school_id", "created_at"),)
