"""Tracking tables (migration 0010_tracking) and the atomic working-at write."""

import asyncio
from datetime import UTC, date, datetime

import numpy as np
import pytest

from server.models import AssessmentPoint, ExpectedGrade, WorkingAtGrade
from server.models.enums import KeyStage
from server.services.targets.cohort import year_group_estimates
from server.services.tracking.flight_paths import TrackCounts, TrackStatus
from server.services.tracking.recording import record_working_at
from server.services.tracking.status import counts_by_subject, year_group_tracks
from tests.factories import make_school
from tests.targets.world import add_pupils, set_targets, subjects


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


async def test_counts_at_the_latest_point_follow_the_school_set_grade_and_the_linear_path():
    school = await make_school()
    pupils = await add_pupils(school, 11, 4, "Path")
    subject = next(iter((await subjects(KeyStage.KS4)).values()))
    await set_targets(pupils, subject, ["6", "6", "6", "6"])
    autumn = await AssessmentPoint.create(
        school=school, key_stage=KeyStage.KS4, year_group=None, academic_year=2026,
        name="Autumn", on=date(2026, 11, 1))
    spring = await AssessmentPoint.create(
        school=school, key_stage=KeyStage.KS4, year_group=11, academic_year=2026,
        name="Spring", on=date(2027, 3, 1))
    for pupil, grade in zip(pupils, ["5", "7", "3", "4"], strict=True):
        await record_working_at(school.id, pupil.id, subject.id, spring.id, grade, float(grade),
                                None)
    await record_working_at(school.id, pupils[0].id, subject.id, autumn.id, "1", 1.0, None)

    # Before spring's date the latest point is autumn: one pupil tracked there.
    point, tracks = await year_group_tracks(school.id, KeyStage.KS4, 11, 2026, date(2027, 1, 1))
    assert point.id == autumn.id and len(tracks) == 1

    # The linear path at spring: from the Average estimate to the target, 4.5 years of 4.83.
    point, tracks = await year_group_tracks(school.id, KeyStage.KS4, 11, 2026, date(2027, 4, 1))
    assert point.id == spring.id and len(tracks) == 4
    cohort = await year_group_estimates(school.id, KeyStage.KS4, 11)
    fraction = (date(2027, 3, 1) - date(2022, 9, 1)).days / (date(2027, 6, 30)
                                                            - date(2022, 9, 1)).days
    for t in tracks:
        start = cohort.points(subject.code)[cohort.pupil_ids.index(t.pupil_id)]
        assert not np.isnan(start)
        assert t.expected == pytest.approx(start + (6.0 - start) * fraction)

    # The school sets grade 5 at spring: on within one grade, above, below.
    await ExpectedGrade.create(point=spring, subject=subject, year_group=11, grade="5",
                               points=5.0, set_at=datetime.now(UTC))
    _, tracks = await year_group_tracks(school.id, KeyStage.KS4, 11, 2026, date(2027, 4, 1))
    by_grade = {t.working_at: t.status for t in tracks}
    assert by_grade == {"5": TrackStatus.ON_TRACK, "7": TrackStatus.ABOVE,
                        "3": TrackStatus.BELOW, "4": TrackStatus.ON_TRACK}
    assert counts_by_subject(tracks) == {subject.code: TrackCounts(2, 1, 1)}
