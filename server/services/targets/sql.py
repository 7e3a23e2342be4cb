"""Raw, set-based statements written once for SQLite and PostgreSQL.

Statements use `?` placeholders; PostgreSQL (asyncpg) gets them numbered `$1, $2, ...`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

_PLACEHOLDER = re.compile(r"\?")

# SQLite allows 32,766 bound values per statement, PostgreSQL 32,767: stay well below.
MAX_PARAMETERS = 30_000


def is_postgres(connection) -> bool:
    return connection.capabilities.dialect == "postgres"


def in_list(values: Sequence) -> str:
    """One `?` per value, for `column IN (...)`."""
    return ", ".join("?" for _ in values)


def for_connection(connection, sql: str) -> str:
    if not is_postgres(connection):
        return sql
    numbers = iter(range(1, 1_000_000))
    return _PLACEHOLDER.sub(lambda _m: f"${next(numbers)}", sql)


async def fetch(connection, sql: str, values: Sequence[Any] = ()) -> list[dict]:
    """Run a statement that answers rows (SELECT, or INSERT/UPDATE ... RETURNING)."""
    return await connection.execute_query_dict(for_connection(connection, sql), list(values))


async def execute(connection, sql: str, values: Sequence[Any] = ()) -> int:
    """Run a statement; the number of rows it changed."""
    count, _ = await connection.execute_query(for_connection(connection, sql), list(values))
    return count


def chunks(rows: Sequence[Sequence[Any]], per_row: int, spare: int = 0) -> Iterator[Sequence]:
    size = max(1, (MAX_PARAMETERS - spare) // max(1, per_row))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
