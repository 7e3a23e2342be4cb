"""Password hashing with argon2id, off the event loop, one at a time, at a lower CPU priority.

A hash at the production parameters costs ~160 ms of CPU (t=3, m=64 MiB, p=4: libargon2 runs
the 4 lanes in 4 threads of its own, ~100 ms of wall time on 2 cores). Run in the event loop's
thread pool, several at once, those threads took the cores from the event loop and from the
database driver's thread (aiosqlite): under 5 sign-ins a second every other request slowed
2-100 fold. So hashes run in one dedicated thread, one at a time (one hash's lanes already
fill two cores; 64 MiB at most), and that thread runs at nice HASH_NICENESS (Linux: the nice
value is per thread and the lane threads libargon2 starts inherit it). The event loop wins
the CPU whenever it has work; hashing gets every cycle the loop leaves, which on a server with
a core or more per worker process is most of them.

Waiting sign-ins queue in the event loop, not in the thread's queue, so that a check whose
person has gone (the browser gave up, the connection closed) is dropped when its turn comes
instead of costing a hash: in a morning rush, checks for clients that timed out would otherwise
sit ahead of everyone still waiting, and each retry would add one more.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import sys
import threading
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from server.settings import get_settings

# argon2-cffi's defaults (argon2id, t=3, m=64 MiB, p=4); the test suite alone uses cheap ones.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if get_settings().environment == "test"
    else PasswordHasher()
)
# Verified against when a login name is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("a password nobody has, used to even out timing")

MAX_PASSWORD_BYTES = 1024
CONCURRENT_HASHES = 1
# The lowest priority: weight 15 against the event loop's 1024 (nice 0) when they share a core.
# Against nice 10 (weight 110), in the same session, the others' p99 in the morning rush went
# from 1.47x and 1.30x the quiet phases' to 1.26x and 1.12x, and sign-ins were no slower
# (bench/RESULTS.md, 3 December).
HASH_NICENESS = 19


def _lower_priority() -> None:
    if sys.platform.startswith("linux"):
        thread = threading.get_native_id()
        try:  # PRIO_PROCESS with a thread id: only this thread on Linux
            current = os.getpriority(os.PRIO_PROCESS, thread)
            os.setpriority(os.PRIO_PROCESS, thread, min(19, current + HASH_NICENESS))
        except OSError:  # pragma: no cover (a sandbox without setpriority)
            pass


_executor = ThreadPoolExecutor(max_workers=CONCURRENT_HASHES, thread_name_prefix="argon2",
                               initializer=_lower_priority)
_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary())

# Set per HTTP request by server.middleware: answers whether the client has gone.
client_gone: contextvars.ContextVar[Callable[[], Awaitable[bool]] | None] = contextvars.ContextVar(
    "client_gone", default=None)


class ClientGone(Exception):
    """The person whose password was to be checked is no longer waiting for the answer."""

    code = "CLIENT_CLOSED_REQUEST"
    status = 499  # nginx's "client closed request": no one reads the answer


async def _off_loop(function, *args):
    loop = asyncio.get_running_loop()
    turn = _turns.get(loop)
    if turn is None:
        turn = _turns[loop] = asyncio.Semaphore(CONCURRENT_HASHES)
    async with turn:
        gone = client_gone.get()
        if gone is not None and await gone():
            raise ClientGone()
        return await loop.run_in_executor(_executor, function, *args)


async def hash_password(password: str) -> str:
    return await _off_loop(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        return False
    return await _off_loop(_verify, password_hash or _DUMMY_HASH, password, password_hash is not None)


def _verify(password_hash: str, password: str, real: bool) -> bool:
    try:
        return _hasher.verify(password_hash, password) and real
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
