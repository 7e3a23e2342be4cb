"""Scheduled upkeep: what `aspire maintain` and the in-server task remove, once at a time."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from server.models import (
    Activation,
    AssessmentPoint,
    AuditEvent,
    Batch,
    BatchRow,
    PasswordReset,
    PupilImport,
    Session,
    ThrottleCounter,
    WorkingAtUpload,
)
from server.models.enums import AccessVia, BatchKind, BatchStatus, KeyStage, PupilImportStatus
from server.models.tracking import WorkingAtUploadStatus
from server.models.upkeep import UpkeepClaim
from server.scheduling import periodic_upkeep
from server.services.audit import Actor
from server.services.upkeep import LEASE, claim, run_upkeep
from server.settings import get_settings
from tests.factories import make_administrator, make_school, make_user

IDLE = timedelta(minutes=30)


def _now() -> datetime:
    return datetime.now(UTC)


async def _session(account, key: str, last_seen: datetime, expires: datetime) -> None:
    await Session.create(id=key, account=account, area="main", csrf_token="x", created_at=last_seen,
                         last_seen_at=last_seen, expires_at=expires)


async def _world():
    """One of each thing upkeep looks at, half of them due for removal."""
    now = _now()
    school = await make_school()
    admin = await make_administrator(school)
    user = await make_user(school)
    await _session(user, "live", now, now + timedelta(hours=5))
    await _session(user, "idle", now - timedelta(hours=1), now + timedelta(hours=5))
    await _session(user, "ended", now - timedelta(minutes=1), now - timedelta(seconds=1))
    await ThrottleCounter.create(key="ip:1", window_start=now - timedelta(minutes=5), count=3)
    await ThrottleCounter.create(key="ip:1", window_start=now - timedelta(days=3), count=3)
    old = await Batch.create(organisation=school, kind=BatchKind.USERS, file_name="old.xlsx",
                             status=BatchStatus.DELETED, uploaded_by=admin)
    await Batch.filter(id=old.id).update(deleted_at=now - timedelta(days=31))
    recent = await Batch.create(organisation=school, kind=BatchKind.USERS, file_name="recent.xlsx",
                                status=BatchStatus.DELETED, uploaded_by=admin, deleted_at=now - timedelta(days=2))
    for batch in (old, recent):
        for n in (1, 2):
            await BatchRow.create(batch=batch, row_number=n, forename="Ann", surname="Lee")
    stale = await PupilImport.create(school=school, file_name="stale.csv", rows=[{"row": 2}])
    await PupilImport.filter(id=stale.id).update(created_at=now - timedelta(days=2))
    await PupilImport.create(school=school, file_name="fresh.csv", rows=[{"row": 2}])
    point = await AssessmentPoint.create(school=school, key_stage=KeyStage.KS4, year_group=None,
                                         academic_year=2026, name="Autumn", on=date(2026, 11, 1))
    for name, age in (("stale.csv", timedelta(days=2)), ("fresh.csv", timedelta(0))):
        upload = await WorkingAtUpload.create(school=school, point=point, year_group=11,
                                              file_name=name, sheet={"rows": [{"row": 2}]})
        await WorkingAtUpload.filter(id=upload.id).update(created_at=now - age)
    await PasswordReset.create(account=user, link_hash="a" * 64, link_expires_at=now - timedelta(minutes=1),
                               failures=1, positions=[1, 2, 3])
    other = await make_user(school)
    await PasswordReset.create(account=other, link_hash="b" * 64, link_expires_at=now + timedelta(hours=1),
                               positions=[])
    spent_for = await make_user(school)
    await Activation.create(account=spent_for, code_encrypted="x", link_hash="c" * 64, link_reference="r1",
                            link_expires_at=now, used_at=now - timedelta(days=2))
    pending = await make_user(school)
    await Activation.create(account=pending, code_encrypted="x", link_hash="d" * 64, link_reference="r2",
                            link_expires_at=now - timedelta(days=1))
    return school, old, recent, stale, user


async def test_upkeep_removes_only_what_is_due_and_audits_it():
    _school, old, recent, stale, user = await _world()
    result = await run_upkeep(Actor.command_line(), IDLE)
    assert result.ran
    assert result.removed == {
        "expired sessions": 2, "old throttle counters": 1, "deleted targets": 0,
        "rows of deleted batches": 2, "unconfirmed pupil imports": 1,
        "unconfirmed working-at uploads": 1,
        "expired password-reset links": 1, "spent activations": 1, "old webhook deliveries": 0,
    }
    assert sorted(await Session.all().values_list("id", flat=True)) == ["live"]
    assert await ThrottleCounter.all().count() == 1
    assert await BatchRow.filter(batch_id=old.id).count() == 0
    assert await BatchRow.filter(batch_id=recent.id).count() == 2
    assert await Batch.filter(id=old.id).exists()  # the batch's record stays
    stale_now = await PupilImport.get(id=stale.id)
    assert (stale_now.status, stale_now.rows) == (PupilImportStatus.DISCARDED, [])
    assert await PupilImport.filter(status=PupilImportStatus.PENDING).count() == 1
    assert await WorkingAtUpload.filter(school_id=_school.id, status=WorkingAtUploadStatus.PENDING
                                        ).values_list("file_name", flat=True) == ["fresh.csv"]
    stale_upload = await WorkingAtUpload.get(school_id=_school.id, file_name="stale.csv")
    assert (stale_upload.status, stale_upload.sheet) == (WorkingAtUploadStatus.DISCARDED, {})
    # The expired link is cleared, its failure kept (a limit, not ours to reset).
    reset = await PasswordReset.get(account_id=user.id)
    assert (reset.link_hash, reset.failures) == (None, 1)
    assert await PasswordReset.all().count() == 2
    assert await Activation.all().count() == 1
    event = await AuditEvent.get(action="upkeep.ran")
    assert event.via == AccessVia.COMMAND_LINE
    assert event.detail["removed"]["expired sessions"] == 2
    claim_row = await UpkeepClaim.get(name="maintain")
    assert claim_row.holder is None and claim_row.last_finished_at is not None

    again = await run_upkeep(Actor.command_line(), IDLE)
    assert again.ran and set(again.removed.values()) == {0}


async def test_only_one_of_many_concurrent_runs_claims_the_job():
    results = await asyncio.gather(*(
        run_upkeep(Actor.system(), IDLE, holder=f"worker-{n}") for n in range(20)
    ))
    assert sum(r.ran for r in results) == 1
    assert await AuditEvent.filter(action="upkeep.ran").count() == 1


async def test_a_claim_left_by_a_killed_worker_runs_out():
    now = _now()
    assert await claim("killed", now, None)
    assert not await claim("other", now + timedelta(minutes=1), None)
    assert await claim("other", now + LEASE + timedelta(seconds=1), None)


async def test_a_failed_run_frees_the_job_and_stays_due(monkeypatch):
    import server.services.upkeep as upkeep

    async def broken(now, idle):
        raise RuntimeError("boom")

    monkeypatch.setattr(upkeep, "purge", broken)
    with pytest.raises(RuntimeError):
        await run_upkeep(Actor.system(), IDLE, every=timedelta(hours=1))
    row = await UpkeepClaim.get(name="maintain")
    assert row.holder is None and row.last_finished_at is None
    monkeypatch.undo()
    assert (await run_upkeep(Actor.system(), IDLE, every=timedelta(hours=1))).ran


async def test_the_periodic_task_runs_once_per_interval_across_workers():
    settings = get_settings()
    workers = [asyncio.create_task(periodic_upkeep(settings, poll_seconds=0.05, interval=timedelta(hours=1)))
               for _ in range(3)]
    try:
        await asyncio.sleep(0.6)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    events = await AuditEvent.filter(action="upkeep.ran")
    assert len(events) == 1 and events[0].via == AccessVia.SYSTEM


def test_aspire_maintain_command(tmp_path):
    root = Path(__file__).resolve().parents[2]
    aspire = str(Path(sys.executable).with_name("aspire"))
    env = {**os.environ}
    if not env["ASPIRE_DATABASE_URL"].startswith("sqlite"):
        pytest.skip("the command's own database is the SQLite file below")
    env["ASPIRE_DATABASE_URL"] = f"sqlite://{tmp_path / 'maintain.sqlite3'}"
    out = subprocess.run([aspire, "maintain", "--json"], env=env, cwd=root, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["ran"] is True
    out = subprocess.run([aspire, "maintain"], env=env, cwd=root, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("Upkeep removed 0 expired sessions"), out.stdout
