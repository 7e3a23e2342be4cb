"""Tracking tables (migration 0010_tracking) and the atomic working-at write."""

import asyncio
from datetime import date

from server.models import AssessmentPoint, WorkingAtGrade
from server.models.enums import KeyStage
from server.services.tracking.recording import record_working_at
from tests.factories import make_school
from tests.targets.world import add_pupils, subjects


async def test_many_saves_at_once_leave_one_row_with_a_value_that_was_sent():
    school = await make_school()
    (pupil,) = await add_pupils(school, 10, 1, "Track")
    maths = next(iter((await subjects(KeyStage.KS4)).values()))
    point = await AssessmentPoint.create(
        school=school, key_stage=KeyStage.KS4, year_group=10, academic_year=2026,
        name="Autumn", on=date(2026, 12, 1),
    )
    grades = [str(1 + i % 9) for i in range(20)]
    results = await asyncio.gather(*(
        record_working_at(school.id, pupil.id, maths.id, point.id, g, float(g), None)
        for g in grades
    ))
    rows = await WorkingAtGrade.filter(pupil=pupil, subject=maths, point=point)
    assert len(rows) == 1
    assert rows[0].grade in grades
    assert {r.id for r in results} == {rows[0].id}
    # Saving again replaces the grade in place.
    again = await record_working_at(school.id, pupil.id, maths.id, point.id, "U", 0.0, None)
    assert again.id == rows[0].id and again.grade == "U"
    assert await WorkingAtGrade.filter(pupil=pupil).count() == 1
