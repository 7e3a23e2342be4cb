"""setTarget: the editing rule, the grade format, history; who may set targets."""

from __future__ import annotations

import pytest

from server.models import Target, TargetChange
from server.models.enums import Editing, GradeFormat, PupilAccess, Role
from tests.factories import make_local_authority, make_school, make_user
from tests.targets.test_target_aggregates import run
from tests.targets.world import add_pupils, set_format, set_targets, share, subjects

SET = """
mutation SetTarget($input: SetTargetInput!) {
  setTarget(input: $input) {
    changed
    target { targetGrade targetPoints prepopulated history { kind oldGrade newGrade reason changedBy } }
    errors { field message code }
  }
}
"""


@pytest.fixture
async def school():
    la = await make_local_authority()
    school = await make_school(la=la)
    school.pupils_ = await add_pupils(school, 10, 3, surname="Set")
    school.user_ = await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL)
    school.la_ = la
    return school


async def set_target(user, **fields):
    result = await run(user, SET, {"input": fields})
    assert result.errors is None, result.errors
    return result.data["setTarget"]


async def test_nothing_changes_unless_target_setting_is_on(school):
    pupil = school.pupils_[0]
    got = await set_target(school.user_, upn=pupil.upn, subjectCode="maths", grade="6")
    assert got["errors"][0]["code"] == "TARGET_SETTING_OFF"
    assert got["errors"][0]["field"] == "grade"
    await share(school, 10, use=True, editing=Editing.NO)
    got = await set_target(school.user_, upn=pupil.upn, subjectCode="maths", grade="6")
    assert got["errors"] == [{"field": "grade", "code": "EDITING_OFF",
                              "message": got["errors"][0]["message"]}]
    assert "cannot be changed" in got["errors"][0]["message"]
    assert await Target.all().count() == 0 and await TargetChange.all().count() == 0


async def test_set_and_change_with_history(school):
    await share(school, 10, editing=Editing.YES)
    pupil = school.pupils_[0]
    got = await set_target(school.user_, pupilId=str(pupil.id), subjectCode="maths", grade=" 6 ")
    assert got["errors"] == [] and got["changed"] is True
    assert got["target"]["targetGrade"] == "6" and got["target"]["targetPoints"] == 6.0
    got = await set_target(school.user_, upn=pupil.upn.lower(), subjectCode="maths", grade="4",
                           reason="Missed a term <b>ill</b>")
    assert got["errors"] == [] and got["target"]["targetGrade"] == "4"
    history = got["target"]["history"]
    assert [(h["kind"], h["oldGrade"], h["newGrade"]) for h in history] == [
        ("set", None, "6"), ("changed", "6", "4")]
    assert history[1]["reason"] == "Missed a term <b>ill</b>"
    assert history[1]["changedBy"] == school.user_.full_name
    # The same grade again changes nothing and adds no history.
    got = await set_target(school.user_, upn=pupil.upn, subjectCode="maths", grade="4")
    assert got["changed"] is False and len(got["target"]["history"]) == 2


async def test_upwards_only_never_below_the_prepopulated_target(school):
    subs = await subjects()
    await share(school, 10, editing=Editing.UPWARDS)
    pupil = school.pupils_[0]
    await set_targets([pupil], subs["maths"], ["5"], prepopulated=True)
    got = await set_target(school.user_, upn=pupil.upn, subjectCode="maths", grade="4")
    assert got["errors"][0]["code"] == "BELOW_PREPOPULATED"
    assert got["errors"][0]["message"] == (
        "Targets in this year group can only be raised: enter 5 or higher")
    assert (await Target.get(pupil=pupil)).grade == "5"
    got = await set_target(school.user_, upn=pupil.upn, subjectCode="maths", grade="7")
    assert got["errors"] == [] and got["target"]["prepopulated"] is False
    # Back down to the pre-populated grade is allowed (never *below* it).
    got = await set_target(school.user_, upn=pupil.upn, subjectCode="maths", grade="5")
    assert got["errors"] == [] and got["target"]["prepopulated"] is True
    got = await set_target(school.user_, upn=pupil.upn, subjectCode="maths", grade="3")
    assert got["errors"][0]["code"] == "BELOW_PREPOPULATED"


async def test_targets_only_in_the_subjects_grade_format(school):
    subs = await subjects()
    await share(school, 10)
    await set_format(school, subs["french"], 10, GradeFormat.A_STAR_TO_G)
    pupil = school.pupils_[1]
    got = await set_target(school.user_, upn=pupil.upn, subjectCode="french", grade="6")
    assert got["errors"] == [{"field": "grade", "code": "INVALID_GRADE",
                              "message": "Enter a grade from A* to G"}]
    got = await set_target(school.user_, upn=pupil.upn, subjectCode="french", grade="a*")
    assert got["errors"] == [] and got["target"]["targetGrade"] == "A*"
    assert got["target"]["targetPoints"] == 8.5
    got = await set_target(school.user_, upn=pupil.upn, subjectCode="maths", grade="B")
    assert got["errors"][0]["message"] == "Enter a grade from 9 to 1"
    for bad in ("10", "U", "0", "=1+1"):
        got = await set_target(school.user_, upn=pupil.upn, subjectCode="maths", grade=bad)
        assert got["errors"][0]["code"] == "INVALID_GRADE", bad
    got = await set_target(school.user_, upn=pupil.upn, subjectCode="maths", grade="  ")
    assert got["errors"][0]["code"] == "REQUIRED"
    got = await set_target(school.user_, upn=pupil.upn, subjectCode="maths", grade="5",
                           reason="x" * 501)
    assert got["errors"][0] == {"field": "reason", "code": "TOO_LONG",
                                "message": "Reason must be 500 characters or fewer"}
    got = await set_target(school.user_, upn=pupil.upn, subjectCode="latin", grade="5")
    assert got["errors"][0]["field"] == "subjectCode"
    assert await Target.filter(subject=subs["maths"]).count() == 0


async def test_only_the_schools_full_access_users_set_targets(school):
    await share(school, 10, pupil_la=True)
    pupil = school.pupils_[0]
    governor = await make_user(school, Role.GOVERNOR, PupilAccess.AGGREGATE)
    officer = await make_user(school.la_, Role.OFFICER, PupilAccess.FULL)
    for user in (governor, officer):
        result = await run(user, SET, {"input": {"upn": pupil.upn, "subjectCode": "maths",
                                                 "grade": "6"}})
        assert result.errors[0].extensions["code"] == "FORBIDDEN"
    # Another school's pupil is not found (and not revealed).
    other = await make_school()
    other_user = await make_user(other, Role.TEACHER, PupilAccess.FULL)
    await share(other, 10)
    got = await set_target(other_user, pupilId=str(pupil.id), subjectCode="maths", grade="6")
    assert got["errors"][0]["code"] == "UNKNOWN_PUPIL"
    assert await Target.all().count() == 0
