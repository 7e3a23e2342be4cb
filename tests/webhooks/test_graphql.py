"""registerWebhook, webhooks, webhookSchools and deleteWebhook over /graphql, with who may."""

from __future__ import annotations

from server.models import AuditEvent, Webhook
from server.operations import document
from server.services.webhooks.registry import secret_of
from tests.factories import api_token, make_administrator, make_school, make_user
from tests.webhooks.world import la_world, share


async def run(client, token, name, variables=None):
    r = await client.post(
        "/graphql",
        json={"query": document(name), "variables": variables or {}, "operationName": name},
        headers={"authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    return r.json()


def register(school_id, url="https://dashboard.example.org/hook", key_stage="KS4"):
    return {"input": {"schoolId": str(school_id), "keyStage": key_stage, "url": url}}


async def test_an_la_user_registers_lists_and_deletes(client):
    la, _chain, school, quiet, officer = await la_world()
    token = await api_token(officer)
    listed = await run(client, token, "Webhooks")
    schools = {s["schoolId"]: s["keyStages"] for s in listed["data"]["webhookSchools"]}
    assert schools == {str(school.id): ["KS4"], str(quiet.id): []}
    made = (await run(client, token, "RegisterWebhook", register(school.id)))["data"]["registerWebhook"]
    assert made["errors"] == [] and made["secret"].startswith("whsec_")
    row = await Webhook.get(id=int(made["webhook"]["id"]))
    assert row.secret != made["secret"] and secret_of(row) == made["secret"]  # kept encrypted
    listed = (await run(client, token, "Webhooks"))["data"]["webhooks"]
    assert [(w["schoolName"], w["keyStage"], w["url"], w["lastDelivery"]) for w in listed] == [
        (school.name, "KS4", "https://dashboard.example.org/hook", None)]
    assert "secret" not in listed[0]
    gone = (await run(client, token, "DeleteWebhook", {"input": {"id": made["webhook"]["id"]}}))
    assert gone["data"]["deleteWebhook"] == {"deletedId": made["webhook"]["id"], "errors": []}
    assert not await Webhook.exists()
    assert [a.action for a in await AuditEvent.filter(organisation_id=la.id).order_by("id")] == [
        "webhook.registered", "webhook.deleted"]


async def test_bad_input_is_a_clear_error_and_changes_nothing(client):
    _la, _chain, school, quiet, officer = await la_world()
    token = await api_token(officer)
    other = await make_school()  # another LA's school
    await share(other)
    cases = [
        (register(school.id, url=""), "url", "REQUIRED"),
        (register(school.id, url="ftp://x.example.org"), "url", "INVALID_URL"),
        (register(school.id, url="http://dashboard.example.org/hook"), "url", "NOT_HTTPS"),
        (register(school.id, url="https://user:pw@dashboard.example.org/"), "url", "INVALID_URL"),
        (register(school.id, url="https://x.example.org/" + "a" * 500), "url", "TOO_LONG"),
        (register(quiet.id), "schoolId", "NOT_SHARED"),
        (register(school.id, key_stage="KS2"), "schoolId", "NOT_SHARED"),
        (register(other.id), "schoolId", "UNKNOWN_SCHOOL"),
        (register("nonsense"), "schoolId", "UNKNOWN_SCHOOL"),
    ]
    for variables, field, code in cases:
        body = (await run(client, token, "RegisterWebhook", variables))["data"]["registerWebhook"]
        assert body["webhook"] is None and body["secret"] is None, variables
        [error] = body["errors"]
        assert (error["field"], error["code"]) == (field, code), (variables, error)
        assert error["message"]
    assert not await Webhook.exists()
    await run(client, token, "RegisterWebhook", register(school.id))
    again = (await run(client, token, "RegisterWebhook", register(school.id)))["data"]["registerWebhook"]
    assert again["errors"][0]["code"] == "DUPLICATE"
    # http is for this computer only, and only in development/test (the tests' environment).
    local = register(school.id, url="http://127.0.0.1:9/hook")
    assert (await run(client, token, "RegisterWebhook", local))["data"]["registerWebhook"]["errors"] == []
    missing = (await run(client, token, "DeleteWebhook", {"input": {"id": "999999"}}))
    assert missing["data"]["deleteWebhook"]["errors"][0]["code"] == "NOT_FOUND"


async def test_only_la_and_chain_users_may(client):
    la, chain, school, _quiet, _officer = await la_world()
    await share(school, chain=True)
    for account in (await make_user(school), await make_administrator(school),
                    await make_administrator(la)):
        token = await api_token(account)
        for name, variables in (("Webhooks", {}), ("RegisterWebhook", register(school.id))):
            body = await run(client, token, name, variables)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (account, name)
    assert not await Webhook.exists()
    chain_user = await make_user(chain)
    made = await run(client, await api_token(chain_user), "RegisterWebhook", register(school.id))
    assert made["data"]["registerWebhook"]["errors"] == []


async def test_one_organisation_never_sees_or_deletes_anothers(client):
    _la, _chain, school, _quiet, officer = await la_world()
    _la2, _chain2, school2, _quiet2, officer2 = await la_world()
    token, token2 = await api_token(officer), await api_token(officer2)
    made = (await run(client, token, "RegisterWebhook", register(school.id)))["data"]["registerWebhook"]
    assert (await run(client, token2, "Webhooks"))["data"]["webhooks"] == []
    body = await run(client, token2, "DeleteWebhook", {"input": {"id": made["webhook"]["id"]}})
    assert body["data"]["deleteWebhook"]["errors"][0]["code"] == "NOT_FOUND"
    assert await Webhook.exists()
    cross = await run(client, token2, "RegisterWebhook", register(school.id))
    assert cross["data"]["registerWebhook"]["errors"][0]["code"] == "UNKNOWN_SCHOOL"
    assert (await run(client, token2, "RegisterWebhook", register(school2.id)))["data"][
        "registerWebhook"]["errors"] == []
