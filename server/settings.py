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
        return tortoise_config(self.database_url)


def tortoise_config(database_url: str) -> dict:
    url = database_url
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    connection: str | dict = url
    if url.startswith("sqlite://"):
        # Our SQLite client counts only the rows a statement changed, not its triggers'.
        connection = expand_db_url(url)
        connection["engine"] = "server.sqlite_backend"
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
    )


@functools.cache
def get_settings() -> Settings:
    return load_settings()
