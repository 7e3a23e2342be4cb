"""The set-based on-track counts (services.tracking.shares, used by targetAggregates) equal
the per-school computation (services.tracking.status) after a mix of writes."""

from __future__ import annotations

from datetime import date

from tortoise.timezone import now

from server.models import AssessmentPoint, ExpectedGrade, Pupil, SchoolEstimatesVersion, Target
from server.models.enums import KeyStage
from server.services.estimates import versions
from server.services.tracking.recording import record_working_at
from server.services.tracking.shares import track_counts
from server.services.tracking.status import counts_by_subject, year_group_tracks
from tests.factories import make_school
from tests.target_settings.test_estimate_versions import new_parameters
from tests.targets.world import add_pupils, set_targets, subjects

TODAY = date(2027, 3, 15)


async def _point(school, name: str, on: date, year_group: int | None = None,
                 academic_year: int = 2026) -> AssessmentPoint:
    return await AssessmentPoint.create(school=school, key_stage=KeyStage.KS4,
                                        year_group=year_group, academic_year=academic_year,
                                        name=name, on=on)


async def _grades(point: AssessmentPoint, pupils: list[Pupil], subject, grades: list[str]):
    for pupil, grade in zip(pupils, grades, strict=False):
        await record_working_at(point.school_id, pupil.id, subject.id, point.id, grade,
                                0.0 if grade == "U" else float(grade), None)


async def _direct(school, year_group: int) -> tuple[int | None, dict]:
    point, tracks = await year_group_tracks(school.id, KeyStage.KS4, year_group, 2026, TODAY)
    return (point.id if point else None), counts_by_subject(tracks)


async def test_counts_in_sql_equal_the_direct_computation_after_a_mix_of_writes():
    subs = await subjects()
    maths, english, french = subs["maths"], subs["eng-lang"], subs["french"]
    schools = [await make_school() for _ in range(3)]
    for school in schools:
        school.current_academic_year = 2026
        await school.save()
    first, second, third = schools

    # First school: the key stage's autumn point, then a later Year 10 point that is the
    # latest for Year 10 only, a future point, and last year's point.
    autumn = await _point(first, "Autumn", date(2026, 11, 2))
    spring = await _point(first, "Spring 10", date(2027, 2, 1), year_group=10)
    await _point(first, "Summer", date(2027, 6, 1))
    last_year = await _point(first, "Old", date(2026, 3, 1), academic_year=2025)
    y10 = await add_pupils(first, 10, 12, "Ten", prior=103.0)
    y11 = await add_pupils(first, 11, 10, "Eleven", prior=106.0)
    await set_targets(y10, maths, ["4", "5", "6", "7", "8", "5", "6", "4", "9", "5", "6", "7"])
    await set_targets(y10[:8], english, ["5"] * 8)
    await set_targets(y11, maths, ["6"] * 10)
    await _grades(spring, y10, maths, ["1", "3", "6", "9", "8", "5", "U", "4", "9", "2", "7", "6"])
    await _grades(spring, y10, english, ["5", "4", "7", "2", "6", "5", "5", "9", "9", "9"])
    await _grades(autumn, y10, maths, ["9"] * 12)  # not the latest for Year 10
    await _grades(autumn, y11, maths, ["2", "4", "5", "6", "7", "8", "9", "3", "5", "6"])
    await _grades(last_year, y11, maths, ["9"] * 10)
    # A school-set expected grade at Year 10's spring point replaces the linear path.
    await ExpectedGrade.create(point=spring, subject=english, year_group=10, grade="6",
                               points=6.0, set_at=now())

    # Second school: a standardised score in place of prior attainment, a pupil without
    # either, one who left, one moved to Year 11, a deleted target and a grade changed.
    autumn2 = await _point(second, "Autumn", date(2026, 12, 1), year_group=10)
    pupils = await add_pupils(second, 10, 9, "Mix", prior=101.0)
    await set_targets(pupils, maths, ["5", "6", "4", "7", "5", "6", "4", "5", "6"])
    await set_targets(pupils[:5], french, ["5", "6", "4", "7", "5"])
    await _grades(autumn2, pupils, maths, ["4", "6", "2", "8", "5", "3", "5", "7", "1"])
    await _grades(autumn2, pupils[:5], french, ["5", "5", "5", "5", "5"])
    await Pupil.filter(id=pupils[0].id).update(prior_attainment=None, standardised_score=91.0)
    await Pupil.filter(id=pupils[1].id).update(prior_attainment=None, standardised_score=None)
    await Pupil.filter(id=pupils[2].id).update(left_at=date(2027, 1, 10))
    await Pupil.filter(id=pupils[3].id).update(year_group=11)
    await Target.filter(pupil_id=pupils[4].id, subject=maths).update(deleted_at=now())
    await _grades(autumn2, pupils[5:6], maths, ["9"])
    await Target.filter(pupil_id=pupils[6].id, subject=maths).update(points=8.0, grade="8")

    # Third school: points but nobody tracked.
    await _point(third, "Autumn", date(2026, 10, 1))
    await add_pupils(third, 10, 6, "None")
    # The first school applies another national estimates version: its pupils' starting
    # positions move (maths two points up), the others' do not.
    version = await versions.load_version(new_parameters({"maths": 2.0, "eng-lang": -1.5}),
                                          "2027 national data", "operator")
    await SchoolEstimatesVersion.create(school=first, key_stage=KeyStage.KS4,
                                        version=version.version, applied_at=now())

    for year_group in (10, 11):
        got = await track_counts(schools, KeyStage.KS4, year_group, subs, TODAY)
        want = {}
        for school in schools:
            _, by_code = await _direct(school, year_group)
            for code, counts in by_code.items():
                want[(school.id, subs[code].id)] = counts
        assert got == want, year_group
    got = await track_counts(schools, KeyStage.KS4, 10, subs, TODAY)
    first_maths = got[(first.id, maths.id)]
    # Every status occurs, and the moved, left and baseline-less pupils are not counted.
    assert first_maths.on_track and first_maths.above and first_maths.below
    assert got[(second.id, maths.id)].total == 5
    assert (third.id, maths.id) not in got
    # Before the spring point's date Year 10's latest point is autumn.
    earlier = await track_counts(schools, KeyStage.KS4, 10, subs, date(2027, 1, 5))
    assert earlier[(first.id, maths.id)].above == 12 - earlier[(first.id, maths.id)].on_track


async def test_no_points_or_no_schools_count_nobody():
    subs = await subjects()
    school = await make_school()
    pupils = await add_pupils(school, 10, 6, "Bare")
    await set_targets(pupils, subs["maths"], ["5"] * 6)
    assert await track_counts([school], KeyStage.KS4, 10, subs, TODAY) == {}
    assert await track_counts([], KeyStage.KS4, 10, subs, TODAY) == {}


async def test_key_stage_2_scaled_scores_use_their_own_grade_step():
    """KS2: one "grade" is three scaled-score points either side, in SQL as in Python."""
    subs = await subjects(KeyStage.KS2)
    school = await make_school()
    school.current_academic_year = 2026
    await school.save()
    point = await AssessmentPoint.create(school=school, key_stage=KeyStage.KS2, year_group=6,
                                         academic_year=2026, name="Spring", on=date(2027, 2, 1))
    pupils = await add_pupils(school, 6, 9, "Ks", prior=16.0)
    await set_targets(pupils, subs["maths"], ["104"] * 9)
    for pupil, score in zip(pupils, [90, 96, 99, 101, 103, 105, 107, 110, 117], strict=True):
        await record_working_at(school.id, pupil.id, subs["maths"].id, point.id, str(score),
                                float(score), None)
    got = await track_counts([school], KeyStage.KS2, 6, subs, TODAY)
    _, tracks = await year_group_tracks(school.id, KeyStage.KS2, 6, 2026, TODAY)
    want = counts_by_subject(tracks)["maths"]
    assert got == {(school.id, subs["maths"].id): want}
    assert want.on_track >= 2 and want.above and want.below  # a 1-point step would differ
