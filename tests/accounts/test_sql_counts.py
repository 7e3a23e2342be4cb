"""Pending users, Users I manage, Administrators and the audit log: statements do not grow
with the number of rows."""

from __future__ import annotations

from server.models.enums import AccountKind, PupilAccess, Role
from server.observability import count_sql
from server.services.accounts.people import add_pending_person
from tests.factories import graphql, make_administrator, make_school, make_user, sign_in

QUERIES = {
    "pendingAccounts": "{ pendingAccounts { id username activationCode createdBy linkReference } }",
    "managedUsers": "{ managedUsers(first: 100) { totalCount edges { node { id username role } } } }",
    "administrators": "{ administrators { id username status } }",
    "auditEvents": "{ auditEvents(first: 100) { totalCount edges { node { actor subject action } } } }",
}


async def test_statements_do_not_grow_with_rows(client):
    school = await make_school()
    admin = await make_administrator(school)
    await sign_in(client, admin)

    async def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            await add_pending_person(school, AccountKind.USER, "P", f"N{i}", f"p{i}@school.org.uk",
                                     Role.TEACHER, PupilAccess.AGGREGATE, admin, False)
            await make_user(school, email=f"u{i}@school.org.uk")

    async def statements(name: str) -> int:
        with count_sql() as counted:
            response = await graphql(client, QUERIES[name])
        assert "errors" not in response.json(), response.json()
        return counted.value

    await add(2, 0)
    few = {name: await statements(name) for name in QUERIES}
    await add(8, 2)
    many = {name: await statements(name) for name in QUERIES}
    assert many == few
