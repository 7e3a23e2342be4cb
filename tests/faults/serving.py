"""A real server in a subprocess with its own database, and a TCP proxy a test can cut.

Used by the crash, outage and hostile-size tests (and bench/bench_faults.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BASE_PG = os.environ.get("ASPIRE_TEST_DATABASE_URL")
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(BASE_PG.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.contextmanager
def scratch_database(folder: Path, label: str) -> Iterator[str]:
    """A SQLite file, or an empty PostgreSQL database when ASPIRE_TEST_DATABASE_URL is set."""
    if not BASE_PG:
        yield f"sqlite://{folder / (label + '.sqlite3')}"
        return
    name = f"aspire_{label}_{os.getpid()}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{BASE_PG.rpartition('/')[0]}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def server_environment(folder: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "ASPIRE_ENV": "test",
        "ASPIRE_DATABASE_URL": database_url,
        "ASPIRE_SECRET_KEY": "faults-test-secret-key-" + "z" * 32,
        "ASPIRE_OUTBOX_DIR": str(folder / "outbox"),
        "ASPIRE_UPKEEP_INTERVAL_MINUTES": "0",
        "ASPIRE_LOG_LEVEL": "WARNING",
        **extra,
    }
    for name in ("ASPIRE_REDIS_URL", "ASPIRE_SMTP_URL", "ASPIRE_BASE_URL", "ASPIRE_TEST_DATABASE_URL"):
        env.pop(name, None)
    return env


def migrate(env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "server.cli", "migrate"], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"aspire migrate failed:\n{done.stdout}{done.stderr}")


@dataclass
class Server:
    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True) -> Server:
        out = self.log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--no-access-log", "--timeout-graceful-shutdown", "2"],
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
        )
        out.close()
        if wait:
            self.wait_until_healthy()
        return self

    def wait_until_healthy(self, seconds: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}):\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.kill()  # never leave a server behind the failure (it would outlive the tests)
        raise RuntimeError(f"the server did not answer within {seconds} s:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no rollback by the process itself."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class TcpProxy:
    """Forwards a loopback port to a target; `cut()` closes every open connection and refuses
    new ones (the port stops listening), `restore()` listens again on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    def __enter__(self) -> TcpProxy:
        self._thread.start()
        self.restore()
        return self

    def __exit__(self, *exc) -> None:
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _call(self, coroutine) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def restore(self) -> None:
        async def listen() -> None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)
        self._call(listen())

    def cut(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
                self._server = None
            for writer in list(self._open):
                writer.transport.abort()
            self._open.clear()
        self._call(close())

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._open.update((writer, up_writer))

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.transport.abort()
                self._open.discard(sink)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
