from tortoise import fields
from tortoise.models import Model

from server.models.enums import BenchmarkLevel, KeyStage, TargetChangeKind


class Target(Model):
    """A pupil's target in a subject, one row per pupil and subject (soft-deleted)."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name="targets", on_delete=fields.CASCADE
    )
    pupil = fields.ForeignKeyField("models.Pupil", related_name="targets", on_delete=fields.CASCADE)
    subject = fields.ForeignKeyField(
        "models.Subject", related_name="targets", on_delete=fields.CASCADE
    )
    key_stage = fields.CharEnumField(KeyStage, max_length=3)
    year_group = fields.IntField()
    grade = fields.CharField(max_length=10)
    points = fields.FloatField()
    prepopulated = fields.BooleanField(default=False)
    prepopulated_grade = fields.CharField(max_length=10, null=True)
    prepopulated_points = fields.FloatField(null=True)
    benchmark = fields.CharEnumField(BenchmarkLevel, max_length=10, null=True)
    custom_level = fields.CharField(max_length=12, null=True)  # benchmark CUSTOM: which one
    model_version = fields.CharField(max_length=20, null=True)
    set_by = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    updated_at = fields.DatetimeField()
    deletion_id = fields.IntField(null=True)  # the TargetDeletion that removed it
    deleted_at = fields.DatetimeField(null=True)
    # Null while the target is current. Set by rolling forward when the pupil leaves or
    # moves to another key stage: the academic year (2026 for 2026/27) in which the pupil
    # was in `year_group`. Such a target is kept as history, never shown as current.
    history_academic_year = fields.IntField(null=True)

    class Meta:
        table = "target"
        unique_together = (("pupil", "subject"),)
        indexes = (("school_id", "key_stage", "year_group", "subject_id"),)


class TargetChange(Model):
    """Every change to a target: who, when, old and new value and why."""

    id = fields.IntField(primary_key=True)
    # Indexed: reading a target's history, and deleting targets (the cascade), find its rows.
    target = fields.ForeignKeyField(
        "models.Target", related_name="changes", on_delete=fields.CASCADE, db_index=True
    )
    kind = fields.CharEnumField(TargetChangeKind, max_length=20)
    old_grade = fields.CharField(max_length=10, null=True)
    new_grade = fields.CharField(max_length=10, null=True)
    reason = fields.CharField(max_length=500, null=True)
    benchmark = fields.CharEnumField(BenchmarkLevel, max_length=10, null=True)
    custom_level = fields.CharField(max_length=12, null=True)  # benchmark CUSTOM: which one
    model_version = fields.CharField(max_length=20, null=True)
    changed_by = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    changed_at = fields.DatetimeField()

    class Meta:
        table = "target_change"
        ordering = ["changed_at", "id"]


class TargetDeletion(Model):
    """One use of Delete targets, restorable for 30 days, then purged."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name="target_deletions", on_delete=fields.CASCADE
    )
    key_stage = fields.CharEnumField(KeyStage, max_length=3)
    year_group = fields.IntField()
    subject = fields.ForeignKeyField(
        "models.Subject", related_name=False, null=True, on_delete=fields.CASCADE
    )
    targets_deleted = fields.IntField()
    deleted_by = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    deleted_at = fields.DatetimeField()
    restored_at = fields.DatetimeField(null=True)
    purge_after = fields.DatetimeField()

    class Meta:
        table = "target_deletion"


class TargetSummary(Model):
    """Per school, year group and subject totals kept current as targets change."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name="target_summaries", on_delete=fields.CASCADE
    )
    key_stage = fields.CharEnumField(KeyStage, max_length=3)
    year_group = fields.IntField()
    subject = fields.ForeignKeyField(
        "models.Subject", related_name=False, on_delete=fields.CASCADE
    )
    targets_set = fields.IntField(default=0)
    prepopulated = fields.IntField(default=0)
    points_total = fields.FloatField(default=0)

    class Meta:
        table = "target_summary"
        unique_together = (("school", "key_stage", "year_group", "subject"),)
