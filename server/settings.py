"""All configuration, read once from the environment (and a .env file)."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from starlette.config import Config
from starlette.datastructures import Secret
from tortoise.backends.base.config_generator import expand_db_url

DEVELOPMENT_SECRET = "development-only-secret-key-not-for-real-use"  # noqa: S105


class ConfigurationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    environment: str
    database_url: str
    secret_key: Secret
    smtp_url: str | None
    base_url: str
    redis_url: str | None
    outbox_dir: Path
    administrator_limit: int
    activation_link_days: int
    suppression_threshold: int
    session_idle_minutes: int
    session_absolute_hours: int
    log_level: str
    graphql_executor: str
    # Per address, failed sign-ins only (a school signs in from one address): a delay after
    # this many in a minute, refusal above these ceilings (credential stuffing).
    sign_in_address_slow_after: int = 10
    sign_in_address_failures_per_minute: int = 50
    sign_in_address_failures_per_hour: int = 300
    database_timeout_seconds: float = 5.0
    database_command_timeout_seconds: float = 30.0
    upkeep_interval_minutes: int = 60
    request_body_timeout_seconds: float = 30.0
    # Change notifications (issue 15): how often the worker looks for changes and due
    # deliveries (0 = no worker in aspire serve), attempts before giving up, the first
    # retry's delay (doubling each time), one delivery's time limit and a claim's lease.
    webhook_poll_seconds: float = 5.0
    webhook_max_attempts: int = 8
    webhook_retry_seconds: float = 30.0
    webhook_timeout_seconds: float = 5.0
    webhook_lease_seconds: float = 60.0
    # Whether ASPIRE_BASE_URL was set (else base_url is the development default): server/base_url.py
    base_url_configured: bool = False

    @property
    def is_development(self) -> bool:
        return self.environment in {"development", "test"}

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))

    def tortoise_config(self) -> dict:
        return tortoise_config(
            self.database_url,
            timeout=self.database_timeout_seconds,
            command_timeout=self.database_command_timeout_seconds,
        )


def tortoise_config(database_url: str, timeout: float | None = None, command_timeout: float | None = None) -> dict:
    """`timeout`: seconds to open a PostgreSQL connection, or to wait for a busy SQLite
    database; `command_timeout`: seconds a PostgreSQL statement may take. Short bounds
    make an unreachable database a quick 503 rather than a hung request."""
    url = database_url
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    connection: str | dict = url
    if url.startswith("sqlite://"):
        # Our SQLite client counts only the rows a statement changed, not its triggers'.
        connection = expand_db_url(url)
        connection["engine"] = "server.sqlite_backend"
        if timeout is not None:
            connection["credentials"]["busy_timeout"] = int(timeout * 1000)
    elif timeout is not None or command_timeout is not None:
        connection = expand_db_url(url)
        if timeout is not None:
            connection["credentials"]["timeout"] = timeout
        if command_timeout is not None:
            connection["credentials"]["command_timeout"] = command_timeout
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": ["server.models"],
                "default_connection": "default",
                "migrations": "server.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def load_settings() -> Settings:
    config = Config(".env" if Path(".env").is_file() else None, environ=os.environ)
    environment = config("ASPIRE_ENV", default="development")
    secret = config("ASPIRE_SECRET_KEY", cast=Secret, default=None)
    if secret is None or not str(secret):
        if environment not in {"development", "test"}:
            raise ConfigurationError(
                "ASPIRE_SECRET_KEY must be set (a long random string) outside development"
            )
        secret = Secret(DEVELOPMENT_SECRET)
    elif len(str(secret)) < 32 and environment not in {"development", "test"}:
        raise ConfigurationError("ASPIRE_SECRET_KEY must be at least 32 characters")
    return Settings(
        environment=environment,
        database_url=config("ASPIRE_DATABASE_URL", default="sqlite://aspire.sqlite3"),
        secret_key=secret,
        smtp_url=config("ASPIRE_SMTP_URL", default=None) or None,
        base_url=(config("ASPIRE_BASE_URL", default="") or "http://127.0.0.1:8000").rstrip("/"),
        base_url_configured=bool(config("ASPIRE_BASE_URL", default="").strip()),
        redis_url=config("ASPIRE_REDIS_URL", default=None) or None,
        outbox_dir=Path(config("ASPIRE_OUTBOX_DIR", default="outbox")),
        administrator_limit=config("ASPIRE_ADMINISTRATOR_LIMIT", cast=int, default=2),
        activation_link_days=config("ASPIRE_ACTIVATION_LINK_DAYS", cast=int, default=7),
        suppression_threshold=config("ASPIRE_SUPPRESSION_THRESHOLD", cast=int, default=6),
        session_idle_minutes=config("ASPIRE_SESSION_IDLE_MINUTES", cast=int, default=30),
        session_absolute_hours=config("ASPIRE_SESSION_ABSOLUTE_HOURS", cast=int, default=12),
        log_level=config("ASPIRE_LOG_LEVEL", default="INFO"),
        graphql_executor=_graphql_executor(config("ASPIRE_GRAPHQL_EXECUTOR", default="fast")),
        sign_in_address_slow_after=config("ASPIRE_SIGN_IN_ADDRESS_SLOW_AFTER", cast=int, default=10),
        sign_in_address_failures_per_minute=config(
            "ASPIRE_SIGN_IN_ADDRESS_FAILURES_PER_MINUTE", cast=int, default=50
        ),
        sign_in_address_failures_per_hour=config(
            "ASPIRE_SIGN_IN_ADDRESS_FAILURES_PER_HOUR", cast=int, default=300
        ),
        database_timeout_seconds=config("ASPIRE_DATABASE_TIMEOUT_SECONDS", cast=float, default=5.0),
        database_command_timeout_seconds=config(
            "ASPIRE_DATABASE_COMMAND_TIMEOUT_SECONDS", cast=float, default=30.0
        ),
        upkeep_interval_minutes=config("ASPIRE_UPKEEP_INTERVAL_MINUTES", cast=int, default=60),
        request_body_timeout_seconds=config("ASPIRE_REQUEST_BODY_TIMEOUT_SECONDS", cast=float, default=30.0),
        webhook_poll_seconds=config("ASPIRE_WEBHOOK_POLL_SECONDS", cast=float, default=5.0),
        webhook_max_attempts=max(1, config("ASPIRE_WEBHOOK_MAX_ATTEMPTS", cast=int, default=8)),
        webhook_retry_seconds=config("ASPIRE_WEBHOOK_RETRY_SECONDS", cast=float, default=30.0),
        webhook_timeout_seconds=config("ASPIRE_WEBHOOK_TIMEOUT_SECONDS", cast=float, default=5.0),
        webhook_lease_seconds=config("ASPIRE_WEBHOOK_LEASE_SECONDS", cast=float, default=60.0),
    )


def _graphql_executor(name: str) -> str:
    if name not in {"fast", "ordinary"}:
        raise ConfigurationError("ASPIRE_GRAPHQL_EXECUTOR must be fast or ordinary")
    return name


@functools.cache
def get_settings() -> Settings:
    return load_settings()
