"""Root fields for the user's own API tokens."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from server.resolvers import tokens as resolve
from server.schema.tokens import ApiToken, CreateApiTokenInput, CreateApiTokenPayload, RevokeApiTokenPayload


@strawberry.type
class TokenQuery:
    @strawberry.field(description="The signed-in user's API tokens, newest first.")
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        return await resolve.api_tokens(info.context)


@strawberry.type
class TokenMutation:
    @strawberry.mutation
    async def create_api_token(self, info: Info, input: CreateApiTokenInput) -> CreateApiTokenPayload:
        return await resolve.create(info.context, input.name)

    @strawberry.mutation
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> RevokeApiTokenPayload:
        return await resolve.revoke(info.context, id)
