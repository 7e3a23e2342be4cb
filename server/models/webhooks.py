from tortoise import fields
from tortoise.models import Model

from server.models.enums import KeyStage


class SharedTargetsRevision(Model):
    """Bumped by triggers on target_summary whenever a school's live targets of a year group
    change (migration 0015). Webhooks and subscriptions compare it with what they last saw.

    No foreign key: like pupil_revision, a row outlives nothing that matters.
    """

    id = fields.IntField(primary_key=True)
    school_id = fields.IntField()
    key_stage = fields.CharField(max_length=3)
    year_group = fields.IntField()
    revision = fields.IntField(default=0)

    class Meta:
        table = "shared_targets_revision"
        unique_together = (("school_id", "key_stage", "year_group"),)


class Webhook(Model):
    """An outside organisation's address to tell when a school's shared targets change.

    secret: the signing secret, encrypted with the server's key (shown once when made).
    seen: the revision of each year group already told (year group as text to revision),
    seen_version: bumped with each change of seen, so that one worker enqueues each change.
    """

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField(
        "models.Organisation", related_name="webhooks", on_delete=fields.CASCADE
    )
    school = fields.ForeignKeyField(
        "models.Organisation", related_name=False, on_delete=fields.CASCADE
    )
    key_stage = fields.CharEnumField(KeyStage, max_length=3)
    url = fields.CharField(max_length=500)
    secret = fields.CharField(max_length=200)
    created_by = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    seen = fields.JSONField(default=dict)
    seen_version = fields.IntField(default=0)

    class Meta:
        table = "webhook"
        indexes = (("organisation_id", "school_id"),)


class WebhookDelivery(Model):
    """One notice to send: the durable queue the delivery worker claims rows from.

    status: queued, delivered, failed (gave up after the last attempt) or stopped (sharing
    stopped, or the webhook's account left). A worker claims a queued row that is due with
    one conditional UPDATE (claimed_until as a lease), so a killed worker's row is sent later.
    """

    id = fields.BigIntField(primary_key=True)
    webhook = fields.ForeignKeyField(
        "models.Webhook", related_name="deliveries", on_delete=fields.CASCADE
    )
    event_id = fields.CharField(max_length=40, unique=True)
    payload = fields.JSONField()
    status = fields.CharField(max_length=10, default="queued")
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    claimed_by = fields.CharField(max_length=80, null=True)
    claimed_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    response_status = fields.IntField(null=True)
    last_error = fields.CharField(max_length=300, null=True)

    class Meta:
        table = "webhook_delivery"
        indexes = (("status", "next_attempt_at"),)
