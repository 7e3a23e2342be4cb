"""The operator's set-up from the command line, in its own process and database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from server.models.enums import AccountKind
from server.services.accounts import activation as signups
from server.services.accounts.people import add_pending_person
from tests.accounts.helpers import post
from tests.factories import make_school

ROOT = Path(__file__).resolve().parents[2]


def aspire(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASPIRE_DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}",
           "ASPIRE_OUTBOX_DIR": str(tmp_path / "outbox")}
    env.pop("ASPIRE_SMTP_URL", None)
    return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_create_organisations_and_invite_an_administrator(tmp_path):
    result = aspire(tmp_path, "organisation", "create", "--kind", "local-authority",
                    "--name", "Northshire", "--la-code", "881")
    assert result.returncode == 0, result.stderr
    result = aspire(tmp_path, "organisation", "create", "--kind", "school", "--name",
                    "Hill School", "--urn", "123456", "--la", "881")
    assert result.returncode == 0, result.stderr
    school_id = re.search(r"with id (\d+)", result.stdout).group(1)
    result = aspire(tmp_path, "organisation", "create", "--kind", "school", "--name", "Dup",
                    "--urn", "123456", "--la", "881")
    assert result.returncode == 1 and "already exists" in result.stderr
    result = aspire(tmp_path, "organisation", "create", "--kind", "school", "--name", "X",
                    "--urn", "12", "--la", "881")
    assert result.returncode == 1 and "6 digits" in result.stderr

    result = aspire(tmp_path, "administrator", "invite", school_id, "--forename", "Ann",
                    "--surname", "Lee", "--email", "ann@hill.sch.uk")
    assert result.returncode == 0, result.stderr
    login = re.search(r"Login name:\s+([a-z0-9]{10})\n", result.stdout)
    code = re.search(r"Activation code:\s+([A-Z0-9]{8})\n", result.stdout)
    link = re.search(r"Sign-up link:\s+(http\S+/sign-up/\S+)\n", result.stdout)
    assert login and code and link, result.stdout
    emails = list((tmp_path / "outbox").glob("*.eml"))
    assert len(emails) == 1 and code.group(1) not in emails[0].read_text()
    result = aspire(tmp_path, "administrator", "invite", school_id, "--forename", "A" * 51,
                    "--surname", "Lee", "--email", "nope")
    assert result.returncode == 1
    assert "forename: Forename must be 50 characters or less" in result.stderr
    assert "email: Enter an email address in the correct format" in result.stderr


async def test_an_administrator_signs_up_and_is_shown_their_login_name(client):
    school = await make_school()
    account, code = await add_pending_person(school, AccountKind.ADMINISTRATOR, "Ann", "Lee",
                                             "ann@school.org.uk", None, None, None, False)
    _, link = await signups.deliver_verification(account.id)
    path = "/sign-up/" + link.rsplit("/", 1)[1]
    password = "marble staircase under snow"
    assert (await post(client, path, {"step": "code", "code": code})).status_code == 200
    page = await post(client, path, {"step": "password", "code": code, "password": password,
                                     "passwordConfirmation": password})
    assert page.status_code == 200
    page = await post(client, path, {"step": "questions", "code": code,
                                     "question1": "first_pet", "answer1": "Rex",
                                     "question2": "birth_town", "answer2": "York",
                                     "question3": "first_car", "answer3": "Mini"})
    assert page.status_code == 200
    assert f'<strong id="login-name">{account.login_name}</strong>' in page.text
    assert "/admin/sign-in" in page.text
    page = await post(client, "/admin/sign-in", {"loginName": account.login_name, "password": password})
    assert page.status_code == 303
    assert (await client.get("/admin")).status_code == 200
