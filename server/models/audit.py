from tortoise import fields
from tortoise.models import Model

from server.models.enums import AccessVia


class AuditEvent(Model):
    """Append-only: who did what, when, through what, before and after."""

    id = fields.BigIntField(primary_key=True)
    organisation = fields.ForeignKeyField(
        "models.Organisation", related_name="audit_events", null=True, on_delete=fields.SET_NULL
    )
    actor = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    actor_organisation = fields.ForeignKeyField(
        "models.Organisation", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    via = fields.CharEnumField(AccessVia, max_length=20)
    api_token = fields.ForeignKeyField(
        "models.ApiToken", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=60, db_index=True)
    subject_type = fields.CharField(max_length=40, null=True)
    subject_id = fields.CharField(max_length=40, null=True)
    before = fields.JSONField(null=True)
    after = fields.JSONField(null=True)
    detail = fields.JSONField(null=True)
    ip_address = fields.CharField(max_length=45, null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "audit_event"
        indexes = (("organisation_id", "created_at"),)
