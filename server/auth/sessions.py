"""Server-side sessions: the cookie holds a random id, the database holds its digest."""

from __future__ import annotations

from datetime import timedelta

from tortoise.timezone import now

from server.auth.secrets import digest, random_token
from server.models import Account, Session
from server.models.enums import AccountStatus
from server.settings import get_settings

COOKIE_NAMES = {"admin": "aspire_admin_session", "main": "aspire_session"}
TOUCH_GRANULARITY = timedelta(seconds=60)


async def start_session(
    account: Account, area: str, ip_address: str | None, user_agent: str | None,
    mfa_pending: bool = False,
) -> tuple[str, Session]:
    settings = get_settings()
    cookie_value = random_token(32)
    moment = now()
    session = await Session.create(
        id=digest(cookie_value),
        account=account,
        area=area,
        csrf_token=random_token(24),
        mfa_pending=mfa_pending,
        created_at=moment,
        last_seen_at=moment,
        expires_at=moment + timedelta(hours=settings.session_absolute_hours),
        ip_address=ip_address,
        user_agent=(user_agent or "")[:200],
    )
    return cookie_value, session


async def find_session(cookie_value: str | None, area: str) -> Session | None:
    if not cookie_value or len(cookie_value) > 100:
        return None
    session = (
        await Session.filter(id=digest(cookie_value), area=area)
        .select_related("account__organisation")
        .first()
    )
    if session is None:
        return None
    moment = now()
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    if (
        session.expires_at <= moment
        or moment - session.last_seen_at > idle
        or session.account.status != AccountStatus.ACTIVE
    ):
        await Session.filter(id=session.id).delete()
        return None
    if moment - session.last_seen_at > TOUCH_GRANULARITY:
        await Session.filter(id=session.id).update(last_seen_at=moment)
        session.last_seen_at = moment
    return session


async def end_session(cookie_value: str | None) -> None:
    if cookie_value:
        await Session.filter(id=digest(cookie_value)).delete()


async def end_all_sessions(account_id: int) -> int:
    return await Session.filter(account_id=account_id).delete()


async def purge_expired_sessions() -> int:
    return await Session.filter(expires_at__lte=now()).delete()
