"""Approval of sharing changes by a school's senior leaders (issue 15, item 1)."""

import asyncio

from server.models import AuditEvent, SharingChange, YearGroupSettings
from server.models.enums import KeyStage, Role
from server.operations import document
from server.services.audit import Actor
from server.services.sharing.approval import split_change
from server.services.targets.settings import TargetSettings, save_settings
from tests.factories import (
    api_token,
    make_administrator,
    make_chain,
    make_local_authority,
    make_school,
    make_user,
)

PUPIL_LA = TargetSettings(use_target_setting=True, pupil_level_with_la=True)


async def run(client, token, name, variables=None):
    r = await client.post(
        "/graphql",
        json={"query": document(name), "variables": variables or {}, "operationName": name},
        headers={"authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    return r.json()


async def shared(school, year=10):
    row = await YearGroupSettings.get(school=school, key_stage=KeyStage.KS4, year_group=year)
    return (row.pupil_level_with_la, row.aggregate_with_la, row.aggregate_with_chain)


def test_narrowing_is_at_once_and_widening_waits():
    off = dict.fromkeys(("pupil_level_with_la", "aggregate_with_la", "aggregate_with_chain"), False)
    aggregate = {**off, "aggregate_with_la": True}
    pupil = {**aggregate, "pupil_level_with_la": True}
    assert split_change(pupil, aggregate) == (aggregate, False)
    assert split_change(pupil, off) == (off, False)
    assert split_change(aggregate, pupil) == (aggregate, True)
    assert split_change(off, {**off, "aggregate_with_chain": True}) == (off, True)


async def test_turning_on_waits_for_a_senior_leader_who_is_emailed(outbox):
    school = await make_school()
    admin = await make_administrator(school)
    leader = await make_user(school, role=Role.HEAD_TEACHER)
    result = await save_settings(school.id, KeyStage.KS4, 10, False, PUPIL_LA, True, Actor(admin))
    assert await shared(school) == (False, False, False)
    assert [c.year_group for c in result.pending] == [10] and result.senior_leaders == 1
    assert not result.year_groups[0].settings.share
    mails = outbox()
    assert [m["To"] for m in mails] == [leader.email]
    assert "/sharing" in mails[0].get_body(("plain",)).get_content()
    change = await SharingChange.get(school=school)
    assert change.status == "pending" and change.pupil_level_with_la and change.aggregate_with_la
    assert await AuditEvent.filter(action="sharing.requested").count() == 1


async def test_turning_off_is_at_once_and_supersedes_the_pending_change():
    school = await make_school()
    admin = await make_administrator(school)
    await YearGroupSettings.create(school=school, key_stage=KeyStage.KS4, year_group=10,
                                   aggregate_with_la=True)
    await save_settings(school.id, KeyStage.KS4, 10, False, PUPIL_LA, True, Actor(admin))
    assert await shared(school) == (False, True, False)  # what was shared stays until approval
    await save_settings(school.id, KeyStage.KS4, 10, False, TargetSettings(), False, Actor(admin))
    assert await shared(school) == (False, False, False)
    assert (await SharingChange.get(school=school)).status == "superseded"


async def test_only_the_schools_senior_leaders_approve_and_approval_is_audited(client):
    la = await make_local_authority()
    school = await make_school(la=la)
    other = await make_school(la=la)
    admin = await make_administrator(school)
    await save_settings(school.id, KeyStage.KS4, 10, False, PUPIL_LA, True, Actor(admin))
    change = await SharingChange.get(school=school)
    refused_by = [
        await make_user(school, role=Role.TEACHER),
        await make_user(other, role=Role.HEAD_TEACHER),
        await make_user(la, role=Role.HEAD_TEACHER),
        admin,
    ]
    for account in refused_by:
        body = await run(client, await api_token(account), "DecideSharingChange",
                         {"input": {"id": str(change.id), "approve": True}})
        if body.get("errors"):
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        else:  # another school's people do not learn that the change exists
            assert body["data"]["decideSharingChange"]["errors"][0]["code"] == "NOT_FOUND"
    assert await shared(school) == (False, False, False)
    leader = await make_user(school, role=Role.HEAD_TEACHER)
    body = await run(client, await api_token(leader), "DecideSharingChange",
                     {"input": {"id": str(change.id), "approve": True}})
    decided = body["data"]["decideSharingChange"]
    assert decided["errors"] == [] and decided["change"]["status"] == "APPROVED"
    assert decided["change"]["decidedBy"] == leader.full_name
    assert await shared(school) == (True, True, False)
    event = await AuditEvent.get(action="sharing.approved")
    assert event.actor_id == leader.id and event.after["pupil_level_with_la"]
    again = await run(client, await api_token(leader), "DecideSharingChange",
                      {"input": {"id": str(change.id), "approve": False}})
    assert again["data"]["decideSharingChange"]["errors"][0]["code"] == "ALREADY_DECIDED"
    assert await shared(school) == (True, True, False)


async def test_refusal_shares_nothing_and_lists_who_and_when(client):
    chain = await make_chain()
    school = await make_school(chain=chain)
    admin = await make_administrator(school)
    leader = await make_user(school, role=Role.HEAD_TEACHER)
    chosen = TargetSettings(aggregate_with_chain=True)
    await save_settings(school.id, KeyStage.KS4, 10, True, chosen, True, Actor(admin))
    changes = await SharingChange.filter(school=school).order_by("year_group")
    assert [c.year_group for c in changes] == [7, 8, 9, 10, 11]
    body = await run(client, await api_token(leader), "DecideSharingChange",
                     {"input": {"id": str(changes[0].id), "approve": False}})
    assert body["data"]["decideSharingChange"]["change"]["status"] == "REFUSED"
    assert await shared(school, 7) == (False, False, False)
    listed = (await run(client, await api_token(admin), "SharingApprovals"))["data"]
    rows = listed["sharingApprovals"]["changes"]
    assert [r["status"] for r in rows] == ["PENDING"] * 4 + ["REFUSED"]
    assert rows[4]["decidedBy"] == leader.full_name and rows[4]["decidedAt"]
    assert rows[0]["requestedBy"] == admin.full_name
    assert not listed["sharingApprovals"]["canDecide"]
    teacher = await run(client, await api_token(await make_user(school)), "SharingApprovals")
    assert teacher["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_school_without_a_senior_leader_is_told_what_to_do(client):
    school = await make_school()
    admin = await make_administrator(school)
    await make_user(school, role=Role.TEACHER)
    token = await api_token(admin)
    body = await run(client, token, "SaveTargetSettings", {"input": {
        "keyStage": "KS4", "yearGroup": 10, "useTargetSetting": True, "prepopulate": "NO",
        "editing": "YES", "shareTargets": True, "aggregateWithLa": True,
    }})
    payload = body["data"]["saveTargetSettings"]
    assert payload["seniorLeaders"] == 0 and len(payload["pendingApproval"]) == 1
    page = await run(client, token, "ManageTargets", {"keyStage": "KS4", "yearGroup": 10})
    message = page["data"]["sharingApprovals"]["noSeniorLeaderMessage"]
    assert "Head Teacher/Senior Leader" in message and "Manage users" in message


async def test_approval_is_single_use_under_concurrency(client):
    school = await make_school()
    admin = await make_administrator(school)
    leaders = [await make_user(school, role=Role.HEAD_TEACHER) for _ in range(3)]
    tokens = [await api_token(leader) for leader in leaders]
    await save_settings(school.id, KeyStage.KS4, 10, False, PUPIL_LA, True, Actor(admin))
    change = await SharingChange.get(school=school)
    bodies = await asyncio.wait_for(asyncio.gather(*(
        run(client, tokens[i % 3], "DecideSharingChange",
            {"input": {"id": str(change.id), "approve": i % 2 == 0}})
        for i in range(12)
    )), timeout=30)
    won = [b for b in bodies if b["data"]["decideSharingChange"]["errors"] == []]
    lost = [b for b in bodies if b["data"]["decideSharingChange"]["errors"]]
    assert len(won) == 1 and len(lost) == 11
    assert {b["data"]["decideSharingChange"]["errors"][0]["code"] for b in lost} == {"ALREADY_DECIDED"}
    decisions = await AuditEvent.filter(action__in=["sharing.approved", "sharing.refused"]).count()
    assert decisions == 1
