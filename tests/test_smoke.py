async def test_healthz(client):
    r = await client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["details"]["base_url"]["status"] == "ok"
    assert "X-Request-Id" in r.headers
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


async def test_sign_in_page_renders(client):
    r = await client.get("/sign-in")
    assert r.status_code == 200, r.text
    assert "Sign in" in r.text
