"""In-process checks of the request limits (the real-server versions: test_hostile_sizes.py)."""

from __future__ import annotations

from server.middleware import MAX_FIELD_CHARS, MAX_FORM_FIELDS
from server.models import ThrottleCounter


async def test_a_field_at_the_limit_passes_and_one_over_is_refused(client):
    at_limit = await client.post("/sign-in", data={"loginName": "a" * MAX_FIELD_CHARS, "password": "x"})
    assert at_limit.status_code != 400 or "too long" not in at_limit.text
    counted = sorted(await ThrottleCounter.all().values_list("key", "count"))
    over = await client.post("/sign-in", data={"loginName": "a" * (MAX_FIELD_CHARS + 1), "password": "x"})
    assert over.status_code == 400
    assert "each can be at most 2,000 characters" in over.text and 'class="govuk-template"' in over.text
    assert sorted(await ThrottleCounter.all().values_list("key", "count")) == counted  # refused before anything ran


async def test_too_many_fields_are_refused(client):
    body = "&".join(f"f{n}=1" for n in range(MAX_FORM_FIELDS + 1))
    response = await client.post("/sign-in", content=body,
                                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and "too many fields" in response.text


async def test_too_many_headers_are_refused_as_a_page_and_as_json(client):
    headers = {f"x-pad-{n}": "a" for n in range(150)}
    page = await client.get("/sign-in", headers=headers)
    assert page.status_code == 431 and 'class="govuk-template"' in page.text
    api = await client.post("/graphql", json={"query": "{ viewer { username } }"}, headers=headers)
    assert api.status_code == 431
    assert api.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_declared_oversized_upload_is_the_sites_413_page(client):
    response = await client.post("/admin/users/upload", content=b"x" * 10,
                                 headers={"content-length": str(50 * 1024 * 1024),
                                          "content-type": "multipart/form-data; boundary=b"})
    assert response.status_code == 413
    assert "The file is too large" in response.text and 'class="govuk-template"' in response.text


async def test_a_slow_but_steady_body_gets_through_and_a_trickle_does_not():
    """The body deadline grows with what has arrived: 16 KB a second keeps a body alive."""
    import asyncio

    from server.middleware import MIN_BODY_RATE, BodySizeLimitMiddleware

    async def app(scope, receive, send):
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def run(chunks: list[bytes], gap: float) -> int:
        scope = {"type": "http", "path": "/upload", "method": "POST", "headers": [], "state": {}}
        pending = list(chunks)

        async def receive():
            await asyncio.sleep(gap)
            body = pending.pop(0)
            return {"type": "http.request", "body": body, "more_body": bool(pending)}

        sent = []

        async def send(message):
            if message["type"] == "http.response.start":
                sent.append(message["status"])

        await BodySizeLimitMiddleware(app, body_timeout=0.2)(scope, receive, send)
        return sent[0]

    # Ten chunks of 16 KB, 0.05 s apart: 0.5 s in all, past the bare 0.2 s, at ~320 KB/s.
    assert await run([b"x" * MIN_BODY_RATE] * 10, 0.05) == 200
    # One byte every 0.05 s: refused once 0.2 s (and a few microseconds) have gone.
    assert await run([b"x"] * 20, 0.05) == 408
