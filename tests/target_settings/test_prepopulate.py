"""Pre-population: every pupil with prior attainment, every included subject, once."""

import asyncio

import numpy as np

from server.models import AuditEvent, SubjectSettings, Target, TargetChange
from server.models.enums import BenchmarkLevel, GradeFormat, KeyStage, Prepopulate, TargetChangeKind
from server.services.accounts.audit import Actor
from server.services.estimates.scales import GCSE_9_1, GCSE_A_G, KS2_SCALED_SCORE
from server.services.targets.benchmarks import BenchmarkChoice, save_benchmarks
from server.services.targets.cohort import year_group_estimates
from server.services.targets.prepopulate import prepopulate_year_group, target_grades
from server.services.targets.settings import TargetSettings, save_settings
from tests.factories import make_administrator, make_school
from tests.target_settings.helpers import make_pupils, subjects


def settings(option=Prepopulate.BENCHMARK):
    return TargetSettings(use_target_setting=True, prepopulate=option)


def test_target_grades_plus_one_is_capped_and_never_u():
    grades = np.array(["U", "4", "9", None], dtype=object)
    assert target_grades(GCSE_9_1, grades, False).tolist() == ["1", "4", "9", None]
    assert target_grades(GCSE_9_1, grades, True).tolist() == ["1", "5", "9", None]
    letters = np.array(["C", "A*"], dtype=object)
    assert target_grades(GCSE_A_G, letters, True).tolist() == ["B", "A*"]
    scores = np.array(["104", "120"], dtype=object)
    assert target_grades(KS2_SCALED_SCORE, scores, False).tolist() == ["104", "120"]


async def test_prepopulates_benchmark_grades_with_history():
    school = await make_school()
    admin = await make_administrator(school)
    subs = await subjects()
    pupils = await make_pupils(school, 10, 4)
    await make_pupils(school, 10, 1, prior=None)
    result = await save_settings(school.id, "KS4", 10, False, settings(), False, Actor(admin))
    assert result.prepopulated == 4 * 20
    cohort = await year_group_estimates(school.id, "KS4", 10)
    maths = {t.pupil_id: t for t in await Target.filter(subject=subs["maths"])}
    assert set(maths) == {p.id for p in pupils}  # no prior attainment: no target
    for i, pupil in enumerate(pupils):
        target = maths[pupil.id]
        assert target.grade == cohort.grades("maths")[i] or target.grade == "1"
        assert target.prepopulated and target.prepopulated_grade == target.grade
        assert target.points == GCSE_9_1.points_of(target.grade)
        assert target.benchmark == BenchmarkLevel.AVERAGE
        assert target.model_version == cohort.model_version
        assert target.key_stage == KeyStage.KS4 and target.year_group == 10
    changes = await TargetChange.filter(kind=TargetChangeKind.PREPOPULATED).count()
    assert changes == 80
    event = await AuditEvent.get(action="targets.prepopulated")
    assert event.after == {"created": 80, "refreshed": 0}
    # Idempotent: running again writes nothing and records nothing.
    assert await prepopulate_year_group(school.id, "KS4", 10, admin.id) == 0
    assert await Target.filter(school=school).count() == 80
    assert await TargetChange.all().count() == 80


async def test_plus_one_in_the_subjects_format():
    school = await make_school()
    admin = await make_administrator(school)
    subs = await subjects()
    await make_pupils(school, 11, 3)
    await SubjectSettings.create(
        school=school, key_stage=KeyStage.KS4, year_group=11, subject=subs["french"],
        grade_format=GradeFormat.A_STAR_TO_G, benchmark=BenchmarkLevel.HIGH,
    )
    option = settings(Prepopulate.BENCHMARK_PLUS_ONE)
    await save_settings(school.id, "KS4", 11, False, option, False, Actor(admin))
    cohort = await year_group_estimates(school.id, "KS4", 11)
    french = await Target.filter(subject=subs["french"]).order_by("pupil_id")
    expected = [GCSE_A_G.plus_one(g) for g in cohort.grades("french")]
    assert [t.grade for t in french] == expected
    assert all(t.benchmark == BenchmarkLevel.HIGH for t in french)


async def test_two_concurrent_saves_never_duplicate():
    school = await make_school()
    admin = await make_administrator(school)
    await make_pupils(school, 9, 5)
    actor = Actor(admin)
    results = await asyncio.gather(
        save_settings(school.id, "KS4", 9, False, settings(), False, actor),
        save_settings(school.id, "KS4", 9, False, settings(), False, actor),
        prepopulate_year_group(school.id, "KS4", 9, admin.id),
    )
    assert await Target.filter(school=school).count() == 100
    assert await TargetChange.all().count() == 100
    assert results[0].prepopulated + results[1].prepopulated + results[2] == 100


async def test_people_keep_their_targets_and_untouched_ones_follow_the_benchmark():
    school = await make_school()
    admin = await make_administrator(school)
    subs = await subjects()
    pupils = await make_pupils(school, 10, 2)
    await save_settings(school.id, "KS4", 10, False, settings(), False, Actor(admin))
    # A teacher changes one pupil's maths target.
    mine = await Target.get(pupil=pupils[0], subject=subs["maths"])
    mine.grade, mine.points = "9", 9.0
    await mine.save()
    before = {t.pupil_id: t.grade for t in await Target.filter(subject=subs["maths"])}
    overview, written = await save_benchmarks(
        school.id, "KS4", 10, [BenchmarkChoice("maths", BenchmarkLevel.VERY_HIGH)], Actor(admin)
    )
    cohort = await year_group_estimates(school.id, "KS4", 10)
    after = {t.pupil_id: t for t in await Target.filter(subject=subs["maths"])}
    assert after[pupils[0].id].grade == "9"  # a person's target is never overwritten
    other = after[pupils[1].id]
    assert other.benchmark == BenchmarkLevel.VERY_HIGH
    assert other.grade == cohort.grades("maths", BenchmarkLevel.VERY_HIGH)[1]
    assert written == 1
    change = await TargetChange.filter(target_id=other.id).order_by("-id").first()
    assert change.old_grade == before[pupils[1].id] and change.new_grade == other.grade
    assert change.benchmark == BenchmarkLevel.VERY_HIGH
    maths = next(s for s in overview.subjects if s.choice.code == "maths")
    assert maths.choice.saved and maths.choice.benchmark == BenchmarkLevel.VERY_HIGH
    event = await AuditEvent.get(action="benchmarks.saved")
    assert event.before == {"maths": {"benchmark": None, "gradeFormat": "9-1"}}
    assert event.after == {"maths": {"benchmark": "VERY_HIGH", "gradeFormat": "9-1"}}


async def test_switching_off_never_deletes_targets():
    school = await make_school()
    admin = await make_administrator(school)
    await make_pupils(school, 10, 2)
    await save_settings(school.id, "KS4", 10, False, settings(), False, Actor(admin))
    await save_settings(school.id, "KS4", 10, False, TargetSettings(), False, Actor(admin))
    assert await Target.filter(school=school, deleted_at__isnull=True).count() == 40
    assert await prepopulate_year_group(school.id, "KS4", 10, admin.id) == 0


async def test_ks2_scaled_scores_and_bands():
    school = await make_school()
    admin = await make_administrator(school)
    subs = await subjects(KeyStage.KS2)
    await make_pupils(school, 6, 2, prior=16.0)
    await save_settings(school.id, "KS2", 6, False, settings(), False, Actor(admin))
    writing = await Target.filter(subject=subs["writing"])
    assert {t.grade for t in writing} <= {"WTS", "EXS", "GDS"}
    reading = await Target.filter(subject=subs["reading"])
    assert all(80 <= int(t.grade) <= 120 for t in reading)


async def test_statements_do_not_grow_with_pupils():
    from server.observability import count_sql

    counted = []
    await subjects()
    for pupils in (3, 30):
        school = await make_school()
        admin = await make_administrator(school)
        await make_pupils(school, 10, pupils)
        await save_settings(school.id, "KS4", 10, False, TargetSettings(), False, Actor(admin))
        await save_settings(school.id, "KS4", 10, False, TargetSettings(use_target_setting=True),
                            False, Actor(admin))
        await switch_on_prepopulation(school)
        with count_sql() as statements:
            assert await prepopulate_year_group(school.id, "KS4", 10, admin.id) == pupils * 20
        counted.append(statements.value)
    assert counted[0] == counted[1] and counted[0] <= 12, counted


async def switch_on_prepopulation(school):
    from server.models import YearGroupSettings

    await YearGroupSettings.filter(school=school).update(prepopulate=Prepopulate.BENCHMARK)


async def test_change_history_of_new_refreshed_and_deleted_targets():
    """Every written target gets one "prepopulated" change: new ones in target id order,
    then refreshed ones (the old grade and why), stamped as the target was."""
    from datetime import UTC, datetime

    from server.services.targets.prepopulate import REASON_AGAIN, REASON_BENCHMARK

    school = await make_school()
    admin = await make_administrator(school)
    subs = await subjects()
    pupils = await make_pupils(school, 10, 3)
    await save_settings(school.id, "KS4", 10, False, settings(), False, Actor(admin))
    targets = await Target.filter(school=school).order_by("id")
    changes = await TargetChange.all().order_by("id")
    assert [c.target_id for c in changes] == [t.id for t in targets]
    for target, change in zip(targets, changes, strict=True):
        assert change.kind == TargetChangeKind.PREPOPULATED
        assert (change.old_grade, change.new_grade, change.reason) == (None, target.grade, None)
        assert change.benchmark == target.benchmark == BenchmarkLevel.AVERAGE
        assert change.model_version == target.model_version
        assert change.changed_by_id == admin.id and change.changed_at == target.updated_at
    first = changes[-1].id

    # One French target deleted, one maths target changed by a teacher, then the maths
    # benchmark moves: untouched maths targets follow it and the deleted one comes back.
    french = await Target.get(pupil=pupils[1], subject=subs["french"])
    await Target.filter(id=french.id).update(deleted_at=datetime.now(UTC))
    mine = await Target.get(pupil=pupils[0], subject=subs["maths"])
    await Target.filter(id=mine.id).update(grade="9", points=9.0)
    before = {t.id: t.grade for t in await Target.filter(school=school)}
    _, written = await save_benchmarks(
        school.id, "KS4", 10, [BenchmarkChoice("maths", BenchmarkLevel.VERY_HIGH)], Actor(admin)
    )
    maths = await Target.filter(subject=subs["maths"], pupil_id__in=[p.id for p in pupils[1:]])
    refreshed = {french.id} | {t.id for t in maths}
    assert written == len(refreshed) == 3
    changes = await TargetChange.filter(id__gt=first).order_by("id")
    assert {c.target_id for c in changes} == refreshed and len(changes) == 3
    now = {t.id: t for t in await Target.filter(id__in=refreshed)}
    for change in changes:
        target = now[change.target_id]
        assert change.kind == TargetChangeKind.PREPOPULATED and change.new_grade == target.grade
        assert change.benchmark == target.benchmark and change.changed_at == target.updated_at
        if target.id == french.id:
            assert target.deleted_at is None and target.prepopulated
            assert (change.old_grade, change.reason) == (None, REASON_AGAIN)
        else:
            assert target.benchmark == BenchmarkLevel.VERY_HIGH
            assert (change.old_grade, change.reason) == (before[target.id], REASON_BENCHMARK)
    assert (await Target.get(id=mine.id)).grade == "9"
    event = await AuditEvent.filter(action="targets.prepopulated").order_by("-id").first()
    assert event.after == {"created": 0, "refreshed": 3}
