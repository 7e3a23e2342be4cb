"""Test set-up: the environment first, then one migrated database per worker."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
_TMP = Path(tempfile.mkdtemp(prefix=f"aspire-test-{_WORKER}-"))
_BASE_PG = os.environ.get("ASPIRE_TEST_DATABASE_URL")


def _database_url() -> str:
    if _BASE_PG:
        base, _, _name = _BASE_PG.rpartition("/")
        return f"{base}/aspire_test_{_WORKER}_{os.getpid()}"
    return f"sqlite://{_TMP / 'test.sqlite3'}"


os.environ["ASPIRE_ENV"] = "test"
os.environ["ASPIRE_DATABASE_URL"] = _database_url()
os.environ["ASPIRE_OUTBOX_DIR"] = str(_TMP / "outbox")
os.environ["ASPIRE_SECRET_KEY"] = "test-secret-key-" + "x" * 32
# Tests run upkeep themselves; servers started by tests do not schedule it unless asked.
os.environ.setdefault("ASPIRE_UPKEEP_INTERVAL_MINUTES", "0")
os.environ.setdefault("ASPIRE_WEBHOOK_POLL_SECONDS", "0")
os.environ.pop("ASPIRE_REDIS_URL", None)
os.environ.pop("ASPIRE_SMTP_URL", None)

import httpx  # noqa: E402
import pytest  # noqa: E402
from tortoise import Tortoise, connections  # noqa: E402

from server.settings import get_settings  # noqa: E402


async def _recreate_postgres_database(url: str) -> None:
    import asyncpg

    base, _, name = url.rpartition("/")
    admin = await asyncpg.connect(_BASE_PG.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _drop_postgres_database(url: str) -> None:
    import asyncpg

    name = url.rpartition("/")[2]
    admin = await asyncpg.connect(_BASE_PG.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session", autouse=True)
async def database():
    from server.database import apply_migrations

    settings = get_settings()
    if settings.is_postgres:
        await _recreate_postgres_database(settings.database_url)
    await apply_migrations(settings.database_url)
    await Tortoise.init(config=settings.tortoise_config())
    yield settings
    await Tortoise.close_connections()
    if settings.is_postgres:
        await _drop_postgres_database(settings.database_url)


TABLES_IN_DELETE_ORDER = (
    "audit_event", "sharing_change", "outside_read", "working_at_grade", "expected_grade",
    "assessment_point", "target_change", "target", "target_deletion",
    "school_estimates_version", "estimates_version",
    "subject_settings", "year_group_settings", "school_value_added", "pupil_import", "pupil",
    # Emptied after target and pupil, whose triggers write them.
    "target_summary", "target_summary_grade", "estimate_summary", "pupil_revision", "subject",
    # Written by triggers on target_summary.
    "shared_targets_revision", "webhook_delivery", "webhook",
    "batch_row", "batch", "throttle_counter", "api_token", "session", "password_reset",
    "security_answer", "activation", "administrator_slot", "account", "organisation",
    "upkeep_claim",
)


@pytest.fixture(autouse=True)
async def clean_tables(database):
    yield
    connection = connections.get("default")
    if database.is_postgres:
        await connection.execute_script(
            "TRUNCATE " + ", ".join(TABLES_IN_DELETE_ORDER) + " RESTART IDENTITY CASCADE"
        )
    else:
        await connection.execute_script(
            "PRAGMA foreign_keys = OFF;"
            + "".join(f"DELETE FROM {table};" for table in TABLES_IN_DELETE_ORDER)
            + "PRAGMA foreign_keys = ON;"
        )


@pytest.fixture(scope="session")
def app():
    from server.app import create_app

    return create_app(open_database=False)


@pytest.fixture
async def client(app):
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
