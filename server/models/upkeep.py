from tortoise import fields
from tortoise.models import Model


class UpkeepClaim(Model):
    """Who runs a scheduled job now, and when it last finished: one row per job.

    A worker claims the job with one conditional UPDATE (free and due), so only one of
    several workers or servers runs it at a time, on SQLite and PostgreSQL alike.
    """

    name = fields.CharField(max_length=40, primary_key=True)
    holder = fields.CharField(max_length=80, null=True)
    claimed_until = fields.DatetimeField(null=True)
    last_started_at = fields.DatetimeField(null=True)
    last_finished_at = fields.DatetimeField(null=True)
    last_result = fields.JSONField(null=True)

    class Meta:
        table = "upkeep_claim"
