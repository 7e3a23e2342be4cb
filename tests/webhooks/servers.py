"""A real server on the tests' own database with a quick notification worker."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.faults.serving import Server, server_environment


def wait_for_file(path: Path, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return path.exists()


def serve(folder: Path, **extra: str) -> Server:
    env = server_environment(folder, os.environ["ASPIRE_DATABASE_URL"],
                             ASPIRE_SECRET_KEY=os.environ["ASPIRE_SECRET_KEY"],
                             ASPIRE_WEBHOOK_POLL_SECONDS="0.2", ASPIRE_WEBHOOK_LEASE_SECONDS="2",
                             ASPIRE_WEBHOOK_RETRY_SECONDS="0.2", **extra)
    return Server(env, folder / "server.log")
