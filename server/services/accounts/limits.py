"""Guessing limits counted in one statement and decided from the value that statement returned.

Every limit on guesses (sign-in failures, activation-code tries, security-answer failures) is
an `UPDATE … SET n = n + 1 … RETURNING n`: two requests at the same moment, in one worker or
in two servers, each see their own count, so thirty wrong passwords at once count thirty.
"""

from __future__ import annotations

import re

from tortoise import connections


def _postgres(connection) -> bool:
    return connection.capabilities.dialect == "postgres"


def _numbered(sql: str) -> str:
    counter = iter(range(1, 1000))
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


async def returning(sql: str, values: list, connection=None) -> list[dict]:
    """Runs one statement written with `?` placeholders (made `$n` on PostgreSQL), giving its rows."""
    connection = connection or connections.get("default")
    if _postgres(connection):
        sql = _numbered(sql)
    return await connection.execute_query_dict(sql, values)

