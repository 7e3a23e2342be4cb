"""Hostile request sizes against one server process: how each is answered, and how long
another client's requests (the sign-in page, in a loop) take while it is sent.

Each case: a 50 MB upload (declared, and chunked so that only counting finds the size), 50 MB
to /graphql, a malformed multipart body, a 10,000-character form field, 1,000 headers and a
body trickled one byte every 0.2 s (the body timeout is 1 s here, 30 s by default). The other
client's median and slowest answer during the case are printed beside its median with no
hostile request (the baseline, same run).

    .venv/bin/python bench/bench_hostile.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.faults.hostile import CASES, EXPECTED, while_running  # noqa: E402
from tests.faults.serving import Server, migrate, server_environment  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="times each case is sent (default 3)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="aspire-bench-hostile-"))
    env = server_environment(folder, f"sqlite://{folder / 'hostile.sqlite3'}",
                             ASPIRE_REQUEST_BODY_TIMEOUT_SECONDS="1")
    migrate(env)
    server = Server(env, folder / "server.log").start()
    try:
        _, baseline, _ = while_running(server.base_url, lambda: (time.sleep(1.0), (0, b""))[1])
        print(f"baseline (no hostile request): other client {baseline}")
        for name, case in CASES.items():
            for round_ in range(args.rounds):
                (status, _body), latency, seconds = while_running(server.base_url, lambda c=case: c(server.port))
                verdict = "as expected" if status in EXPECTED[name] else f"UNEXPECTED (wanted {EXPECTED[name]})"
                ratio = latency.max_ms / baseline.median_ms if baseline.median_ms else float("nan")
                print(f"{name} #{round_ + 1}: {status} {verdict} in {seconds:.2f} s; other client {latency} "
                      f"(slowest {ratio:.1f}x the baseline median)")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
