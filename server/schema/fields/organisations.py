"""Root query fields of the organisations domain."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from server.resolvers import organisations as resolve
from server.schema.organisations import SchoolConnection, Viewer


@strawberry.type
class OrganisationQuery:
    @strawberry.field(description="The signed-in person, or the owner of the API token.")
    def viewer(self, info: Info) -> Viewer:
        return resolve.viewer(info.context)

    @strawberry.field(
        description="Schools the viewer may see anything of: its own school, an LA's "
        "schools, a chain's schools."
    )
    async def schools(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> SchoolConnection:
        return await resolve.schools(info.context, 50 if first is None else first, after)
