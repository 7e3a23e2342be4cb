"""Password hashing stays out of the event loop's way: one hash at a time, at a lower priority."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time

import pytest

from server.auth import passwords


async def test_hash_and_verify_round_trip():
    stored = await passwords.hash_password("correct horse battery staple")
    assert await passwords.verify_password(stored, "correct horse battery staple")
    assert not await passwords.verify_password(stored, "wrong")
    assert not await passwords.verify_password(None, "correct horse battery staple")
    assert not await passwords.verify_password(stored, "x" * (passwords.MAX_PASSWORD_BYTES + 1))


async def test_hashes_run_one_at_a_time_outside_the_event_loop(monkeypatch):
    running, most, threads = 0, 0, set()
    lock = threading.Lock()

    class SlowHasher:
        def verify(self, password_hash, password):
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            threads.add(threading.get_ident())
            time.sleep(0.02)
            with lock:
                running -= 1
            return True

    monkeypatch.setattr(passwords, "_hasher", SlowHasher())
    loop_ticks = 0

    async def ticker():
        nonlocal loop_ticks
        while True:
            await asyncio.sleep(0.005)
            loop_ticks += 1

    ticking = asyncio.create_task(ticker())
    results = await asyncio.gather(*(passwords.verify_password("stored", "pw") for _ in range(6)))
    ticking.cancel()
    assert results == [True] * 6
    assert most == passwords.CONCURRENT_HASHES == 1
    assert threading.get_ident() not in threads
    assert loop_ticks >= 6  # the loop kept running while the 6 × 20 ms of hashing went on


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
async def test_the_hashing_thread_runs_at_a_lower_priority_than_the_event_loop():
    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    mine = niceness()
    theirs = await passwords._off_loop(niceness)
    assert theirs == min(19, mine + passwords.HASH_NICENESS)
    assert theirs > mine or mine == 19
