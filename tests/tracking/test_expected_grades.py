"""The school-set expected grade (services.tracking.expected): set, clear, all-or-nothing for
a point, validation, audit, the grid with the linear default, and the status that uses it."""

import asyncio
from datetime import date

import numpy as np
import pytest

from server.models import AssessmentPoint, AuditEvent, ExpectedGrade
from server.models.enums import BenchmarkLevel, KeyStage
from server.services.audit import Actor
from server.services.errors import UserInputError
from server.services.targets.cohort import year_group_estimates
from server.services.tracking.expected import (
    clear_expected_grade,
    expected_grid,
    set_expected_grade,
    set_expected_grades,
)
from server.services.tracking.flight_paths import TrackStatus
from server.services.tracking.recording import record_working_at
from server.services.tracking.status import key_stage_span, year_group_tracks
from tests.factories import make_administrator, make_school
from tests.targets.world import add_pupils, set_targets, subjects


async def _setting():
    school = await make_school()
    admin = await make_administrator(school)
    pupils = await add_pupils(school, 11, 6, "Exp")
    ks4 = await subjects(KeyStage.KS4)
    maths = ks4["maths"]
    await set_targets(pupils, maths, ["6", "6", "6", "7", "7", "7"])
    spring = await AssessmentPoint.create(
        school=school, key_stage=KeyStage.KS4, year_group=None, academic_year=2026,
        name="Spring", on=date(2027, 3, 1))
    return school, Actor(account=admin), pupils, ks4, spring


async def test_set_replaces_the_linear_path_and_clear_goes_back():
    school, actor, pupils, ks4, spring = await _setting()
    for pupil, grade in zip(pupils, ["5", "7", "3", "4", "6", "6"], strict=True):
        await record_working_at(school.id, pupil.id, ks4["maths"].id, spring.id, grade,
                                float(grade), None)
    _, linear = await year_group_tracks(school.id, KeyStage.KS4, 11, 2026, date(2027, 4, 1))

    done = await set_expected_grade(actor, school.id, spring.id, 11, "maths", " 5 ")
    assert (done.grade, done.points) == ("5", 5.0)
    _, tracks = await year_group_tracks(school.id, KeyStage.KS4, 11, 2026, date(2027, 4, 1))
    assert {t.expected for t in tracks} == {5.0}
    by_grade = {t.working_at: t.status for t in tracks}
    assert by_grade["7"] == TrackStatus.ABOVE and by_grade["3"] == TrackStatus.BELOW
    # Setting again replaces the one row.
    await set_expected_grade(actor, school.id, spring.id, 11, "maths", "4")
    assert await ExpectedGrade.filter(point=spring).count() == 1

    assert await clear_expected_grade(actor, school.id, spring.id, 11, "maths") is True
    assert await clear_expected_grade(actor, school.id, spring.id, 11, "maths") is False
    _, back = await year_group_tracks(school.id, KeyStage.KS4, 11, 2026, date(2027, 4, 1))
    assert sorted(t.expected for t in back) == sorted(t.expected for t in linear)
    actions = await AuditEvent.filter(organisation_id=school.id,
                                      action__startswith="tracking.expected").values_list(
        "action", flat=True)
    assert sorted(actions) == ["tracking.expected_cleared", "tracking.expected_set",
                               "tracking.expected_set"]


@pytest.mark.parametrize(("point_of", "year_group", "subject", "grade", "field", "code"), [
    ("other", 11, "maths", "5", "pointId", "UNKNOWN_POINT"),
    ("y10", 11, "maths", "5", "yearGroup", "INVALID_YEAR_GROUP"),
    ("spring", 6, "maths", "5", "yearGroup", "INVALID_YEAR_GROUP"),
    ("spring", 11, "latin_ks5", "5", "subjectCode", "UNKNOWN_SUBJECT"),
    ("spring", 11, "maths", "", "grade", "REQUIRED"),
    ("spring", 11, "maths", "12", "grade", "INVALID_GRADE"),
])
async def test_bad_input_is_refused_and_changes_nothing(point_of, year_group, subject, grade,
                                                        field, code):
    school, actor, _, _, spring = await _setting()
    other_school = await make_school()
    other = await AssessmentPoint.create(
        school=other_school, key_stage=KeyStage.KS4, year_group=None, academic_year=2026,
        name="Autumn", on=date(2026, 11, 1))
    y10 = await AssessmentPoint.create(
        school=school, key_stage=KeyStage.KS4, year_group=10, academic_year=2026,
        name="Y10 mocks", on=date(2026, 12, 1))
    point = {"other": other, "y10": y10, "spring": spring}[point_of]
    with pytest.raises(UserInputError) as refused:
        await set_expected_grade(actor, school.id, point.id, year_group, subject, grade)
    assert (refused.value.field, str(refused.value.code)) == (field, code)
    assert await ExpectedGrade.filter(point__school=school).count() == 0
    assert not await AuditEvent.filter(organisation_id=school.id,
                                      action__startswith="tracking.expected").exists()


async def test_a_point_is_saved_whole_or_not_at_all():
    school, actor, _, ks4, spring = await _setting()
    english = "eng-lang"
    await set_expected_grade(actor, school.id, spring.id, 11, english, "4")
    with pytest.raises(UserInputError) as refused:
        await set_expected_grades(actor, school.id, spring.id, 11,
                                  {"maths": "5", english: "", "biology": "Z"})
    assert [p.field for p in refused.value.problems] == ["grade-biology"]
    assert await ExpectedGrade.filter(point=spring).values_list("grade", flat=True) == ["4"]

    made, cleared = await set_expected_grades(actor, school.id, spring.id, 11,
                                              {"maths": "5", english: "", "biology": "b"})
    assert (made, cleared) == (2, 1)
    saved = dict(await ExpectedGrade.filter(point=spring).values_list("subject__code", "grade"))
    assert saved == {"maths": "5", "biology": "B"}


async def test_concurrent_sets_leave_one_row():
    school, actor, _, _, spring = await _setting()
    await asyncio.gather(*(set_expected_grade(actor, school.id, spring.id, 11, "maths", g)
                           for g in ["4", "5", "6", "7"] * 3))
    rows = await ExpectedGrade.filter(point=spring)
    assert len(rows) == 1 and rows[0].grade in {"4", "5", "6", "7"}


async def test_the_grid_shows_the_linear_default_and_the_schools_grade():
    school, actor, pupils, _, spring = await _setting()
    cohort = await year_group_estimates(school.id, KeyStage.KS4, 11)
    starts = cohort.points("maths", BenchmarkLevel.AVERAGE)
    begins, ends = key_stage_span(KeyStage.KS4, 11, 2026)
    share = (spring.on - begins).days / (ends - begins).days
    targets = {p.id: t for p, t in zip(pupils, [6, 6, 6, 7, 7, 7], strict=True)}
    linear = np.mean([starts[i] + (targets[pid] - starts[i]) * share
                      for i, pid in enumerate(cohort.pupil_ids)])

    grid = await expected_grid(school.id, KeyStage.KS4, 11, [spring], threshold=6)
    (cell,) = next(s for s in grid if s.code == "maths").cells
    assert cell.grade is None and cell.linear_points == pytest.approx(linear, abs=0.01)
    # Subjects without targets have no path to show.
    assert all(c.linear_points is None for s in grid if s.code != "maths" for c in s.cells)

    await set_expected_grade(actor, school.id, spring.id, 11, "maths", "5")
    grid = await expected_grid(school.id, KeyStage.KS4, 11, [spring], threshold=6)
    (cell,) = next(s for s in grid if s.code == "maths").cells
    assert (cell.grade, cell.points) == ("5", 5.0)
    # Six pupils on a path: shown at a threshold of six, hidden at seven.
    hidden = await expected_grid(school.id, KeyStage.KS4, 11, [spring], threshold=7)
    assert next(s for s in hidden if s.code == "maths").cells[0].linear_points is None
