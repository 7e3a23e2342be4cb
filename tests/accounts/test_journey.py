"""The whole journey through the real pages: add a user, letter, emailed link, code,
password, questions, sign in; later a forgotten password."""

from __future__ import annotations

import httpx

from server.models import Account, Activation, PasswordReset, SecurityAnswer
from server.models.enums import AccountStatus
from tests.accounts.helpers import code_on, error_messages, positions_on, post
from tests.factories import make_administrator, make_school, sign_in

ANSWERS = {
    "first_pet": "Mr Whiskers",
    "birth_town": "Leeds",
    "first_school": "St Mary's Primary",
}
QUESTION_TEXT = {
    "first_pet": "What was the name of your first pet?",
    "birth_town": "In which town or city were you born?",
    "first_school": "What was the name of your first school?",
}
NEW_PASSWORD = "tulips in the rain by nine"
RESET_PASSWORD = "purple kettle over windy hills"


async def test_add_a_user_sign_up_sign_in_and_recover(app, client, inbox):
    school = await make_school(name="Oakfield Academy")
    admin = await make_administrator(school)
    await sign_in(client, admin)

    # Add a user, step 1 then step 2 (values carried in hidden fields).
    page = await client.get("/admin/users/add")
    assert page.status_code == 200 and 'id="forename"' in page.text
    step1 = {"step": "details", "forename": "John", "surname": "Smith",
             "email": "john.smith2@oakfield.sch.uk"}
    page = await post(client, "/admin/users/add", step1)
    assert page.status_code == 200, page.text
    assert "Role at organisation" in page.text and 'name="forename" value="John"' in page.text
    page = await post(client, "/admin/users/add",
                      {**step1, "step": "access", "role": "Teacher", "pupilAccess": "FULL"})
    assert page.status_code == 303, page.text
    assert page.headers["location"].startswith("/admin/users/pending?added=")

    account = await Account.get(login_name="john.smith2@oakfield.sch.uk")
    assert account.status == AccountStatus.PENDING and account.created_by_id == admin.id
    pending = await client.get(page.headers["location"])
    assert "John" in pending.text and "Smith" in pending.text and "Teacher" in pending.text
    assert admin.login_name in pending.text  # created by

    # The welcome letter has the code; the email has the link but never the code.
    letter = await client.get(f"/admin/users/pending/{account.id}/letter")
    assert letter.status_code == 200
    code = code_on(letter.text)
    assert code in pending.text
    # Development without ASPIRE_BASE_URL: links follow the address the request arrived on.
    assert "http://testserver/sign-up" in letter.text and "127.0.0.1:8000" not in letter.text
    [message] = inbox.to("john.smith2@oakfield.sch.uk")
    assert code not in message.as_string()
    link = inbox.link(message, "/sign-up/")
    activation = await Activation.get(account=account)
    token = link.rsplit("/", 1)[1]
    assert activation.link_reference == f"{token[:3]}...{token[-3:]}"
    assert activation.link_reference in pending.text
    assert admin.forename in inbox.text(message)

    # The person, in their own browser.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50001)),
                                 base_url="http://testserver") as person:
        page = await person.get(link)
        assert page.status_code == 200 and 'id="code"' in page.text
        page = await post(person, link, {"step": "code", "code": "WRONG123"})
        assert page.status_code == 400
        assert error_messages(page.text) == [
            "The activation code is not correct. Check the code you were given and try again. "
            "You have 4 tries left before the code is locked."]
        assert page.text.count("<title>Error: ") == 1
        page = await post(person, link, {"step": "code", "code": code.lower()})
        assert page.status_code == 200 and "Choose your password" in page.text
        page = await post(person, link, {"step": "password", "code": code,
                                         "password": "short", "passwordConfirmation": "short"})
        assert page.status_code == 400
        assert error_messages(page.text) == ["Password must be 12 characters or more"]
        page = await post(person, link, {"step": "password", "code": code,
                                         "password": NEW_PASSWORD,
                                         "passwordConfirmation": NEW_PASSWORD})
        assert page.status_code == 200 and "security questions" in page.text
        answers = {}
        for i, (key, answer) in enumerate(ANSWERS.items(), start=1):
            answers[f"question{i}"] = key
            answers[f"answer{i}"] = answer
        page = await post(person, link, {"step": "questions", "code": code, **answers})
        assert page.status_code == 200, page.text
        assert "You have signed up" in page.text

        # Single use.
        page = await person.get(link)
        assert page.status_code == 400 and "already been used" in page.text

        page = await post(person, "/sign-in", {"loginName": "John.Smith2@oakfield.sch.uk",
                                               "password": NEW_PASSWORD})
        assert page.status_code == 303

    account = await Account.get(id=account.id)
    assert account.status == AccountStatus.ACTIVE
    stored = await SecurityAnswer.filter(account=account).values_list("answer_encrypted", flat=True)
    assert len(stored) == 3 and not any("whiskers" in s.lower() or "leeds" in s.lower() for s in stored)

    # Forgotten password, weeks later, in a fresh browser.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50002)),
                                 base_url="http://testserver") as person:
        page = await person.get("/forgotten-password")
        assert page.status_code == 200
        page = await post(person, "/forgotten-password", {"loginName": "john.smith2@oakfield.sch.uk"})
        asked = positions_on(page.text)
        assert len(asked) == 3
        again = await post(person, "/forgotten-password", {"loginName": "john.smith2@oakfield.sch.uk"})
        assert positions_on(again.text) == asked  # refreshing reveals nothing more

        by_text = {QUESTION_TEXT[k]: v.replace(" ", "").lower() for k, v in ANSWERS.items()}
        characters = {f"character{i}": by_text[q][n - 1] for i, (n, q) in enumerate(asked, start=1)}
        page = await post(person, "/forgotten-password",
                          {"step": "characters", "loginName": "john.smith2@oakfield.sch.uk",
                           **characters})
        assert page.status_code == 200 and "Check your email" in page.text, page.text
        reset_mail = [m for m in inbox.to("john.smith2@oakfield.sch.uk")
                      if m["Subject"] == "Reset your Aspire Open password"]
        reset_link = inbox.link(reset_mail[0], "/reset-password/")
        page = await person.get(reset_link)
        assert page.status_code == 200 and 'id="password"' in page.text
        page = await post(person, reset_link, {"password": RESET_PASSWORD,
                                               "passwordConfirmation": RESET_PASSWORD})
        assert page.status_code == 200 and "Your password has been changed" in page.text
        assert any(m["Subject"] == "Your Aspire Open password has changed"
                   for m in inbox.to("john.smith2@oakfield.sch.uk"))
        page = await person.get(reset_link)
        assert page.status_code == 400  # single use

        bad = await post(person, "/sign-in", {"loginName": "john.smith2@oakfield.sch.uk",
                                              "password": NEW_PASSWORD})
        assert bad.status_code == 400
        good = await post(person, "/sign-in", {"loginName": "john.smith2@oakfield.sch.uk",
                                               "password": RESET_PASSWORD})
        assert good.status_code == 303
    reset = await PasswordReset.get(account=account)
    assert reset.link_hash is None
