"""Opening the database and applying the committed migrations."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from server.settings import get_settings, tortoise_config


async def apply_migrations(database_url: str | None = None) -> None:
    url = database_url or get_settings().database_url
    try:
        await run_migrations(config=tortoise_config(url))
    finally:
        await Tortoise.close_connections()


def __getattr__(name: str) -> dict:
    # The Tortoise CLI reads TORTOISE_ORM; settings are only loaded when it asks.
    if name == "TORTOISE_ORM":
        return tortoise_config(get_settings().database_url)
    raise AttributeError(name)
