"""API tokens of the signed-in user."""

from __future__ import annotations

from datetime import datetime

import strawberry

from server.schema.error_codes import error_codes
from server.services.accounts.errors import ApiTokenErrorCode


@strawberry.type
class ApiToken:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="The first characters, to recognise the token")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


error_codes(ApiTokenErrorCode)


@strawberry.type
class ApiTokenError:
    field: str | None
    message: str
    code: ApiTokenErrorCode


@strawberry.input
class CreateApiTokenInput:
    name: str


@strawberry.type
class CreateApiTokenPayload:
    api_token: ApiToken | None
    token: str | None = strawberry.field(description="Shown once; only its digest is kept")
    errors: list[ApiTokenError]


@strawberry.type
class RevokeApiTokenPayload:
    api_token: ApiToken | None
    errors: list[ApiTokenError]
