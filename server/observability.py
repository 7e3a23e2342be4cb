"""Request ids, one log line per request, and counting SQL statements."""

from __future__ import annotations

import contextvars
import logging
import re

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_sql_counter: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "sql_counter", default=None
)
_STATEMENT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)

access_log = logging.getLogger("aspire.access")


class _SQLCountingHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        counter = _sql_counter.get()
        if counter is not None and _STATEMENT.match(record.getMessage()):
            counter[0] += 1


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


_handler = _SQLCountingHandler(level=logging.DEBUG)


def install_sql_counter() -> None:
    """Tortoise logs each statement at DEBUG on tortoise.db_client; count them."""
    db_logger = logging.getLogger("tortoise.db_client")
    if _handler not in db_logger.handlers:
        db_logger.addHandler(_handler)
        db_logger.setLevel(logging.DEBUG)
        db_logger.propagate = False


class count_sql:
    """`with count_sql() as counted: ...; counted.value` — statements run inside the block."""

    def __enter__(self) -> count_sql:
        install_sql_counter()
        self._counter = [0]
        self._token = _sql_counter.set(self._counter)
        return self

    def __exit__(self, *exc: object) -> None:
        _sql_counter.reset(self._token)

    @property
    def value(self) -> int:
        return self._counter[0]


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
