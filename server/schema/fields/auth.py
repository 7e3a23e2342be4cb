"""Root mutations for signing in and out."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from server.resolvers import auth as resolve
from server.schema.auth import SignInInput, SignInPayload, SignOutPayload


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Starts a session for the pages; not for API tokens.")
    async def sign_in(self, info: Info, input: SignInInput) -> SignInPayload:
        return await resolve.sign_in(info.context, input)

    @strawberry.mutation
    async def sign_out(self, info: Info) -> SignOutPayload:
        return await resolve.sign_out(info.context)
