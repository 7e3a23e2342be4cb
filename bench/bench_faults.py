"""A fault run: 30 clients for a while (--duration, default 20 s) against two server processes
behind a small round-robin TCP proxy this script owns; one of them is killed (SIGKILL) a third
of the way in and started again at once.

Each client is a closed loop over keep-alive connections: the sign-in page (no database),
`/healthz` (one SELECT) and GraphQL with an unknown token (a token lookup, 401). Errors and
answer times are counted in three phases: before the kill, from the kill until the restarted
process answers /healthz again, and after that. The goal: no request lost except those in
flight on the killed process's open connections, none after it is back. The proxy sends a new
connection to the next process that accepts it (a refused connection is retried on the other).

    .venv/bin/python bench/bench_faults.py [--duration 60] [--clients 30] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.serving import percentile, postgres_scratch  # noqa: E402
from tests.faults.serving import Server, free_port, migrate, server_environment  # noqa: E402

REQUESTS = (
    ("GET", "/sign-in", None, {200}),
    ("GET", "/healthz", None, {200}),
    ("POST", "/graphql", {"query": "{ viewer { username } }"}, {401}),
)


class RoundRobinProxy:
    """Loopback TCP proxy over several backends; a backend that refuses is skipped."""

    def __init__(self, backends: list[int]) -> None:
        self.backends = backends
        self.port = free_port()
        self._next = itertools.cycle(range(len(backends)))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> RoundRobinProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(timeout=10)
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, backlog=512)

    async def _handle(self, reader, writer) -> None:
        upstream = None
        for _ in range(len(self.backends)):
            port = self.backends[next(self._next)]
            try:
                upstream = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                continue
        if upstream is None:
            writer.transport.abort()
            return
        up_reader, up_writer = upstream

        async def pipe(source, sink) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except OSError:
                pass
            finally:
                sink.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


class Phases:
    def __init__(self) -> None:
        self.name = "before the kill"
        self.answers: dict[str, list[float]] = {}
        self.errors: dict[str, list[str]] = {}

    def record(self, millis: float | None, error: str | None = None) -> None:
        if error is None:
            self.answers.setdefault(self.name, []).append(millis)
        else:
            self.errors.setdefault(self.name, []).append(error)


async def client_loop(base_url: str, phases: Phases, stop: float) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=10,
                                 headers={"Authorization": "Bearer aspire_notarealtoken"}) as client:
        for method, path, body, expected in itertools.cycle(REQUESTS):
            if time.monotonic() >= stop:
                return
            started = time.perf_counter()
            try:
                response = await client.request(method, path, json=body)
                if response.status_code not in expected:
                    phases.record(None, f"{path} {response.status_code}")
                else:
                    phases.record((time.perf_counter() - started) * 1000)
            except httpx.HTTPError as error:
                phases.record(None, f"{path} {type(error).__name__}")
            await asyncio.sleep(0.01)


async def run(args, servers: list[Server], proxy: RoundRobinProxy) -> Phases:
    phases = Phases()
    stop = time.monotonic() + args.duration
    base = f"http://127.0.0.1:{proxy.port}"
    clients = [asyncio.create_task(client_loop(base, phases, stop)) for _ in range(args.clients)]
    await asyncio.sleep(args.duration / 3)
    victim = servers[0]
    print(f"killing process {victim.process.pid} (SIGKILL) at {args.duration / 3:.0f} s, starting it again")
    phases.name = "killed, until back"
    killed_at = time.monotonic()
    victim.kill()
    victim.start(wait=False)
    await asyncio.to_thread(victim.wait_until_healthy, 60)
    print(f"back after {time.monotonic() - killed_at:.1f} s")
    phases.name = "after it is back"
    await asyncio.gather(*clients)
    return phases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds (default 20)")
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose server gets a scratch database")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="aspire-bench-faults-"))
    url = f"sqlite://{folder / 'faults.sqlite3'}"
    if args.postgres:
        url = asyncio.run(postgres_scratch(args.postgres, "aspire_bench_faults", create=True))
    env = server_environment(folder, url)
    migrate(env)
    servers = [Server(env, folder / f"server{n}.log") for n in (1, 2)]
    try:
        for server in servers:
            server.start()
        with RoundRobinProxy([s.port for s in servers]) as proxy:
            print(f"{args.clients} clients for {args.duration:.0f} s, two server processes behind a "
                  f"round-robin proxy, database {'PostgreSQL' if args.postgres else 'SQLite'}")
            phases = asyncio.run(run(args, servers, proxy))
    finally:
        for server in servers:
            server.stop()
        if args.postgres:
            asyncio.run(postgres_scratch(args.postgres, "aspire_bench_faults", create=False))
    total_errors = 0
    for name in ("before the kill", "killed, until back", "after it is back"):
        answers = phases.answers.get(name, [])
        errors = phases.errors.get(name, [])
        total_errors += len(errors)
        kinds = {e: errors.count(e) for e in sorted(set(errors))}
        print(f"{name}: {len(answers)} answered, {len(errors)} errors {kinds or ''}; "
              f"p50 {percentile(answers, 50):.1f} ms, p99 {percentile(answers, 99):.1f} ms")
    after = len(phases.errors.get("after it is back", []))
    print(f"errors after the killed process was back: {after} (goal 0); all errors: {total_errors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
