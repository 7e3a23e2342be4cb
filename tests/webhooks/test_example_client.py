"""examples/webhook_receiver.py: checks what the server signs, and re-reads targetAggregates
when a real server tells it of a change (both real processes on loopback)."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import subprocess
import sys
import time

from server.services.webhooks import signing
from tests.factories import api_token
from tests.faults.serving import ROOT, free_port
from tests.webhooks.servers import serve
from tests.webhooks.world import hook, la_world, set_targets

EXAMPLE = ROOT / "examples" / "webhook_receiver.py"


def example():
    spec = importlib.util.spec_from_file_location("webhook_receiver", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_accepts_what_the_server_signs_and_nothing_else():
    check = example().signature_ok
    body, now = b'{"event":"sharedTargets.changed"}', int(time.time())
    signed = signing.signature("whsec_x", now, body)
    assert check("whsec_x", str(now), signed, body)
    assert not check("whsec_y", str(now), signed, body)
    assert not check("whsec_x", str(now), signed, body + b" ")
    assert not check("whsec_x", str(now - 301), signing.signature("whsec_x", now - 301, body), body)
    assert not check("whsec_x", None, signed, body)


def start_example(port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, str(EXAMPLE), "--port", str(port)], cwd=ROOT, text=True, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


def wait_for_line(process: subprocess.Popen, text: str, seconds: float) -> list[str]:
    """The example's output lines up to one that contains `text` (or all when time ran out)."""
    lines: list[str] = []
    deadline = time.monotonic() + seconds
    os.set_blocking(process.stdout.fileno(), False)
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line:
            lines.append(line.rstrip())
            if text in line:
                return lines
        else:
            time.sleep(0.05)
    return lines


async def test_the_example_hears_a_change_and_rereads_the_aggregates(tmp_path):
    _la, _chain, school, _quiet, officer = await la_world()
    port = free_port()
    _webhook, secret = await hook(officer, school, f"http://127.0.0.1:{port}/")
    server = serve(tmp_path)
    await asyncio.to_thread(server.start)
    env = {**os.environ, "ASPIRE_URL": server.base_url, "ASPIRE_TOKEN": await api_token(officer),
           "ASPIRE_WEBHOOK_SECRET": secret}
    receiver = await asyncio.to_thread(start_example, port, env)
    try:
        assert "listening" in "".join(await asyncio.to_thread(wait_for_line, receiver, "listening", 20))
        await set_targets(school, n=6)
        lines = await asyncio.to_thread(wait_for_line, receiver, "maths", 30)
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)
        await asyncio.to_thread(server.stop)
    assert f"changed: school {school.urn} KS4 year 10" in lines, (lines, server.log.read_text())
    assert f"  {school.urn} Y10 maths: 6 pupils, 6 targets, average 5.0" in lines, lines
