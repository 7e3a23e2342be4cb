"""Rolling forward: year groups up, leavers retired, targets kept as history, never twice."""

from __future__ import annotations

import datetime as dt

import pytest

from server.models import AuditEvent, Organisation, Pupil, Subject, Target
from server.models.enums import KeyStage
from server.observability import count_sql
from server.services.accounts.audit import Actor
from server.services.errors import UserInputError
from server.services.pupils.rollforward import next_year_groups, roll_forward, roll_forward_plan
from tests.factories import make_school

CLI = Actor.command_line()
NOW = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
_serial = iter(range(1, 100000))


async def add_pupils(school: Organisation, year_group: int, n: int) -> list[Pupil]:
    pupils = []
    for _ in range(n):
        serial = next(_serial)
        pupils.append(await Pupil.create(
            school=school, upn=f"X{serial:012d}", forename="P", surname=str(serial),
            gender="F", date_of_birth=dt.date(2026 - year_group - 4, 3, 1),
            year_group=year_group, prior_attainment=100.0))
    return pupils


async def add_target(pupil: Pupil, key_stage: KeyStage) -> Target:
    subject, _ = await Subject.get_or_create(
        key_stage=key_stage, code="maths", defaults={"name": "Mathematics", "scale": "9-1"})
    return await Target.create(
        school_id=pupil.school_id, pupil=pupil, subject=subject, key_stage=key_stage,
        year_group=pupil.year_group, grade="5", points=5.0, updated_at=NOW)


def test_next_year_groups_follow_the_key_stages_present():
    assert next_year_groups({3, 6}) == {3: 4, 6: None}  # primary: Year 6 leaves
    assert next_year_groups({7, 11}) == {7: 8, 11: None}  # 11-16
    assert next_year_groups({9, 11, 12, 13}) == {9: 10, 11: 12, 12: 13, 13: None}
    assert next_year_groups({6, 7}) == {6: 7, 7: 8}  # all-through school


async def test_roll_forward_secondary_with_sixth_form():
    school = await make_school()
    y10 = await add_pupils(school, 10, 3)
    y11 = await add_pupils(school, 11, 2)
    y13 = await add_pupils(school, 13, 2)
    ks4_moving = await add_target(y10[0], KeyStage.KS4)
    ks4_crossing = await add_target(y11[0], KeyStage.KS4)
    ks5_leaving = await add_target(y13[0], KeyStage.KS5)

    plan = await roll_forward_plan(school.id)
    assert (plan.from_year, plan.to_year) == (2026, 2027)
    assert [(m.year_group, m.pupils, m.next_year_group, m.targets) for m in plan.moves] == [
        (10, 3, 11, 1), (11, 2, 12, 1), (13, 2, None, 1)]
    assert (plan.pupils_moving, plan.pupils_leaving, plan.pupils_starting_key_stage) == (5, 2, 2)
    assert (plan.targets_moving, plan.targets_to_history) == (1, 2)

    with count_sql() as counted:
        result = await roll_forward(school.id, 2026, CLI, today=dt.date(2026, 9, 1))
    assert 5 <= counted.value <= 12, counted.value  # set-based: no statement per pupil
    assert (result.pupils_moved, result.pupils_left) == (5, 2)
    assert (result.targets_moved, result.targets_to_history) == (1, 2)
    assert result.prior_attainment_cleared == 2  # Year 11 to 12: KS2 score is not KS5's

    await school.refresh_from_db()
    assert school.current_academic_year == 2027
    years = dict(await Pupil.filter(school=school).values_list("id", "year_group"))
    assert {years[p.id] for p in y10} == {11}
    assert {years[p.id] for p in y11} == {12}
    assert await Pupil.filter(id__in=[p.id for p in y11], prior_attainment__isnull=True
                              ).count() == 2
    assert await Pupil.filter(id__in=[p.id for p in y10], prior_attainment=100.0).count() == 3
    assert {years[p.id] for p in y13} == {13}  # leavers keep the year group they left from
    assert await Pupil.filter(id__in=[p.id for p in y13], left_at=dt.date(2026, 9, 1)).count() == 2
    assert await Pupil.filter(school=school, left_at__isnull=False).count() == 2

    moved = await Target.get(id=ks4_moving.id)
    assert (moved.year_group, moved.history_academic_year) == (11, None)
    crossed = await Target.get(id=ks4_crossing.id)
    assert (crossed.key_stage, crossed.year_group, crossed.history_academic_year) == (
        KeyStage.KS4, 11, 2026)
    left = await Target.get(id=ks5_leaving.id)
    assert (left.year_group, left.history_academic_year) == (13, 2026)
    assert await Target.all().count() == 3  # nothing deleted
    assert await AuditEvent.filter(organisation=school, action="school.roll_forward").count() == 1


async def test_primary_year_6_leaves_and_a_double_roll_is_refused():
    school = await make_school()
    await add_pupils(school, 5, 1)
    y6 = await add_pupils(school, 6, 2)
    await roll_forward(school.id, 2026, CLI)
    with pytest.raises(UserInputError) as refused:
        await roll_forward(school.id, 2026, CLI)  # the same form posted twice
    assert refused.value.code == "ALREADY_ROLLED_FORWARD"
    assert refused.value.field == "expectedAcademicYear"
    await school.refresh_from_db()
    assert school.current_academic_year == 2027
    assert await Pupil.filter(school=school, left_at__isnull=True).values_list(
        "year_group", flat=True) == [6]
    assert await Pupil.filter(id__in=[p.id for p in y6], left_at__isnull=False).count() == 2


async def test_only_the_schools_own_pupils_move():
    school, other = await make_school(), await make_school()
    await add_pupils(school, 8, 1)
    theirs = await add_pupils(other, 8, 1)
    await roll_forward(school.id, 2026, CLI)
    assert (await Pupil.get(id=theirs[0].id)).year_group == 8
    await other.refresh_from_db()
    assert other.current_academic_year == 2026


async def test_a_school_without_a_recorded_year_rolls_from_todays_year():
    school = await make_school()
    school.current_academic_year = None
    await school.save()
    await add_pupils(school, 7, 1)
    result = await roll_forward(school.id, 2026, CLI, today=dt.date(2026, 11, 29))
    assert (result.from_year, result.to_year) == (2026, 2027)
    await school.refresh_from_db()
    assert school.current_academic_year == 2027
