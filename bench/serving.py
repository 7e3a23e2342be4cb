"""Shared by the benchmarks that need a running server: start one, load the demo, time things."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
ASPIRE = str(Path(sys.executable).with_name("aspire"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_environment(database_url: str | None = None) -> dict[str, str]:
    folder = Path(tempfile.mkdtemp(prefix="aspire-bench-"))
    env = {
        **os.environ,
        "ASPIRE_ENV": "development",
        "ASPIRE_DATABASE_URL": database_url or f"sqlite://{folder / 'bench.sqlite3'}",
        "ASPIRE_OUTBOX_DIR": str(folder / "outbox"),
        "ASPIRE_LOG_LEVEL": "WARNING",
    }
    return env


def load_demo(env: dict[str, str]) -> dict:
    out = subprocess.run([ASPIRE, "demo", "--json"], env=env, cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=600)
    return json.loads(out.stdout)


class ServerAddress(str):
    """The server's base URL, which also knows the server's process id (for profilers)."""

    pid: int


@contextlib.contextmanager
def running_server(env: dict[str, str], workers: int = 1, root: Path | None = None
                   ) -> Iterator[ServerAddress]:
    """A server of this tree, or of `root` (another checkout, e.g. the code before a change,
    served from the same virtual environment: its folder comes first on the import path)."""
    port = free_port()
    if root is not None:
        env = {**env, "PYTHONPATH": str(root)}
    process = subprocess.Popen(
        [ASPIRE, "serve", "--port", str(port), "--workers", str(workers)],
        env=env, cwd=root or ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = ServerAddress(f"http://127.0.0.1:{port}")
    base.pid = process.pid
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start: " + process.stderr.read().decode()[-2000:])
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def profiling(pid: int, output: str | None) -> Iterator[None]:
    """py-spy recording the server process into `output` (flame graph .svg, or collapsed
    stacks for any other name), when output is given: 100 samples a second of every thread,
    idle frames left out, without pausing the process (the default, blocking sampling at
    200 Hz slowed the server ~50-fold under this load).
    """
    if not output:
        yield
        return
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    form = "flamegraph" if output.endswith(".svg") else "raw"
    recorder = subprocess.Popen([spy, "record", "--pid", str(pid), "--threads", "--nonblocking", "--rate", "100",
                                 "--format", form, "--output", output],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)
        try:
            recorder.wait(timeout=60)
        except subprocess.TimeoutExpired:
            recorder.kill()


def percentile(millis: list[float], p: float) -> float:
    ordered = sorted(millis)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def summary(label: str, millis: list[float]) -> str:
    if not millis:
        return f"{label}: no samples"
    ordered = sorted(millis)

    def pct(p: float) -> float:
        return percentile(ordered, p)

    spread = statistics.pstdev(ordered) if len(ordered) > 1 else 0.0
    return (f"{label}: n={len(ordered)} p50={pct(50):.1f} ms p95={pct(95):.1f} ms "
            f"p99={pct(99):.1f} ms max={ordered[-1]:.1f} ms sd={spread:.1f} ms")


async def postgres_scratch(base: str, name: str, create: bool) -> str:
    """A scratch database `name` beside the one `base` names: dropped first, then made
    (create=True) or only dropped (create=False). Its URL."""
    import asyncpg

    admin = await asyncpg.connect(base.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return base.rpartition("/")[0] + "/" + name


def run_on_both_databases(script: str, bench: Callable[[str, str, int], Awaitable[None]],
                          scratch: str, default_runs: int) -> None:
    """Run an in-process bench on a scratch SQLite file, then, with ASPIRE_BENCH_DATABASE_URL
    set, on a scratch PostgreSQL database in another process (Tortoise caches each table's
    SQL without the database type). argv: [runs] [--postgres]."""
    argv = sys.argv[1:]
    runs = int(argv[0]) if argv and argv[0].isdigit() else default_runs
    base = os.environ.get("ASPIRE_BENCH_DATABASE_URL")

    async def on_postgres() -> None:
        name = f"{scratch}_{os.getpid()}"
        url = await postgres_scratch(base, name, create=True)
        try:
            await bench(url, "PostgreSQL", runs)
        finally:
            await postgres_scratch(base, name, create=False)

    if "--postgres" in argv:
        asyncio.run(on_postgres())
        return
    print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(bench(f"sqlite://{Path(tmp) / 'bench.sqlite3'}", "SQLite", runs))
    if base:
        subprocess.run([sys.executable, script, *argv, "--postgres"], check=True)  # noqa: S603
