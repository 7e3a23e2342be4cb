"""Test-only pause points inside long writes, for the crash tests (tests/faults/test_crash.py).

With ASPIRE_ENV=test and ASPIRE_TEST_PAUSE_AT="<point>" (or "<point>:<n>", the n-th time
with that progress), `await pause_point("<point>", progress)` writes the file named by
ASPIRE_TEST_PAUSE_FILE and waits there, inside the open transaction, until the test kills
the process. In any other environment, or for another point, it returns at once.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path


def _wanted() -> tuple[str, int | None] | None:
    if os.environ.get("ASPIRE_ENV") != "test":
        return None
    spec = os.environ.get("ASPIRE_TEST_PAUSE_AT")
    if not spec:
        return None
    name, _, count = spec.partition(":")
    return name, int(count) if count else None


async def pause_point(name: str, progress: int | None = None) -> None:
    wanted = _wanted()
    if wanted is None or wanted[0] != name or (wanted[1] is not None and wanted[1] != progress):
        return
    Path(os.environ["ASPIRE_TEST_PAUSE_FILE"]).write_text(f"{name} {progress}")  # noqa: ASYNC240 (tests only)
    await asyncio.sleep(3600)
