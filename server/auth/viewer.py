"""Who is asking: resolved once per request from a session cookie or a Bearer token."""

from __future__ import annotations

from dataclasses import dataclass

from server.auth.sessions import COOKIE_NAMES, find_session
from server.auth.tokens import account_for_token
from server.models import Account, ApiToken, Organisation, Session
from server.models.enums import AccessVia


@dataclass
class Viewer:
    account: Account | None = None
    via: AccessVia = AccessVia.SESSION
    session: Session | None = None
    api_token: ApiToken | None = None
    ip_address: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.account is not None and not (self.session and self.session.mfa_pending)

    @property
    def organisation(self) -> Organisation | None:
        return self.account.organisation if self.account else None

    @property
    def is_administrator(self) -> bool:
        return bool(self.account and self.account.is_administrator)


def area_for_path(path: str) -> str:
    return "admin" if path == "/admin" or path.startswith("/admin/") else "main"


def bearer_token(headers) -> str | None:
    value = headers.get("authorization", "")
    if value[:7].lower() == "bearer ":
        return value[7:].strip()
    return None


async def resolve_viewer(request) -> Viewer:
    ip = request.client.host if request.client else None
    plain = bearer_token(request.headers)
    if plain is not None:
        found = await account_for_token(plain)
        if found is None:
            return Viewer(via=AccessVia.TOKEN, ip_address=ip)
        account, token = found
        return Viewer(account=account, via=AccessVia.TOKEN, api_token=token, ip_address=ip)
    areas = [area_for_path(request.url.path)]
    if request.url.path == "/graphql":
        areas = ["main", "admin"]
    for area in areas:
        session = await find_session(request.cookies.get(COOKIE_NAMES[area]), area)
        if session is not None:
            return Viewer(account=session.account, session=session, ip_address=ip)
    return Viewer(ip_address=ip)
