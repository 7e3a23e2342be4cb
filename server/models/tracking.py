from enum import Enum

from tortoise import fields
from tortoise.models import Model

from server.models.enums import KeyStage


class AssessmentPoint(Model):
    """A school's assessment point: a name and a date in an academic year, for one year
    group of a key stage, or (year_group null) every year group of the key stage."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name="assessment_points", on_delete=fields.CASCADE
    )
    key_stage = fields.CharEnumField(KeyStage, max_length=3)
    year_group = fields.IntField(null=True)
    academic_year = fields.IntField()
    name = fields.CharField(max_length=50)
    on = fields.DateField()
    created_by = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "assessment_point"
        unique_together = (("school", "key_stage", "year_group", "academic_year", "name"),)
        indexes = (("school_id", "key_stage", "academic_year", "on"),)


class ExpectedGrade(Model):
    """The grade a school expects at an assessment point for a subject and year group,
    replacing the linear flight path there for every pupil of the year group."""

    id = fields.IntField(primary_key=True)
    point = fields.ForeignKeyField(
        "models.AssessmentPoint", related_name="expected_grades", on_delete=fields.CASCADE
    )
    subject = fields.ForeignKeyField(
        "models.Subject", related_name=False, on_delete=fields.CASCADE
    )
    year_group = fields.IntField()
    grade = fields.CharField(max_length=10)
    points = fields.FloatField()
    set_by = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    set_at = fields.DatetimeField()

    class Meta:
        table = "expected_grade"
        unique_together = (("point", "subject", "year_group"),)


class WorkingAtGrade(Model):
    """A teacher's current working-at grade for a pupil and subject at an assessment point
    (one row per pupil, subject and point: entering again replaces it)."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name=False, on_delete=fields.CASCADE
    )
    pupil = fields.ForeignKeyField(
        "models.Pupil", related_name="working_at_grades", on_delete=fields.CASCADE
    )
    subject = fields.ForeignKeyField(
        "models.Subject", related_name=False, on_delete=fields.CASCADE
    )
    point = fields.ForeignKeyField(
        "models.AssessmentPoint", related_name="working_at_grades", on_delete=fields.CASCADE
    )
    grade = fields.CharField(max_length=10)
    points = fields.FloatField()
    entered_by = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    entered_at = fields.DatetimeField()

    class Meta:
        table = "working_at_grade"
        unique_together = (("pupil", "subject", "point"),)
        indexes = (("school_id", "point_id", "subject_id"),)


class WorkingAtUploadStatus(str, Enum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISCARDED = "discarded"


class WorkingAtUpload(Model):
    """A checked working-at spreadsheet awaiting confirmation: its rows, each cell accepted
    or refused with a reason. Nothing reaches working_at_grade until it is confirmed, once."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name=False, on_delete=fields.CASCADE
    )
    point = fields.ForeignKeyField(
        "models.AssessmentPoint", related_name=False, on_delete=fields.CASCADE
    )
    year_group = fields.IntField()
    file_name = fields.CharField(max_length=200)
    status = fields.CharEnumField(WorkingAtUploadStatus, max_length=10,
                                  default=WorkingAtUploadStatus.PENDING)
    # {"subjects": [{code, name}], "ignored": [heading], "rows": [{row, upn, name, pupilId,
    # problem, cells: [{subject, subjectId, grade, points, problem}]}]}
    sheet = fields.JSONField()
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
        table = "working_at_upload"
        indexes = (("school_id", "created_at"),)
