"""The queue survives a crash: a delivery claimed by a server killed before sending is sent by
the next server once the claim's lease runs out, and a 500 is retried (real servers)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from server.models import WebhookDelivery
from tests.faults.serving import ROOT, server_environment
from tests.webhooks.servers import serve, wait_for_file
from tests.webhooks.world import hook, la_world, set_targets

PAUSE_SECONDS = 30


async def test_a_server_killed_before_sending_leaves_the_delivery_for_the_next(tmp_path, receiver):
    _la, _chain, school, _quiet, officer = await la_world()
    webhook, receiver.secret = await hook(officer, school, receiver.url)
    pause = tmp_path / "paused"
    first = serve(tmp_path, ASPIRE_TEST_PAUSE_AT="webhook.deliver", ASPIRE_TEST_PAUSE_FILE=str(pause))
    await set_targets(school, n=2)  # before the server: its first pass queues one delivery
    await asyncio.to_thread(first.start)
    try:
        assert await asyncio.to_thread(wait_for_file, pause, PAUSE_SECONDS), first.log.read_text()
    finally:
        first.kill()
    row = await WebhookDelivery.get(webhook=webhook)
    assert (row.status, row.attempts) == ("queued", 1) and row.claimed_until is not None
    assert receiver.received == []

    receiver.answers = [500]  # the next server's first try is refused, the retry lands
    second = serve(tmp_path)
    await asyncio.to_thread(second.start)
    try:
        got = await asyncio.to_thread(receiver.wait_for, 2, 30)
    finally:
        await asyncio.to_thread(second.stop)
    assert len(got) == 2, second.log.read_text()
    assert all(r.signed for r in got)
    assert {r.headers["aspire-delivery"] for r in got} == {row.event_id}
    row = await WebhookDelivery.get(id=row.id)
    assert (row.status, row.attempts, row.response_status) == ("delivered", 3, 200)


async def test_aspire_maintain_sends_what_is_due(tmp_path, receiver):
    _la, _chain, school, _quiet, officer = await la_world()
    _webhook, receiver.secret = await hook(officer, school, receiver.url)
    await set_targets(school, n=1)
    env = server_environment(tmp_path, os.environ["ASPIRE_DATABASE_URL"],
                             ASPIRE_SECRET_KEY=os.environ["ASPIRE_SECRET_KEY"])
    aspire = str(Path(sys.executable).with_name("aspire"))
    done = await asyncio.to_thread(subprocess.run, [aspire, "maintain"], env=env, cwd=ROOT,
                                   capture_output=True, text=True, timeout=120)
    assert "Change notifications: 1 queued, 1 delivered" in done.stdout, done.stdout + done.stderr
    assert len(receiver.received) == 1 and receiver.received[0].signed
