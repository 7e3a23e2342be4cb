"""Two writers on one year group's targets at once: neither is lost, nothing is doubled.

A teacher's change takes its target, then (through the triggers of 0003) the year group's
summary rows; a pre-population takes the summary rows when it inserts new targets and then
the targets it refreshes. On PostgreSQL that was a deadlock whenever a teacher held a
target about to be refreshed: PostgreSQL rolled one back, and the person saw an error.
Pre-population now locks the targets to refresh first, and a write PostgreSQL rolls back
for another writer is run again (server/services/transactions.py).
"""

from __future__ import annotations

import asyncio
import logging
import time

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from server.models import Organisation, Target, YearGroupSettings
from server.models.enums import BenchmarkLevel, Editing, KeyStage, Prepopulate, PupilAccess, Role
from server.outages import is_database_unavailable
from server.services.accounts.audit import Actor
from server.services.targets.benchmarks import BenchmarkChoice, save_benchmarks
from server.services.targets.prepopulate import prepopulate_year_group
from server.services.targets.pupil_targets import set_target
from server.services.transactions import ATTEMPTS, run_again_if_rolled_back
from server.settings import get_settings
from tests.factories import make_school, make_user
from tests.targets.test_summary_consistency import summaries_match_fresh_group_by
from tests.targets.world import add_pupils

RUN_AGAIN = "running it again"
needs_row_locks = pytest.mark.skipif(
    not get_settings().is_postgres, reason="SQLite runs one write transaction at a time")


async def _year_11(pupils: int = 12):
    school = await make_school()
    teacher = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    await YearGroupSettings.create(
        school=school, key_stage=KeyStage.KS4, year_group=11, use_target_setting=True,
        prepopulate=Prepopulate.BENCHMARK, editing=Editing.YES,
    )
    await add_pupils(school, 11, pupils, "Early")
    assert await prepopulate_year_group(school.id, KeyStage.KS4, 11, None) > 0
    return school, teacher


async def _waiting_for_a_lock(pid_not: int, seconds: float = 10) -> None:
    """Until a backend other than `pid_not` waits for a row lock (bounded)."""
    watcher = await asyncpg.connect(get_settings().database_url)
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            waiting = await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND pid <> $1", pid_not)
            if waiting:
                return
            await asyncio.sleep(0.02)
        raise AssertionError("the pre-population never waited for the teacher's target")
    finally:
        await watcher.close()


@pytest.mark.postgres_only
@needs_row_locks
async def test_a_teacher_holding_a_target_and_a_benchmark_change_both_land(caplog):
    school, _teacher = await _year_11()
    await add_pupils(school, 11, 2, "Late")  # new pupils: the save inserts as well as refreshes
    maths = await Target.filter(school_id=school.id, subject__code="maths").order_by("id").first()
    teacher = await asyncpg.connect(get_settings().database_url)
    caplog.set_level(logging.WARNING, logger="aspire.transactions")
    try:
        # The teacher's change of one maths target, as set_target makes it: the target first.
        transaction = teacher.transaction()
        await transaction.start()
        await teacher.fetchval("SELECT id FROM target WHERE id = $1 FOR UPDATE", maths.id)
        saving = asyncio.create_task(save_benchmarks(
            school.id, KeyStage.KS4, 11, [BenchmarkChoice("maths", BenchmarkLevel.HIGH)],
            Actor.system()))
        await _waiting_for_a_lock(teacher.get_server_pid())
        # Then the change itself, whose triggers take the year group's maths summary rows.
        await asyncio.wait_for(teacher.execute(
            "UPDATE target SET grade = '9', points = 9, prepopulated = FALSE WHERE id = $1",
            maths.id), timeout=10)
        await transaction.commit()
        _overview, written = await asyncio.wait_for(saving, timeout=10)
    finally:
        await teacher.close()
    assert written > 0
    assert RUN_AGAIN not in caplog.text, "the two writers deadlocked"
    kept = await Target.get(id=maths.id)
    assert (kept.grade, kept.prepopulated) == ("9", False), "the refresh overwrote the teacher"
    assert await Target.filter(school_id=school.id, pupil__surname__startswith="Late").count()
    await summaries_match_fresh_group_by("after both writers")


async def _lock_both(connection, first: int, second: int, both_hold_one: asyncio.Barrier,
                     attempts: list[str], name: str) -> None:
    attempts.append(name)
    update = "UPDATE organisation SET name = name WHERE id = $1"
    await connection.execute_query(update, [first])
    if attempts.count(name) == 1:
        await both_hold_one.wait()
    await connection.execute_query(update, [second])


@pytest.mark.postgres_only
@needs_row_locks
async def test_a_write_rolled_back_for_a_deadlock_is_run_again(caplog):
    one, two = await make_school(name="One"), await make_school(name="Two")
    both_hold_one = asyncio.Barrier(2)
    attempts: list[str] = []

    @run_again_if_rolled_back
    async def write(name: str, first: Organisation, second: Organisation) -> str:
        async with in_transaction() as connection:
            await _lock_both(connection, first.id, second.id, both_hold_one, attempts, name)
            await connection.execute_query(
                "UPDATE organisation SET name = name || '+' WHERE id = $1", [first.id])
        return name

    caplog.set_level(logging.WARNING, logger="aspire.transactions")
    done = await asyncio.wait_for(asyncio.gather(write("a", one, two), write("b", two, one)),
                                  timeout=15)
    assert done == ["a", "b"]
    assert sorted(attempts) in (["a", "a", "b"], ["a", "b", "b"]), attempts
    assert caplog.text.count(RUN_AGAIN) == 1
    names = {o.name for o in await Organisation.filter(id__in=[one.id, two.id])}
    assert names == {one.name + "+", two.name + "+"}, "each write landed once"


def _deadlock() -> asyncpg.DeadlockDetectedError:
    return asyncpg.DeadlockDetectedError("deadlock detected")


async def test_a_write_rolled_back_every_time_is_a_service_unavailable():
    runs = []

    @run_again_if_rolled_back
    async def always_rolled_back() -> None:
        runs.append(1)
        raise _deadlock()

    with pytest.raises(asyncpg.DeadlockDetectedError) as raised:
        await always_rolled_back()
    assert len(runs) == ATTEMPTS
    assert is_database_unavailable(raised.value), "a 503 with Retry-After, not a 500"


async def test_nothing_else_is_run_again_and_nothing_inside_a_callers_transaction():
    runs = []

    @run_again_if_rolled_back
    async def fails(error: Exception) -> None:
        runs.append(1)
        raise error

    with pytest.raises(ValueError, match="not a conflict"):
        await fails(ValueError("not a conflict"))
    assert len(runs) == 1
    async with in_transaction():
        with pytest.raises(asyncpg.DeadlockDetectedError):
            await fails(_deadlock())
    assert len(runs) == 2, "the caller's transaction is lost as a whole: not run again"


async def test_teachers_and_benchmark_changes_at_once_all_land():
    """Twelve teachers' changes across three subjects and two benchmark saves at once."""
    school, teacher = await _year_11()
    await add_pupils(school, 11, 2, "Late")
    pupils = await Target.filter(school_id=school.id, subject__code="maths").values_list(
        "pupil_id", flat=True)
    codes = ["maths", "eng-lang", "science-core"]
    changes = [
        set_target(school.id, teacher.id, pupil_id, None, codes[i % len(codes)], "8",
                   "a teacher's judgement")
        for i, pupil_id in enumerate(pupils[:12])
    ]
    saves = [
        save_benchmarks(school.id, KeyStage.KS4, 11, [BenchmarkChoice(code, level)],
                        Actor.system())
        for code, level in ((codes[0], BenchmarkLevel.HIGH), (codes[-1], BenchmarkLevel.VERY_HIGH))
    ]
    results = await asyncio.wait_for(asyncio.gather(*changes, *saves), timeout=60)
    assert all(result.changed for result in results[:len(changes)])
    for i, pupil_id in enumerate(pupils[:12]):
        target = await Target.get(school_id=school.id, pupil_id=pupil_id,
                                  subject__code=codes[i % len(codes)])
        assert (target.grade, target.prepopulated) == ("8", False), "a teacher's change was lost"
    live = await Target.filter(school_id=school.id, deleted_at__isnull=True).count()
    pairs = await Target.filter(school_id=school.id).values_list("pupil_id", "subject_id")
    assert len(pairs) == len(set(pairs)) == live, "a target was doubled"
    await summaries_match_fresh_group_by("after everyone at once")
