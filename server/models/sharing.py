from tortoise import fields
from tortoise.models import Model

from server.models.enums import KeyStage


class SharingChange(Model):
    """A request to turn on or widen sharing for one year group, until a senior leader decides.

    status: pending, approved, refused or superseded (a later save of the same year group).
    Turning sharing off or narrowing it never waits, so it never makes a row here.
    """

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name="sharing_changes", on_delete=fields.CASCADE
    )
    key_stage = fields.CharEnumField(KeyStage, max_length=3)
    year_group = fields.IntField()
    pupil_level_with_la = fields.BooleanField(default=False)
    aggregate_with_la = fields.BooleanField(default=False)
    aggregate_with_chain = fields.BooleanField(default=False)
    status = fields.CharField(max_length=12, default="pending")
    requested_by = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    requested_at = fields.DatetimeField()
    decided_by = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sharing_change"
        indexes = (("school_id", "status"),)


class OutsideRead(Model):
    """One outside read of a school's targets: who, when, what and through which door.

    level: aggregate or pupil. via: page, export or token. subjects: codes, empty for all.
    pupils: how many pupils a pupil-level read returned (null for aggregates).
    """

    id = fields.BigIntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name="outside_reads", on_delete=fields.CASCADE
    )
    reader = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    reader_name = fields.CharField(max_length=101)
    reader_organisation = fields.ForeignKeyField(
        "models.Organisation", related_name=False, on_delete=fields.CASCADE
    )
    read_at = fields.DatetimeField()
    level = fields.CharField(max_length=10)
    key_stage = fields.CharEnumField(KeyStage, max_length=3)
    year_group = fields.IntField()
    subjects = fields.JSONField(default=list)
    pupils = fields.IntField(null=True)
    via = fields.CharField(max_length=10)

    class Meta:
        table = "outside_read"
        indexes = (("school_id", "read_at"),)
