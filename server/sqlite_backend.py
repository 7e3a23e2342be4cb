"""Tortoise's SQLite client, counting only the rows a statement itself changed.

Tortoise's own client answers an UPDATE or DELETE with the connection's total_changes
difference, which also counts rows that triggers and foreign-key cascades changed. The
summary triggers (migration 0003) write a summary row for every target they see, so that
count would no longer be "targets updated". This client answers sqlite3_changes() (the
cursor's rowcount), as PostgreSQL does. The module name says "sqlite" so that Tortoise's
migrations choose their SQLite schema editor for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.backends.base.client import NestedTransactionContext, TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
    translate_exceptions,
)


class _DirectChanges:
    @translate_exceptions
    async def execute_query(self, query: str, values: list | None = None
                            ) -> tuple[int, Sequence[dict]]:
        query = query.replace("\x00", "'||CHAR(0)||'")
        async with self.acquire_connection() as connection:  # type: ignore[attr-defined]
            self.log.debug("%s: %s", query, values)  # type: ignore[attr-defined]
            cursor = await connection.execute(query, values)
            try:
                rows = await cursor.fetchall()
                changed = cursor.rowcount
            finally:
                await cursor.close()
            return (changed if changed > 0 else len(rows)), rows


class DirectChangesTransactionWrapper(_DirectChanges, SqliteTransactionWrapper):
    def _in_transaction(self) -> TransactionContext:
        return NestedTransactionContext(DirectChangesTransactionWrapper(self))


class DirectChangesSqliteClient(_DirectChanges, SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(DirectChangesTransactionWrapper(self), self._lock)


client_class = DirectChangesSqliteClient


def get_client_class(db_info: dict) -> type[SqliteClient]:
    return DirectChangesSqliteClient
