"""Summary rows that the database keeps current, so that aggregates never scan targets.

`TargetSummary` (server.models.targets) and `TargetSummaryGrade` are maintained by triggers
on target and pupil (migration 0003), `PupilRevision` by triggers on pupil.
`EstimateSummary` is a cache that readers refresh when its revision is behind.
"""

from tortoise import fields
from tortoise.models import Model

from server.models.enums import KeyStage


class TargetSummaryGrade(Model):
    """Live targets of one school, year group and subject at one points value.

    The same live targets as TargetSummary (not deleted, not history, of a pupil who has
    not left, grouped by the pupil's current year group), one row per points value, for
    counting targets at or above a grade.
    """

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name=False, on_delete=fields.CASCADE
    )
    key_stage = fields.CharEnumField(KeyStage, max_length=3)
    year_group = fields.IntField()
    subject = fields.ForeignKeyField("models.Subject", related_name=False, on_delete=fields.CASCADE)
    points = fields.FloatField()
    targets = fields.IntField(default=0)
    prepopulated = fields.IntField(default=0)

    class Meta:
        table = "target_summary_grade"
        unique_together = (("school", "key_stage", "year_group", "subject", "points"),)


class PupilRevision(Model):
    """Bumped by a trigger whenever a pupil of the school's year group is added, changed
    (year group, leaving, prior attainment, gender, date of birth) or removed.

    No foreign key: a pupil removed with its school still bumps the revision.
    """

    id = fields.IntField(primary_key=True)
    school_id = fields.IntField()
    year_group = fields.IntField()
    revision = fields.IntField(default=0)

    class Meta:
        table = "pupil_revision"
        unique_together = (("school_id", "year_group"),)


class EstimateSummary(Model):
    """Cached per school, year group and subject: pupils with prior attainment and the mean
    estimate at each benchmark, as of a pupil revision and a model version.

    Stale when the year group's PupilRevision or the model version has moved on, or the
    school's custom challenge level is not the one `custom` was computed at. Readers
    recompute only stale rows, in SQL (services.targets.aggregates).
    """

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name=False, on_delete=fields.CASCADE
    )
    key_stage = fields.CharEnumField(KeyStage, max_length=3)
    year_group = fields.IntField()
    subject = fields.ForeignKeyField("models.Subject", related_name=False, on_delete=fields.CASCADE)
    pupils = fields.IntField()
    # Of `pupils`, those estimated from a standardised score (no prior attainment of their own)
    fallback_pupils = fields.IntField(default=0)
    average = fields.FloatField(null=True)
    high = fields.FloatField(null=True)
    very_high = fields.FloatField(null=True)
    # The mean at the school's custom challenge level (its code in custom_level, null: none)
    custom = fields.FloatField(null=True)
    custom_level = fields.CharField(max_length=12, null=True)
    model_version = fields.CharField(max_length=20)
    revision = fields.IntField()

    class Meta:
        table = "estimate_summary"
        unique_together = (("school", "key_stage", "year_group", "subject"),)
