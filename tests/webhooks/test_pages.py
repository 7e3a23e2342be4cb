"""The Change notifications page for LA and chain users (works without JavaScript)."""

from __future__ import annotations

from server.models import Webhook
from tests.factories import make_user, sign_in
from tests.webhooks.world import la_world


def csrf(client) -> str:
    return client.cookies.get("csrftoken", "")


async def test_register_see_the_secret_once_and_delete(client):
    _la, _chain, school, quiet, officer = await la_world()
    await sign_in(client, officer)
    page = await client.get("/outside/notifications")
    assert page.status_code == 200
    assert f'value="{school.id}:KS4"' in page.text and f"{quiet.name} ({quiet.urn})" in page.text
    assert "Change notifications" in page.text  # the menu item and heading
    made = await client.post("/outside/notifications", data={
        "csrftoken": csrf(client), "choice": f"{school.id}:KS4", "url": "https://tool.example.org/in"})
    assert made.status_code == 201
    assert 'id="new-secret">whsec_' in made.text and "will not be shown again" in made.text
    listing = await client.get("/outside/notifications")
    assert "https://tool.example.org/in" in listing.text and "whsec_" not in listing.text
    webhook = await Webhook.get()
    gone = await client.post(f"/outside/notifications/{webhook.id}/delete", data={"csrftoken": csrf(client)})
    assert gone.status_code == 303 and gone.headers["location"] == "/outside/notifications?deleted=1"
    assert not await Webhook.exists()
    assert "The notification was deleted" in (await client.get(gone.headers["location"])).text


async def test_mistakes_are_shown_on_the_form_and_change_nothing(client):
    _la, _chain, school, quiet, officer = await la_world()
    await sign_in(client, officer)
    await client.get("/outside/notifications")
    for choice, url, message in (
        ("", "https://tool.example.org/in", "Choose a school and key stage"),
        (f"{school.id}:KS4", "http://tool.example.org/in", "must start with https://"),
        (f"{quiet.id}:KS4", "https://tool.example.org/in", "does not share its KS4 targets"),
    ):
        answer = await client.post("/outside/notifications", data={
            "csrftoken": csrf(client), "choice": choice, "url": url})
        assert answer.status_code == 400, answer.text
        assert "There is a problem" in answer.text and message in answer.text
        assert 'href="#choice"' in answer.text or 'href="#url"' in answer.text
    fragment = await client.post("/outside/notifications", headers={"hx-request": "true"}, data={
        "csrftoken": csrf(client), "choice": f"{school.id}:KS4", "url": ""})
    assert fragment.status_code == 200 and '<div id="notifications">' in fragment.text
    assert "There is a problem" in fragment.text
    assert "<html" not in fragment.text
    assert not await Webhook.exists()


async def test_a_school_user_is_told_the_page_is_not_for_them(client):
    _la, _chain, school, _quiet, _officer = await la_world()
    teacher = await make_user(school)
    await sign_in(client, teacher)
    page = await client.get("/outside/notifications")
    assert page.status_code == 403 and "for local authorities and academy chains" in page.text
    assert 'href="/outside/notifications"' not in (await client.get("/")).text
