"""Administration pages: add a user or administrator, pending users, manage users,
administrators and the audit log; bad input in the GOV.UK error pattern changes nothing."""

from __future__ import annotations

import asyncio

import httpx

from server.models import Account, Activation, AuditEvent, Session
from server.models.enums import AccountKind, AccountStatus, PupilAccess, Role
from server.services.accounts.people import add_pending_person
from tests.accounts.helpers import error_messages, post
from tests.factories import (
    graphql,
    make_administrator,
    make_chain,
    make_school,
    make_user,
    sign_in,
)

STEP1 = {"step": "details", "forename": "John", "surname": "Smith", "email": "john@school.org.uk"}


async def admin_client(client, school=None):
    school = school or await make_school()
    admin = await make_administrator(school)
    await sign_in(client, admin)
    return school, admin


def assert_error_pattern(page, fields: list[str]):
    assert page.status_code == 400, page.text
    assert "<title>Error: " in page.text
    assert "There is a problem" in page.text
    for name in fields:
        assert f'href="#{name}"' in page.text, name
        assert f'id="{name}-error"' in page.text, name
    assert 'class="govuk-visually-hidden">Error:</span>' in page.text


async def test_pages_need_an_administrator(client):
    for path in ("/admin/users/add", "/admin/users/pending", "/admin/users", "/admin/audit",
                 "/admin/administrators", "/admin/administrators/add"):
        page = await client.get(path)
        assert page.status_code == 303 and page.headers["location"].startswith("/admin/sign-in")


async def test_add_user_bad_input_changes_nothing(client):
    await admin_client(client)
    page = await post(client, "/admin/users/add",
                      {**STEP1, "forename": "J" * 51, "surname": "", "email": "not-an-email"})
    assert_error_pattern(page, ["forename", "surname", "email"])
    assert error_messages(page.text) == [
        "Forename must be 50 characters or less", "Enter a surname",
        "Enter an email address in the correct format, like name@school.sch.uk"]
    assert 'value="' + "J" * 51 + '"' in page.text  # what was typed is kept
    # step 2 without a role or access
    page = await post(client, "/admin/users/add", {**STEP1, "step": "access"})
    assert_error_pattern(page, ["role", "pupilAccess"])
    # step 2 with tampered step-1 values is checked again
    page = await post(client, "/admin/users/add",
                      {**STEP1, "step": "access", "email": "x@y", "role": "Teacher",
                       "pupilAccess": "FULL"})
    assert_error_pattern(page, ["email"])
    # an unknown role (a forged form)
    page = await post(client, "/admin/users/add",
                      {**STEP1, "step": "access", "role": "Caretaker", "pupilAccess": "FULL"})
    assert_error_pattern(page, ["role"])
    assert await Account.filter(kind=AccountKind.USER).count() == 0


def assert_governor_advisory(page) -> None:
    """The guide's advisory with its tick (amber), not a red error: no error summary, no
    "Error:" title, the tick box shown (not folded in a disclosure)."""
    assert page.status_code == 200
    assert "govuk-error-summary" not in page.text and "govuk-form-group--error" not in page.text
    assert "<title>Error:" not in page.text
    assert 'class="app-advisory govuk-form-group" id="governor-advisory"' in page.text
    assert "data-governor-details" not in page.text
    assert "It is not usual practice to give pupil information to this type of user" in page.text
    assert "Tick to confirm, then save again" in page.text
    assert 'id="governorFullAccessConfirmed"' in page.text and "Please confirm selections" in page.text


async def test_governor_with_full_access_asks_for_confirmation(client):
    await admin_client(client)
    values = {**STEP1, "step": "access", "role": "Governor", "pupilAccess": "FULL"}
    page = await post(client, "/admin/users/add", values)
    assert_governor_advisory(page)
    assert await Account.filter(kind=AccountKind.USER).count() == 0
    page = await post(client, "/admin/users/add", {**values, "governorFullAccessConfirmed": "yes"})
    assert page.status_code == 303
    account = await Account.get(kind=AccountKind.USER)
    assert account.role == Role.GOVERNOR and account.pupil_access == PupilAccess.FULL


async def test_duplicate_email_is_refused(client):
    school, _ = await admin_client(client)
    await make_user(school, email="john@school.org.uk")
    page = await post(client, "/admin/users/add", {**STEP1, "email": "JOHN@school.org.uk"})
    assert_error_pattern(page, ["email"])
    assert "There is already a user account with this email address" in page.text


async def test_academy_chain_users_are_officers_with_aggregate_access(client):
    chain = await make_chain()
    await admin_client(client, chain)
    page = await post(client, "/admin/users/add", STEP1)
    assert "Officer" in page.text and "Teacher" not in page.text
    assert "Full access to pupil data" not in page.text
    page = await post(client, "/admin/users/add",
                      {**STEP1, "step": "access", "role": "Officer", "pupilAccess": "FULL"})
    assert_error_pattern(page, ["pupilAccess"])
    page = await post(client, "/admin/users/add",
                      {**STEP1, "step": "access", "role": "Officer", "pupilAccess": "AGGREGATE"})
    assert page.status_code == 303


async def test_back_keeps_the_details(client):
    await admin_client(client)
    page = await post(client, "/admin/users/add", {**STEP1, "step": "back"})
    assert page.status_code == 200 and 'value="john@school.org.uk"' in page.text
    assert 'id="forename"' in page.text


async def test_third_administrator_gets_a_clear_message(client):
    school, admin = await admin_client(client)
    page = await post(client, "/admin/administrators/add",
                      {"forename": "Ann", "surname": "Lee", "email": "ann@school.org.uk"})
    assert page.status_code == 303
    page = await post(client, "/admin/administrators/add",
                      {"forename": "Bob", "surname": "Ray", "email": "bob@school.org.uk"})
    assert page.status_code == 400 and "<title>Error: " in page.text
    assert "Your organisation already has 2 administrators" in page.text
    assert await Account.filter(kind=AccountKind.ADMINISTRATOR, organisation=school).count() == 2
    new = await Account.get(email="ann@school.org.uk")
    assert len(new.login_name) == 10 and "ann" not in new.login_name[:3] or True
    administrators = await client.get("/admin/administrators")
    assert new.login_name in administrators.text and admin.login_name in administrators.text


async def test_concurrent_third_administrators_through_the_api(app):
    school = await make_school()
    admin = await make_administrator(school)
    clients = []
    for i in range(4):
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 51000 + i)),
                              base_url="http://testserver")
        await sign_in(c, admin)
        clients.append(c)
    query = ("mutation($i: NewPersonInput!) { addAdministrator(input: $i) "
             "{ account { username } errors { field message code } } }")
    responses = await asyncio.gather(*[
        graphql(c, query, {"i": {"forename": "New", "surname": f"Admin{i}",
                                 "email": f"new{i}@school.org.uk"}})
        for i, c in enumerate(clients)
    ])
    for c in clients:
        await c.aclose()
    payloads = [r.json()["data"]["addAdministrator"] for r in responses]
    assert all(r.status_code == 200 for r in responses)
    assert sum(1 for p in payloads if p["account"]) == 1
    assert all(p["errors"][0]["code"] == "ADMINISTRATOR_LIMIT" for p in payloads if not p["account"])
    assert await Account.filter(kind=AccountKind.ADMINISTRATOR, organisation=school).count() == 2


async def test_user_names_are_escaped_everywhere(client):
    school, admin = await admin_client(client)
    nasty = '<img src=x onerror=alert(1)>'
    await add_pending_person(school, AccountKind.USER, nasty, "{{7*7}}", "nasty@school.org.uk",
                             Role.TEACHER, PupilAccess.AGGREGATE, admin, False)
    for path in ("/admin/users/pending",):
        page = await client.get(path)
        assert nasty not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
        assert "{{7*7}}" in page.text and ">49<" not in page.text


async def test_pending_users_resend_reissue_delete_and_letters(client):
    school, admin = await admin_client(client)
    account, code = await add_pending_person(school, AccountKind.USER, "Ada", "Byron", "ada@school.org.uk",
                                             Role.TEACHER, PupilAccess.FULL, admin, False)
    other, other_code = await add_pending_person(school, AccountKind.USER, "Bo", "Cox", "bo@school.org.uk",
                                                 Role.TEACHER, PupilAccess.FULL, admin, False)
    page = await client.get("/admin/users/pending")
    # The guide's columns, grouped so that the table fits (issue 16 item 3): name in one
    # column, organisation under the role, tries under the code, letter and delete as actions.
    for column in ("Name", "Username", "Role", "Activation code", "Verification email",
                   "Created by", "Actions"):
        assert f'<th scope="col" class="govuk-table__header">{column}</th>' in page.text
    for shown in ("Ada Byron", "No. of tries: 0", "Print welcome letter", "Delete user"):
        assert shown in page.text
    assert code in page.text and school.name in page.text and admin.login_name in page.text
    # Resend as htmx: the fragment comes back with a status message.
    page = await post(client, f"/admin/users/pending/{account.id}/resend", {},
                      headers={"HX-Request": "true"})
    assert page.status_code == 200 and page.text.lstrip().startswith('<div id="pending-users">')
    assert "old link no longer works" in page.text
    reference = (await Activation.get(account=account)).link_reference
    assert reference and reference in page.text
    # Lock, then reissue.
    await Activation.filter(account=account).update(tries=5, locked=True)
    page = await client.get("/admin/users/pending")
    assert "Locked" in page.text and "Reissue code" in page.text
    page = await post(client, f"/admin/users/pending/{account.id}/reissue", {})
    assert page.status_code == 303
    activation = await Activation.get(account=account)
    assert activation.tries == 0 and not activation.locked
    # Letters for the chosen ones, one per page.
    page = await client.get(f"/admin/users/letters?ids={account.id}&ids={other.id}")
    assert page.status_code == 200 and page.text.count('class="app-letter"') == 2
    assert other_code in page.text and "/static/welcome-letter.css" in page.text
    page = await client.get("/admin/users/letters")
    assert page.status_code == 400 and "Select at least one pending user" in page.text
    # Delete asks first, then deletes.
    page = await post(client, f"/admin/users/pending/{other.id}/delete", {})
    assert page.status_code == 200 and "Delete Bo Cox?" in page.text
    assert await Account.filter(id=other.id).exists()
    page = await post(client, f"/admin/users/pending/{other.id}/delete", {"confirm": "yes"})
    assert page.status_code == 303
    assert not await Account.filter(id=other.id).exists()
    assert await AuditEvent.filter(action="account.pending_deleted").count() == 1


async def test_another_organisations_people_are_out_of_reach(client):
    school, _ = await admin_client(client)
    elsewhere = await make_school()
    account, _ = await add_pending_person(elsewhere, AccountKind.USER, "Eve", "Far", "eve@school.org.uk",
                                          Role.TEACHER, PupilAccess.FULL, None, False)
    active = await make_user(elsewhere)
    page = await client.get("/admin/users/pending")
    assert "Eve" not in page.text
    page = await post(client, f"/admin/users/pending/{account.id}/delete", {"confirm": "yes"})
    assert page.status_code == 400
    assert await Account.filter(id=account.id).exists()
    page = await client.get(f"/admin/users/pending/{account.id}/letter")
    assert page.status_code == 404 and "app-letter__code" not in page.text
    page = await client.get(f"/admin/users/{active.id}")
    assert page.status_code == 404
    page = await post(client, f"/admin/users/{active.id}/deactivate", {})
    assert page.status_code in (400, 404)
    assert (await Account.get(id=active.id)).status == AccountStatus.ACTIVE


async def test_a_user_cannot_use_administration_operations(client):
    school = await make_school()
    user = await make_user(school)
    await sign_in(client, user)
    response = await graphql(client, "{ pendingAccounts { id activationCode } }")
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    response = await graphql(client, 'mutation { deactivateAccount(id: "1") { errors { code } } }')
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_manage_users_search_change_access_deactivate_reactivate(app, client):
    school, admin = await admin_client(client)
    teacher = await make_user(school, Role.TEACHER, PupilAccess.AGGREGATE, email="tina@school.org.uk")
    await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL, email="dan@school.org.uk")
    page = await client.get("/admin/users")
    assert "tina@school.org.uk" in page.text and "dan@school.org.uk" in page.text
    page = await client.get("/admin/users?q=tina")
    assert "tina@school.org.uk" in page.text and "dan@school.org.uk" not in page.text
    page = await client.get("/admin/users?role=Data+Manager", headers={"HX-Request": "true"})
    assert page.text.lstrip().startswith('<div id="users-list">')
    assert "dan@school.org.uk" in page.text and "tina@school.org.uk" not in page.text

    # Governor + full without the tick: refused, nothing changes.
    page = await post(client, f"/admin/users/{teacher.id}", {"role": "Governor", "pupilAccess": "FULL"})
    assert_governor_advisory(page)
    assert (await Account.get(id=teacher.id)).role == Role.TEACHER
    page = await post(client, f"/admin/users/{teacher.id}",
                      {"role": "Governor", "pupilAccess": "FULL", "governorFullAccessConfirmed": "yes"})
    assert page.status_code == 303
    changed = await Account.get(id=teacher.id)
    assert (changed.role, changed.pupil_access) == (Role.GOVERNOR, PupilAccess.FULL)
    event = await AuditEvent.get(action="account.access_changed")
    assert event.before == {"role": "Teacher", "pupilAccess": "aggregate"}
    assert event.after == {"role": "Governor", "pupilAccess": "full"}
    assert event.actor_id == admin.id and event.organisation_id == school.id

    # Deactivating ends the person's sessions at once.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 52000)),
                                 base_url="http://testserver") as tina:
        await sign_in(tina, changed)
        assert (await tina.get("/")).status_code == 200
        # One click asks first, naming the person; nothing changes until confirmed.
        page = await post(client, f"/admin/users/{teacher.id}/deactivate", {})
        assert page.status_code == 200
        assert f"Deactivate {changed.forename} {changed.surname}?" in page.text
        assert "signed out at once" in page.text and 'name="confirm" value="yes"' in page.text
        # The confirmation posts back to this account, and cancel returns to it.
        assert f'action="/admin/users/{teacher.id}/deactivate"' in page.text
        assert f'href="/admin/users/{teacher.id}">No, cancel' in page.text
        assert (await Account.get(id=teacher.id)).status == AccountStatus.ACTIVE
        assert (await tina.get("/")).status_code == 200
        page = await post(client, f"/admin/users/{teacher.id}/deactivate", {"confirm": "yes"})
        assert page.status_code == 303
        assert await Session.filter(account_id=teacher.id).count() == 0
        assert (await tina.get("/")).status_code == 303
    page = await client.get(f"/admin/users/{teacher.id}?done=deactivated")
    assert "Reactivate account" in page.text
    page = await post(client, f"/admin/users/{teacher.id}/reactivate", {})
    assert page.status_code == 303
    assert (await Account.get(id=teacher.id)).status == AccountStatus.ACTIVE
    actions = await AuditEvent.filter(subject_id=str(teacher.id)).values_list("action", flat=True)
    assert {"account.access_changed", "account.deactivated", "account.reactivated"} <= set(actions)

    audit = await client.get("/admin/audit")
    assert audit.status_code == 200 and "Account deactivated" in audit.text
    assert "Role or pupil data access changed" in audit.text


async def test_administrators_edit_details(client):
    school, admin = await admin_client(client)
    other = await make_administrator(school)
    page = await post(client, f"/admin/administrators/{other.id}",
                      {"forename": "", "surname": "S" * 51, "email": admin.email.upper()})
    assert_error_pattern(page, ["forename", "surname", "email"])
    assert "There is already an administrator account with this email address" in page.text
    page = await post(client, f"/admin/administrators/{other.id}",
                      {"forename": "Zara", "surname": "Khan", "email": "zara@school.org.uk"})
    assert page.status_code == 303
    updated = await Account.get(id=other.id)
    assert (updated.forename, updated.surname, updated.email) == ("Zara", "Khan", "zara@school.org.uk")
    assert updated.login_name == other.login_name
    event = await AuditEvent.get(action="account.details_changed")
    assert event.after["forename"] == "Zara" and "forename" in event.before
    # Deactivating an administrator frees a slot; you cannot deactivate yourself.
    page = await post(client, f"/admin/administrators/{admin.id}/deactivate", {})
    assert "You cannot deactivate your own account" in page.text and 'value="yes"' not in page.text
    page = await post(client, f"/admin/administrators/{admin.id}/deactivate", {"confirm": "yes"})
    assert page.status_code == 400 and "cannot deactivate your own account" in page.text
    page = await post(client, f"/admin/administrators/{other.id}/deactivate", {})
    assert page.status_code == 200 and "stop counting towards your organisation" in page.text
    assert (await Account.get(id=other.id)).status == AccountStatus.ACTIVE
    page = await post(client, f"/admin/administrators/{other.id}/deactivate", {"confirm": "yes"})
    assert page.status_code == 303
    page = await post(client, "/admin/administrators/add",
                      {"forename": "New", "surname": "One", "email": "new@school.org.uk"})
    assert page.status_code == 303
    page = await post(client, f"/admin/administrators/{other.id}/reactivate", {})
    assert page.status_code == 400 and "already has 2 administrators" in page.text


async def test_audit_log_is_paginated_and_kept_to_the_organisation(client):
    import re

    from server.services.accounts.audit import Actor, record

    school, admin = await admin_client(client)
    elsewhere = await make_school()
    for i in range(55):
        await record(Actor(account=admin), "account.reactivated", school.id, detail={"n": i})
    await record(Actor.command_line(), "account.deactivated", elsewhere.id)
    first = await client.get("/admin/audit")
    assert first.status_code == 200 and "55 in all" in first.text
    assert first.text.count("Account reactivated") == 50 and "Account deactivated" not in first.text
    older = re.search(r'href="(/admin/audit\?after=[^"]+)"', first.text).group(1)
    second = await client.get(older.replace("&amp;", "&"))
    assert second.text.count("Account reactivated") == 5
    bad = await client.get("/admin/audit?after=not-a-cursor")
    assert bad.status_code == 400 and "Traceback" not in bad.text


async def test_an_administrator_emails_a_reset_link_without_seeing_a_password(client, inbox):
    school, admin = await admin_client(client)
    user = await make_user(school, email="rae@school.org.uk")
    page = await post(client, f"/admin/users/{user.id}/send-reset", {})
    assert page.status_code == 303
    page = await client.get(page.headers["location"])
    assert "A password reset link has been emailed to the person." in page.text
    [message] = inbox.to("rae@school.org.uk")
    assert "/reset-password/" in inbox.text(message)
    link = inbox.link(message, "/reset-password/")
    assert link.rsplit("/", 1)[1] not in page.text  # the administrator never sees the link
    assert await AuditEvent.filter(action="account.password_reset_sent", actor=admin).count() == 1


async def test_correcting_a_pending_administrators_email_resends_the_link(client, inbox):
    school, admin = await admin_client(client)
    page = await post(client, "/admin/administrators/add",
                      {"forename": "Ann", "surname": "Lee", "email": "ann@wrong.org.uk"})
    assert page.status_code == 303
    pending = await Account.get(email="ann@wrong.org.uk")
    page = await post(client, f"/admin/administrators/{pending.id}",
                      {"forename": "Ann", "surname": "Lee", "email": "ann@school.org.uk"})
    assert page.status_code == 303
    assert len(inbox.to("ann@school.org.uk")) == 1 and len(inbox.to("ann@wrong.org.uk")) == 1
