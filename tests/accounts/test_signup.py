"""Sign-up rules of SECURITY.md: links expire, are single use and replaced by Resend; codes
lock after 5 wrong tries; secrets are never stored in plain text; mail failures are kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise import connections
from tortoise.timezone import now

from server.auth.secrets import digest
from server.models import Account, Activation
from server.models.enums import AccountKind, AccountStatus, PupilAccess, Role
from server.services.accounts import activation as signups
from server.services.accounts.audit import Actor
from server.services.accounts.people import add_pending_person
from server.services.errors import UserInputError
from tests.accounts.helpers import error_messages, post
from tests.factories import make_administrator, make_school, sign_in

PASSWORD = "seven yellow kites at dawn"
ANSWERS = [("first_pet", "Rex the dog"), ("birth_town", "York"), ("first_car", "Ford Fiesta")]


async def pending_user(school, email="amy@school.org.uk", inbox=None):
    account, code = await add_pending_person(school, AccountKind.USER, "Amy", "Jones", email,
                                             Role.TEACHER, PupilAccess.FULL, None, False)
    sent, link = await signups.deliver_verification(account.id)
    return account, code, link.rsplit("/", 1)[1]


async def test_link_expires(inbox):
    school = await make_school()
    account, code, token = await pending_user(school)
    await Activation.filter(account=account).update(link_expires_at=now() - timedelta(seconds=1))
    with pytest.raises(UserInputError) as raised:
        await signups.check_code(token, code)
    assert raised.value.code == "LINK_EXPIRED"
    tries = (await Activation.get(account=account)).tries
    assert tries == 0


async def test_expired_link_page(client, inbox):
    school = await make_school()
    account, _, token = await pending_user(school)
    await Activation.filter(account=account).update(link_expires_at=now() - timedelta(days=1))
    page = await client.get(f"/sign-up/{token}")
    assert page.status_code == 400
    assert "This sign-up link has expired. Ask your administrator to resend it." in page.text
    page = await client.get("/sign-up/not-a-real-token")
    assert page.status_code == 400 and "This sign-up link is not valid" in page.text


async def test_resend_replaces_the_link(inbox):
    school = await make_school()
    admin = await make_administrator(school)
    account, code, old = await pending_user(school)
    assert await signups.resend_verification(Actor(account=admin), school.id, account.id)
    with pytest.raises(UserInputError) as raised:
        await signups.open_link(old)
    assert raised.value.code == "LINK_NOT_VALID"
    new = inbox.link(inbox.to("amy@school.org.uk")[-1], "/sign-up/").rsplit("/", 1)[1]
    assert new != old
    assert (await signups.check_code(new, code)).account.id == account.id
    assert len(inbox.to("amy@school.org.uk")) == 2


async def test_five_wrong_codes_lock_until_reissued(inbox):
    school = await make_school()
    admin = await make_administrator(school)
    account, code, token = await pending_user(school)
    for attempt in range(1, 6):
        with pytest.raises(UserInputError) as raised:
            await signups.check_code(token, "AAAAAAAA")
        assert raised.value.code == ("LOCKED" if attempt == 5 else "WRONG")
    activation = await Activation.get(account=account)
    assert activation.tries == 5 and activation.locked
    with pytest.raises(UserInputError) as raised:
        await signups.check_code(token, code)  # the right code during a lock: the same message
    assert raised.value.code == "LOCKED" and raised.value.message == signups.CODE_LOCKED
    new_code = await signups.reissue_code(Actor(account=admin), school.id, account.id)
    assert new_code != code or True
    activation = await Activation.get(account=account)
    assert activation.tries == 0 and not activation.locked
    with pytest.raises(UserInputError):
        await signups.check_code(token, code if code != new_code else "BBBBBBBB")
    assert (await signups.check_code(token, new_code)).account.id == account.id


async def test_sign_up_completes_once_and_keeps_no_secret_in_plain_text(inbox):
    school = await make_school()
    account, code, token = await pending_user(school)
    await signups.choose_password(token, code, PASSWORD, PASSWORD)
    done = await signups.choose_questions(token, code, ANSWERS)
    assert done.status == AccountStatus.ACTIVE
    with pytest.raises(UserInputError) as raised:
        await signups.choose_questions(token, code, ANSWERS)
    assert raised.value.code == "LINK_USED"

    connection = connections.get("default")
    everything = []
    for table in ("account", "activation", "security_answer", "audit_event", "session"):
        rows = await connection.execute_query_dict(f"SELECT * FROM {table}")  # noqa: S608
        everything.extend(str(v) for row in rows for v in row.values())
    dump = "\n".join(everything).lower()
    for secret in (code, token, PASSWORD, "rex the dog", "rexthedog", "york", "fordfiesta"):
        assert secret.lower() not in dump, secret
    assert digest(token) in dump  # only the SHA-256 of the link is kept


async def test_password_and_questions_rules_at_sign_up(inbox):
    school = await make_school(name="Brookside Primary")
    account, code, token = await pending_user(school, email="amy.jones@school.org.uk")
    cases = {
        "elevenchars": "TOO_SHORT",
        "password1234": "COMMON",
        "my amy.jones@school.org.uk pw": "CONTAINS_LOGIN_NAME",
        "i love amy.jones so much": "CONTAINS_LOGIN_NAME",
        f"the {school.name} rocks": "CONTAINS_ORGANISATION",
        "x" * 1025: "TOO_LONG",
        "é" * 600: "TOO_LONG",  # 1,200 bytes
    }
    for password, expected in cases.items():
        with pytest.raises(UserInputError) as raised:
            await signups.choose_password(token, code, password, password)
        assert raised.value.code == expected, password
    with pytest.raises(UserInputError) as raised:
        await signups.choose_password(token, code, PASSWORD, PASSWORD + "x")
    assert raised.value.field == "passwordConfirmation"
    long_ok = "a sentence that is long " * 5  # 120 characters are accepted
    await signups.choose_password(token, code, long_ok, long_ok)
    for answers, field in (
        ([("first_pet", "Rex"), ("first_pet", "Rex"), ("first_car", "Ford")], "question2"),
        ([("first_pet", "Rex"), ("birth_town", "  "), ("first_car", "Ford")], "answer2"),
        ([("first_pet", "Re"), ("birth_town", "York"), ("first_car", "Ford")], "answer1"),
        ([("nope", "Rex"), ("birth_town", "York"), ("first_car", "Ford")], "question1"),
    ):
        with pytest.raises(UserInputError) as raised:
            await signups.choose_questions(token, code, answers)
        assert raised.value.field == field
    assert (await Account.get(id=account.id)).status == AccountStatus.PENDING


async def test_questions_need_the_password_first(inbox):
    school = await make_school()
    _, code, token = await pending_user(school)
    with pytest.raises(UserInputError) as raised:
        await signups.choose_questions(token, code, ANSWERS)
    assert raised.value.code == "PASSWORD_FIRST"


async def test_a_failed_email_is_kept_and_shown_never_losing_the_account(client, monkeypatch):
    import os

    from server.settings import get_settings

    school = await make_school()
    admin = await make_administrator(school)
    os.environ["ASPIRE_SMTP_URL"] = "smtp://127.0.0.1:9"  # nothing listens on the discard port
    get_settings.cache_clear()
    try:
        await sign_in(client, admin)
        page = await post(client, "/admin/administrators/add",
                          {"forename": "Bea", "surname": "Cole", "email": "bea@school.org.uk"})
        assert page.status_code == 303
    finally:
        os.environ.pop("ASPIRE_SMTP_URL", None)
        get_settings.cache_clear()
    account = await Account.get(email="bea@school.org.uk")
    activation = await Activation.get(account=account)
    assert activation.email_error and activation.email_sent_at is None
    page = await client.get("/admin/users/pending")
    assert "Email not sent" in page.text and "Resend" in page.text
    # Resend now goes to the outbox (no SMTP configured): the error clears.
    page = await post(client, f"/admin/users/pending/{account.id}/resend", {})
    assert page.status_code == 303
    activation = await Activation.get(account=account)
    assert activation.email_error is None and activation.email_sent_at is not None


async def test_without_smtp_mail_goes_to_the_outbox():
    from server.settings import get_settings

    school = await make_school()
    account, _ = await add_pending_person(school, AccountKind.USER, "Cal", "Dee", "cal@school.org.uk",
                                          Role.TEACHER, PupilAccess.AGGREGATE, None, False)
    outbox = get_settings().outbox_dir
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    assert await signups.send_verification(account.id)
    new = set(outbox.glob("*.eml")) - before
    assert len(new) == 1
    text = new.pop().read_text()
    assert "cal@school.org.uk" in text and "/sign-up/" in text


async def test_sign_up_page_errors_follow_the_govuk_pattern(client, inbox):
    school = await make_school()
    _, code, token = await pending_user(school)
    page = await post(client, f"/sign-up/{token}", {"step": "code", "code": ""})
    assert page.status_code == 400
    assert "<title>Error: " in page.text and "There is a problem" in page.text
    assert error_messages(page.text) == ["Enter your activation code"]
    assert 'href="#code"' in page.text and 'id="code-error"' in page.text
    # a step reached with a wrong code (a forged form) goes back to the code
    page = await post(client, f"/sign-up/{token}",
                      {"step": "password", "code": "ZZZZZZZZ", "password": PASSWORD,
                       "passwordConfirmation": PASSWORD})
    assert page.status_code == 400 and 'id="code"' in page.text
    assert (await Activation.get(account__email="amy@school.org.uk")).tries == 1


async def test_a_failed_resend_keeps_the_link_already_sent(inbox):
    import os

    from server.settings import get_settings

    school = await make_school()
    admin = await make_administrator(school)
    account, code, token = await pending_user(school)
    os.environ["ASPIRE_SMTP_URL"] = "smtp://127.0.0.1:9"
    get_settings.cache_clear()
    try:
        assert not await signups.resend_verification(Actor(account=admin), school.id, account.id)
    finally:
        os.environ["ASPIRE_SMTP_URL"] = f"smtp://127.0.0.1:{inbox.port}"
        get_settings.cache_clear()
    activation = await Activation.get(account=account)
    assert activation.email_error
    assert (await signups.check_code(token, code)).account.id == account.id
