"""sharedTargetsChanged over WebSocket (graphql-transport-ws) on a real server, with a token."""

from __future__ import annotations

import asyncio
import json
import os

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from server.operations import document
from tests.factories import api_token, make_user
from tests.faults.serving import Server, server_environment
from tests.webhooks.world import la_world, set_targets

PROTOCOL = "graphql-transport-ws"
WAIT = 10  # seconds any one message may take


@pytest.fixture
async def server(tmp_path):
    env = server_environment(tmp_path, os.environ["ASPIRE_DATABASE_URL"],
                             ASPIRE_SECRET_KEY=os.environ["ASPIRE_SECRET_KEY"],
                             ASPIRE_WEBHOOK_POLL_SECONDS="0.2")
    running = Server(env, tmp_path / "server.log")
    await asyncio.to_thread(running.start)
    yield running
    await asyncio.to_thread(running.stop)


def socket_url(server: Server) -> str:
    return server.base_url.replace("http://", "ws://") + "/graphql"


async def receive(ws) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), WAIT))


async def subscribe(ws, token: str, variables: dict) -> None:
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert (await receive(ws))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
        "query": document("SharedTargetsChanged"), "operationName": "SharedTargetsChanged",
        "variables": variables}}))


async def test_an_la_tool_hears_of_a_shared_change_and_not_of_others(server):
    _la, _chain, school, quiet, officer = await la_world()
    token = await api_token(officer)
    async with connect(socket_url(server), subprotocols=[PROTOCOL], open_timeout=WAIT) as ws:
        await subscribe(ws, token, {"keyStage": "KS4"})
        event = None
        for _ in range(20):  # until the subscription has its starting point and sees a change
            await set_targets(quiet, n=1)  # not shared: never told
            await set_targets(school, n=1)
            try:
                event = await asyncio.wait_for(receive(ws), 1.0)
                break
            except TimeoutError:
                continue
        assert event is not None, "no event arrived"
        assert event["type"] == "next" and event["id"] == "1", event
        change = event["payload"]["data"]["sharedTargetsChanged"]
        assert change["schoolId"] == str(school.id) and change["urn"] == school.urn
        assert change["keyStage"] == "KS4"
        assert [y["yearGroup"] for y in change["yearGroups"]] == [10]
        assert all(y["changes"] >= 1 for y in change["yearGroups"])
        await ws.send(json.dumps({"id": "1", "type": "complete"}))


async def test_no_token_a_bad_token_or_a_school_user_is_refused(server):
    _la, _chain, school, _quiet, _officer = await la_world()
    async with connect(socket_url(server), subprotocols=[PROTOCOL], open_timeout=WAIT) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer nope"}}))
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
        assert closed.value.rcvd.code == 4403
    async with connect(socket_url(server), subprotocols=[PROTOCOL], open_timeout=WAIT) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        with pytest.raises(ConnectionClosed):
            await receive(ws)
    teacher = await make_user(school)
    async with connect(socket_url(server), subprotocols=[PROTOCOL], open_timeout=WAIT) as ws:
        await subscribe(ws, await api_token(teacher), {})
        answer = await receive(ws)
        assert answer["type"] in {"error", "next"}, answer
        errors = answer["payload"] if answer["type"] == "error" else answer["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN", answer


async def test_a_token_in_the_handshake_header_works_too(server):
    _la, _chain, _school, _quiet, officer = await la_world()
    token = await api_token(officer)
    async with connect(socket_url(server), subprotocols=[PROTOCOL], open_timeout=WAIT,
                       additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert (await receive(ws))["type"] == "connection_ack"
