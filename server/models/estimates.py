"""Versions of the national estimates model (issue 14 part 3).

The parameter files shipped in server/services/estimates/parameters are the first version of
each key stage and have no row here; an operator loads later ones (`aspire estimates load`).
A school keeps using the version it has until its administrators (or the operator) apply
another: `SchoolEstimatesVersion` holds that choice, absent meaning the shipped version.
"""

from tortoise import fields
from tortoise.models import Model

from server.models.enums import KeyStage


class EstimatesVersion(Model):
    """One loaded set of model parameters for a key stage, never changed once loaded."""

    id = fields.IntField(primary_key=True)
    key_stage = fields.CharEnumField(KeyStage, max_length=3)
    version = fields.CharField(max_length=20)
    label = fields.CharField(max_length=100)
    parameters = fields.JSONField()
    loaded_at = fields.DatetimeField()
    loaded_by = fields.CharField(max_length=100, description="Who loaded it (operator CLI user)")

    class Meta:
        table = "estimates_version"
        unique_together = (("key_stage", "version"),)


class SchoolEstimatesVersion(Model):
    """The version a school's estimates come from for a key stage, and the one before it.

    `revision` moves on every apply or roll back: the conditional UPDATE that changes the
    row names the revision it read, so of two applies at once only one wins.
    """

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "models.Organisation", related_name=False, on_delete=fields.CASCADE
    )
    key_stage = fields.CharEnumField(KeyStage, max_length=3)
    version = fields.CharField(max_length=20)
    previous_version = fields.CharField(max_length=20, null=True)
    revision = fields.IntField(default=0)
    applied_at = fields.DatetimeField(null=True)
    applied_by = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "school_estimates_version"
        unique_together = (("school", "key_stage"),)
