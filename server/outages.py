"""Telling "the database is away or busy" apart from a bug, for a clean 503.

A database that cannot be reached (refused, reset, timed out, shutting down), a SQLite
file locked by another writer past the busy timeout, or a PostgreSQL transaction rolled back
for a deadlock or a serialization conflict more often than server/services/transactions.py
runs it again, is not the request's fault and not a bug: the person gets "try again
shortly" with status 503 (and Retry-After), a tool over GraphQL gets extensions.code
SERVICE_UNAVAILABLE. Everything else stays a 500.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import Iterator

import asyncpg
from tortoise.exceptions import DBConnectionError
from tortoise.exceptions import OperationalError as TortoiseOperationalError

RETRY_AFTER_SECONDS = 5
MESSAGE = "The service is unavailable for a moment. Try again in a few seconds."
CODE = "SERVICE_UNAVAILABLE"

_UNREACHABLE = (
    ConnectionError,  # refused, reset, aborted, broken pipe
    TimeoutError,  # asyncio.TimeoutError is TimeoutError on 3.11: connect and command timeouts
    asyncio.TimeoutError,
    socket.gaierror,
    DBConnectionError,
    asyncpg.PostgresConnectionError,  # includes ConnectionDoesNotExistError
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.TransactionRollbackError,  # a deadlock or conflict that outlasted transactions.py
)
_BUSY_WORDS = ("database is locked", "database table is locked", "database is busy")


def _one(error: BaseException) -> bool:
    if isinstance(error, _UNREACHABLE):
        return True
    if isinstance(error, asyncpg.InterfaceError):
        return "connection" in str(error) and "closed" in str(error)
    if isinstance(error, sqlite3.OperationalError | TortoiseOperationalError):
        return any(words in str(error).lower() for words in _BUSY_WORDS)
    return False


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    """The error and those it was raised from."""
    seen = 0
    while error is not None and seen < 10:
        yield error
        error = error.__cause__ or error.__context__
        seen += 1


def is_database_unavailable(error: BaseException | None) -> bool:
    """True when the error, or one it was raised from, says the database is away or busy."""
    return any(_one(e) for e in _chain(error))


def is_rolled_back_by_another_writer(error: BaseException | None) -> bool:
    """PostgreSQL rolled the transaction back (40P01 deadlock, 40001 serialization): nothing
    of it was kept, and running it again may succeed."""
    return any(isinstance(e, asyncpg.TransactionRollbackError) for e in _chain(error))
