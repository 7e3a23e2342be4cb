"""Crash safety: SIGKILL the server in the middle of a long write, restart, press again.

The server under test is a real uvicorn process on the tests' own database (the SQLite file,
or the PostgreSQL database of this pytest process). A test-only pause point
(server/faultpoints.py, active only with ASPIRE_ENV=test) stops the write inside its open
transaction and signals a file; the test kills the process there (SIGKILL: no clean-up),
checks that nothing of the write is visible, starts a new server and presses the button
again: the write happens once, and pressing it a third time creates nothing twice.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import httpx
import pytest

from server.models import Account, AuditEvent, Batch, BatchRow, Organisation, Pupil, PupilImport, Target
from server.models.enums import AccountStatus, BatchStatus, KeyStage, PupilImportStatus
from server.operations import document
from server.services.accounts.audit import Actor
from server.services.pupils.importing import upload_pupil_file
from tests.batches import files
from tests.batches.helpers import batch_of
from tests.factories import api_token, make_administrator, make_school
from tests.faults.serving import Server, server_environment
from tests.pupils.pupil_files import csv_bytes, pupil_row
from tests.target_settings.helpers import make_pupils

PAUSE_SECONDS = 20  # the longest a write may take to reach its pause point


class Crash:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pause_file = folder / "paused"

    def server(self, pause_at: str | None = None) -> Server:
        extra = {"ASPIRE_SECRET_KEY": os.environ["ASPIRE_SECRET_KEY"]}
        if pause_at:
            extra |= {"ASPIRE_TEST_PAUSE_AT": pause_at, "ASPIRE_TEST_PAUSE_FILE": str(self.pause_file)}
        env = server_environment(self.folder, os.environ["ASPIRE_DATABASE_URL"], **extra)
        return Server(env, self.folder / "server.log")

    async def killed_in_the_middle(self, pause_at: str, token: str, name: str, variables: dict) -> None:
        """Send the operation, wait until it pauses inside its transaction, SIGKILL the server."""
        server = self.server(pause_at)
        await asyncio.to_thread(server.start)
        self.pause_file.unlink(missing_ok=True)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=PAUSE_SECONDS + 10) as client:
            sent = asyncio.create_task(_post(client, token, name, variables))
            deadline = time.monotonic() + PAUSE_SECONDS
            while not self.pause_file.exists():
                if sent.done() or time.monotonic() > deadline:
                    server.kill()
                    raise AssertionError(f"{pause_at} was not reached: {sent.done() and sent.result()}")
                await asyncio.sleep(0.02)
            server.kill()
            with pytest.raises(httpx.TransportError):
                await sent

    async def press(self, token: str, name: str, variables: dict) -> dict:
        """A fresh server (after the crash), the same button pressed again."""
        server = self.server()
        await asyncio.to_thread(server.start)
        try:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
                return await _post(client, token, name, variables)
        finally:
            await asyncio.to_thread(server.stop)


async def _post(client: httpx.AsyncClient, token: str, name: str, variables: dict) -> dict:
    response = await client.post("/graphql", headers={"authorization": f"Bearer {token}"},
                                 json={"query": document(name), "variables": variables, "operationName": name})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def crash(tmp_path) -> Crash:
    return Crash(tmp_path)


async def test_create_users_for_a_100_row_batch(crash):
    school = await make_school()
    admin = await make_administrator(school)
    token = await api_token(admin)
    rows = [[f"Ann{n}", "Lee", f"ann{n}@school.example.org", "Teacher", files.FULL] for n in range(100)]
    batch = await batch_of(admin, rows)
    people_before = await Account.filter(organisation=school).count()
    variables = {"input": {"batchId": str(batch.id), "version": batch.version, "confirmHighlighted": True}}

    await crash.killed_in_the_middle("batch.create_users:50", token, "CreateBatchUsers", variables)
    assert await Account.filter(organisation=school).count() == people_before
    assert await BatchRow.filter(batch=batch, created_account_id__not_isnull=True).count() == 0
    stored = await Batch.get(id=batch.id)
    assert (stored.version, stored.status, stored.created_count) == (batch.version, batch.status, 0)

    body = await crash.press(token, "CreateBatchUsers", variables)
    payload = body["data"]["createBatchUsers"]
    assert payload["errors"] == [] and len(payload["created"]) == 100
    again = (await crash.press(token, "CreateBatchUsers", variables))["data"]["createBatchUsers"]
    assert again["created"] == [] and again["errors"][0]["code"] == "STALE"
    assert await Account.filter(organisation=school, status=AccountStatus.PENDING).count() == 100
    assert (await Batch.get(id=batch.id)).status == BatchStatus.PROCESSED
    assert await AuditEvent.filter(action="batch.users_created").count() == 1


async def test_prepopulation_of_a_large_year_group(crash):
    school = await make_school()
    token = await api_token(await make_administrator(school))
    await make_pupils(school, 10, 300)
    settings = {"input": {"keyStage": "KS4", "yearGroup": 10, "useTargetSetting": True,
                          "prepopulate": "BENCHMARK", "editing": "YES", "shareTargets": False}}

    await crash.killed_in_the_middle("targets.prepopulate", token, "SaveTargetSettings", settings)
    assert await Target.filter(school=school).count() == 0

    payload = (await crash.press(token, "SaveTargetSettings", settings))["data"]["saveTargetSettings"]
    assert payload["errors"] == [] and payload["prepopulated"] > 300
    written = await Target.filter(school=school).count()
    assert written == payload["prepopulated"]
    again = (await crash.press(token, "SaveTargetSettings", settings))["data"]["saveTargetSettings"]
    assert again["errors"] == [] and again["prepopulated"] == 0
    assert await Target.filter(school=school).count() == written  # one per pupil and subject


async def test_pupil_import_confirm(crash):
    school = await make_school()
    token = await api_token(await make_administrator(school))
    pupil_import = await upload_pupil_file(
        school.id, "pupils.csv", csv_bytes([pupil_row(n) for n in range(1, 201)]), Actor.command_line())
    variables = {"input": {"id": str(pupil_import.id), "markMissingAsLeft": False}}

    await crash.killed_in_the_middle("pupils.import.confirm", token, "ConfirmPupilImport", variables)
    assert await Pupil.filter(school=school).count() == 0
    assert (await PupilImport.get(id=pupil_import.id)).status == PupilImportStatus.PENDING

    payload = (await crash.press(token, "ConfirmPupilImport", variables))["data"]["confirmPupilImport"]
    assert payload["errors"] == []
    assert await Pupil.filter(school=school).count() == 200
    again = (await crash.press(token, "ConfirmPupilImport", variables))["data"]["confirmPupilImport"]
    assert again["errors"][0]["code"] == "ALREADY_CONFIRMED"
    assert await Pupil.filter(school=school).count() == 200


async def test_roll_forward(crash):
    school = await make_school()
    token = await api_token(await make_administrator(school))
    for year_group in (9, 10, 11):
        await make_pupils(school, year_group, 40)
    settings = {"input": {"keyStage": "KS4", "yearGroup": 10, "useTargetSetting": True,
                          "prepopulate": "BENCHMARK", "editing": "YES", "shareTargets": False}}
    assert (await crash.press(token, "SaveTargetSettings", settings))["data"]["saveTargetSettings"]["errors"] == []
    targets = sorted(await Target.filter(school=school).values_list("id", "year_group", "history_academic_year"))
    assert targets
    year = school.current_academic_year
    variables = {"input": {"expectedAcademicYear": year}}
    by_year = sorted(await Pupil.filter(school=school).values_list("id", "year_group", "left_at"))

    await crash.killed_in_the_middle("pupils.roll_forward", token, "RollForwardSchool", variables)
    assert (await Organisation.get(id=school.id)).current_academic_year == year
    assert sorted(await Pupil.filter(school=school).values_list("id", "year_group", "left_at")) == by_year
    assert sorted(await Target.filter(school=school).values_list(
        "id", "year_group", "history_academic_year")) == targets

    payload = (await crash.press(token, "RollForwardSchool", variables))["data"]["rollForwardSchool"]
    assert payload["errors"] == [] and payload["result"]["pupilsMoved"] == 80
    again = (await crash.press(token, "RollForwardSchool", variables))["data"]["rollForwardSchool"]
    assert again["errors"][0]["code"] == "ALREADY_ROLLED_FORWARD"
    assert (await Organisation.get(id=school.id)).current_academic_year == year + 1
    assert await Pupil.filter(school=school, year_group=11, left_at__isnull=True).count() == 40
    assert await Target.filter(school=school, key_stage=KeyStage.KS4, history_academic_year__isnull=True,
                               year_group=11).count() == len(targets)
