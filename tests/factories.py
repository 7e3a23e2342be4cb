"""Making organisations, accounts and signed-in clients for tests."""

from __future__ import annotations

import itertools

import httpx

from server.auth.passwords import hash_password
from server.auth.tokens import create_api_token
from server.models import Account, AdministratorSlot, Organisation
from server.models.enums import AccountKind, AccountStatus, OrganisationKind, PupilAccess, Role

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


async def make_local_authority(name: str = "Northshire", la_code: str | None = None) -> Organisation:
    n = next(_numbers)
    return await Organisation.create(
        kind=OrganisationKind.LOCAL_AUTHORITY, name=f"{name} {n}", la_code=la_code or f"{800 + n % 199:03d}"
    )


async def make_chain(name: str = "Bright Futures Trust") -> Organisation:
    return await Organisation.create(kind=OrganisationKind.ACADEMY_CHAIN, name=f"{name} {next(_numbers)}")


async def make_school(
    la: Organisation | None = None, chain: Organisation | None = None, name: str = "Hillside School",
    urn: str | None = None,
) -> Organisation:
    la = la or await make_local_authority()
    n = next(_numbers)
    return await Organisation.create(
        kind=OrganisationKind.SCHOOL, name=f"{name} {n}", urn=urn or f"{100000 + n}",
        phase="secondary", local_authority=la, academy_chain=chain, current_academic_year=2026,
    )


async def make_user(
    organisation: Organisation,
    role: Role = Role.TEACHER,
    pupil_access: PupilAccess = PupilAccess.FULL,
    email: str | None = None,
    status: AccountStatus = AccountStatus.ACTIVE,
    password: str = PASSWORD,
) -> Account:
    n = next(_numbers)
    email = email or f"user{n}@example.org.uk"
    return await Account.create(
        kind=AccountKind.USER, organisation=organisation, forename="Test", surname=f"User{n}",
        email=email, login_name=email.lower(), role=role, pupil_access=pupil_access,
        status=status, password_hash=await hash_password(password) if password else None,
    )


async def make_administrator(
    organisation: Organisation, status: AccountStatus = AccountStatus.ACTIVE,
    password: str = PASSWORD, slot: int | None = None,
) -> Account:
    n = next(_numbers)
    account = await Account.create(
        kind=AccountKind.ADMINISTRATOR, organisation=organisation, forename="Admin",
        surname=f"Person{n}", email=f"admin{n}@example.org.uk", login_name=f"adm{n:06d}x",
        status=status, password_hash=await hash_password(password) if password else None,
    )
    taken = await AdministratorSlot.filter(organisation=organisation).values_list("slot", flat=True)
    await AdministratorSlot.create(
        organisation=organisation, account=account,
        slot=slot or next(s for s in itertools.count(1) if s not in taken),
    )
    return account


async def sign_in(client: httpx.AsyncClient, account: Account, password: str = PASSWORD) -> httpx.Response:
    """Signs in through the real page (CSRF token included); returns the response."""
    area = "admin" if account.kind == AccountKind.ADMINISTRATOR else "main"
    path = "/admin/sign-in" if area == "admin" else "/sign-in"
    await client.get(path)
    token = client.cookies.get("csrftoken")
    response = await client.post(
        path, data={"csrftoken": token, "loginName": account.login_name, "password": password}
    )
    assert response.status_code == 303, response.text
    return response


def csrf_headers(client: httpx.AsyncClient) -> dict[str, str]:
    return {"x-csrftoken": client.cookies.get("csrftoken", "")}


async def api_token(account: Account, name: str = "test") -> str:
    plain, _ = await create_api_token(account, name)
    return plain


async def graphql(client: httpx.AsyncClient, query: str, variables: dict | None = None,
                  token: str | None = None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else csrf_headers(client)
    return await client.post("/graphql", json={"query": query, "variables": variables or {}},
                             headers=headers)
