"""Password hashing with argon2id, off the event loop and capped in concurrency."""

from __future__ import annotations

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from server.settings import get_settings

# argon2-cffi's defaults (argon2id, t=3, m=64 MiB, p=4); the test suite alone uses cheap ones.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if get_settings().environment == "test"
    else PasswordHasher()
)
# Each hash needs 64 MiB: never more than a few at once, whatever the load.
_limiter = anyio.CapacityLimiter(4)
# Verified against when a login name is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("a password nobody has, used to even out timing")

MAX_PASSWORD_BYTES = 1024


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password, limiter=_limiter)


async def verify_password(password_hash: str | None, password: str) -> bool:
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        return False
    return await anyio.to_thread.run_sync(
        _verify, password_hash or _DUMMY_HASH, password, password_hash is not None,
        limiter=_limiter,
    )


def _verify(password_hash: str, password: str, real: bool) -> bool:
    try:
        return _hasher.verify(password_hash, password) and real
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
