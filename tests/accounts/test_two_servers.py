"""Issue 12: thirty wrong passwords at once, split over two server processes on PostgreSQL,
count thirty and lock the account; the right password is refused straight afterwards.

The test makes a scratch PostgreSQL database, seeds it in a subprocess, starts `aspire serve`
twice on free loopback ports against it (each with the same secret), and fires the attempts
at both at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ASPIRE = str(Path(sys.executable).with_name("aspire"))
BASE_PG = os.environ.get("ASPIRE_TEST_DATABASE_URL")
PASSWORD = "correct horse battery staple"
AT_ONCE = 30

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not BASE_PG, reason="two servers share one PostgreSQL database"),
]

SEED = """
import asyncio, json
from tortoise import Tortoise
from server.settings import get_settings
from tests.factories import make_school, make_user

async def main():
    await Tortoise.init(config=get_settings().tortoise_config())
    school = await make_school()
    user = await make_user(school)
    print(json.dumps({"login_name": user.login_name, "id": user.id}))
    await Tortoise.close_connections()

asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def server(env):
    port = free_port()
    process = subprocess.Popen([ASPIRE, "serve", "--port", str(port)], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()  # reading a live server's stderr would wait for ever
                process.wait(timeout=10)
                raise RuntimeError("server did not start: " + process.stderr.read().decode()[-2000:])
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


async def scratch_database():
    import asyncpg

    base, _, _ = BASE_PG.rpartition("/")
    name = f"aspire_two_servers_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(BASE_PG.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name, f"{base}/{name}"


async def drop_database(name):
    import asyncpg

    admin = await asyncpg.connect(BASE_PG.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def migrate_and_seed(env) -> dict:
    import json

    subprocess.run([ASPIRE, "migrate"], env=env, cwd=ROOT, check=True, timeout=120, capture_output=True)
    seeded = subprocess.run([sys.executable, "-c", SEED], env=env, cwd=ROOT, check=True,
                            timeout=60, capture_output=True, text=True)
    return json.loads(seeded.stdout.strip().splitlines()[-1])


async def attempt(base, login_name, password):
    async with httpx.AsyncClient(base_url=base, timeout=20) as browser:
        await browser.get("/sign-in")
        response = await browser.post("/sign-in", data={"csrftoken": browser.cookies.get("csrftoken"),
                                                        "loginName": login_name, "password": password})
    return response.status_code


@pytest.mark.parametrize("store", ["database", "redis"])
async def test_thirty_wrong_passwords_over_two_servers_count_thirty_and_lock(store):

    import asyncpg

    name, url = await scratch_database()
    env = {**os.environ, "ASPIRE_DATABASE_URL": url, "ASPIRE_LOG_LEVEL": "WARNING",
           "ASPIRE_SECRET_KEY": "two-servers-secret-" + "y" * 32}
    env.pop("ASPIRE_REDIS_URL", None)
    if store == "redis":  # the per-address counters in Redis; the account's in the database
        env["ASPIRE_REDIS_URL"] = "redis://127.0.0.1:6379/0"
    try:
        person = await asyncio.to_thread(migrate_and_seed, env)
        with server(env) as first, server(env) as second:
            statuses = await asyncio.gather(*[
                attempt(first if i % 2 else second, person["login_name"], f"wrong password {i}")
                for i in range(AT_ONCE)
            ])
            assert statuses == [400] * AT_ONCE
            right = await attempt(first, person["login_name"], PASSWORD)
        connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            row = await connection.fetchrow(
                "SELECT failed_logins, locked_until > now() + interval '14 minutes' AS locked "
                "FROM account WHERE id = $1", person["id"])
            sessions = await connection.fetchval("SELECT count(*) FROM session")
        finally:
            await connection.close()
        # The right password during the lock is refused, and counted like any try during it.
        assert row["failed_logins"] == AT_ONCE + 1 and row["locked"]
        assert right == 400 and sessions == 0
    finally:
        await drop_database(name)
