from tortoise import fields
from tortoise.models import Model

from server.models.enums import BatchKind, BatchStatus


class Batch(Model):
    """An uploaded spreadsheet of users or administrators, checked before creation."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField(
        "models.Organisation", related_name="batches", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(BatchKind, max_length=20)
    file_name = fields.CharField(max_length=255)
    status = fields.CharEnumField(
        BatchStatus, max_length=30, default=BatchStatus.PARTIALLY_PROCESSED
    )
    uploaded_by = fields.ForeignKeyField(
        "models.Account", related_name="uploaded_batches", null=True, on_delete=fields.SET_NULL
    )
    uploaded_at = fields.DatetimeField(auto_now_add=True)
    created_count = fields.IntField(default=0)
    deleted_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=0)  # bumped by every Create, guards double clicks

    class Meta:
        table = "batch"
        indexes = (("organisation_id", "kind", "status"),)


class BatchRow(Model):
    id = fields.IntField(primary_key=True)
    batch = fields.ForeignKeyField("models.Batch", related_name="rows", on_delete=fields.CASCADE)
    row_number = fields.IntField()
    forename = fields.TextField(default="")
    surname = fields.TextField(default="")
    email = fields.TextField(default="")
    role = fields.TextField(default="")
    pupil_access = fields.TextField(default="")
    created_account = fields.ForeignKeyField(
        "models.Account", related_name="created_from_rows", null=True, on_delete=fields.SET_NULL
    )
    removed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "batch_row"
        unique_together = (("batch", "row_number"),)
        ordering = ["row_number"]
