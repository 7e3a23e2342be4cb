from tortoise import fields
from tortoise.models import Model

from server.models.enums import OrganisationKind


class Organisation(Model):
    """A school, local authority, academy chain or the platform operator."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(OrganisationKind, max_length=20, db_index=True)
    name = fields.CharField(max_length=200)
    urn = fields.CharField(max_length=6, null=True, unique=True)
    la_code = fields.CharField(max_length=3, null=True, unique=True)
    phase = fields.CharField(max_length=20, null=True)
    local_authority = fields.ForeignKeyField(
        "models.Organisation", related_name="la_schools", null=True, on_delete=fields.RESTRICT
    )
    academy_chain = fields.ForeignKeyField(
        "models.Organisation", related_name="chain_schools", null=True, on_delete=fields.SET_NULL
    )
    current_academic_year = fields.IntField(null=True)
    require_mfa = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "organisation"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
