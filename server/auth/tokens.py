"""Personal API tokens: 256-bit random, shown once, stored as SHA-256 with a visible prefix."""

from __future__ import annotations

from datetime import timedelta

from tortoise.timezone import now

from server.auth.secrets import digest, random_token
from server.models import Account, ApiToken
from server.models.enums import AccountStatus

TOKEN_PREFIX = "aspire_"  # noqa: S105 (a marker, not a secret)
PREFIX_LENGTH = len(TOKEN_PREFIX) + 6
# Last use is written at most this often, so reads do not each cost a write.
LAST_USED_GRANULARITY = timedelta(minutes=1)


async def create_api_token(account: Account, name: str) -> tuple[str, ApiToken]:
    plain = TOKEN_PREFIX + random_token(32)
    token = await ApiToken.create(
        account=account, name=name.strip()[:100], prefix=plain[:PREFIX_LENGTH],
        token_hash=digest(plain),
    )
    return plain, token


async def account_for_token(plain: str) -> tuple[Account, ApiToken] | None:
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    token = (
        await ApiToken.filter(token_hash=digest(plain), revoked_at=None)
        .select_related("account__organisation")
        .first()
    )
    if token is None or token.account.status != AccountStatus.ACTIVE:
        return None
    moment = now()
    if token.last_used_at is None or moment - token.last_used_at > LAST_USED_GRANULARITY:
        await ApiToken.filter(id=token.id).update(last_used_at=moment)
        token.last_used_at = moment
    return token.account, token


async def revoke_api_token(account: Account, token_id: int) -> bool:
    updated = await ApiToken.filter(id=token_id, account=account, revoked_at=None).update(
        revoked_at=now()
    )
    return updated > 0
