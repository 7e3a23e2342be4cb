from __future__ import annotations

import strawberry

from server.auth.tokens import create_api_token, revoke_api_token
from server.models import ApiToken as ApiTokenModel
from server.permissions.checks import require_user
from server.schema.errors import Forbidden, NotFound
from server.schema.tokens import (
    ApiToken,
    ApiTokenError,
    ApiTokenErrorCode,
    CreateApiTokenPayload,
    RevokeApiTokenPayload,
)

MAX_LIVE_TOKENS = 20


def to_type(token: ApiTokenModel) -> ApiToken:
    return ApiToken(
        id=strawberry.ID(str(token.id)), name=token.name, prefix=token.prefix,
        created_at=token.created_at, last_used_at=token.last_used_at, revoked_at=token.revoked_at,
    )


async def api_tokens(context) -> list[ApiToken]:
    account = require_user(context)
    rows = await ApiTokenModel.filter(account_id=account.id).order_by("-created_at", "-id")
    return [to_type(t) for t in rows]


async def create(context, name: str) -> CreateApiTokenPayload:
    account = require_user(context)
    if context.viewer.api_token is not None:
        raise Forbidden("API tokens can only be created from the account page.")
    name = name.strip()
    error = None
    if not name:
        error = ApiTokenError(field="name", message="Enter a name for the token", code=ApiTokenErrorCode.REQUIRED)
    elif len(name) > 100:
        error = ApiTokenError(field="name", message="Name must be 100 characters or fewer",
                              code=ApiTokenErrorCode.TOO_LONG)
    elif await ApiTokenModel.filter(account_id=account.id, revoked_at=None).count() >= MAX_LIVE_TOKENS:
        error = ApiTokenError(field="name", message=f"You can have at most {MAX_LIVE_TOKENS} tokens. Revoke one first.",
                              code=ApiTokenErrorCode.TOO_MANY)
    if error:
        return CreateApiTokenPayload(api_token=None, token=None, errors=[error])
    plain, token = await create_api_token(account, name)
    return CreateApiTokenPayload(api_token=to_type(token), token=plain, errors=[])


async def revoke(context, token_id: str) -> RevokeApiTokenPayload:
    account = require_user(context)
    try:
        number = int(token_id)
    except ValueError as error:
        raise NotFound("No such token.") from error
    if not await revoke_api_token(account, number):
        if not await ApiTokenModel.filter(id=number, account_id=account.id).exists():
            raise NotFound("No such token.")
    token = await ApiTokenModel.get(id=number)
    return RevokeApiTokenPayload(api_token=to_type(token), errors=[])
