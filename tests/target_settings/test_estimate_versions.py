"""Versions of the national estimates: load, impact preview, apply, roll back (issue 14.3)."""

import asyncio
import itertools

import pytest

from server.models import AuditEvent, EstimateSummary, SchoolEstimatesVersion, Target, TargetChange
from server.models.enums import KeyStage, Prepopulate
from server.services.accounts.audit import Actor
from server.services.errors import UserInputError
from server.services.estimates import versions
from server.services.estimates.errors import EstimatesVersionErrorCode as Code
from server.services.estimates.parameters import load_parameters, parameters_to_json
from server.services.estimates.scales import GCSE_9_1
from server.services.targets import aggregates, estimate_versions
from server.services.targets.cohort import year_group_estimates
from server.services.targets.prepopulate import prepopulate_year_group
from server.services.targets.settings import TargetSettings, save_settings
from tests.factories import make_administrator, make_school
from tests.target_settings.helpers import make_pupils, subjects

_names = itertools.count(1)


def new_parameters(shift: dict[str, float], version: str | None = None) -> dict:
    """The shipped KS4 parameters with some subjects' intercepts moved (points)."""
    data = parameters_to_json(load_parameters("KS4"))
    data["version"] = version or f"t{next(_names)}.{id(data) % 1000}"[:20]
    for code, points in shift.items():
        data["subjects"][code]["a"] += points
    return data


async def loaded(shift: dict[str, float], label: str = "2027 national data") -> versions.Version:
    return await versions.load_version(new_parameters(shift), label, "operator")


async def school_with_targets(n: int = 6, year_group: int = 10):
    school = await make_school()
    admin = await make_administrator(school)
    pupils = await make_pupils(school, year_group, n)
    await save_settings(school.id, "KS4", year_group, False,
                        TargetSettings(use_target_setting=True, prepopulate=Prepopulate.BENCHMARK),
                        False, Actor(admin))
    return school, admin, pupils


async def test_loading_a_version_changes_no_school():
    school, _, _ = await school_with_targets()
    before = {t.id: (t.grade, t.model_version) for t in await Target.all()}
    version = await loaded({"maths": 2.0})
    assert not version.shipped and version.label == "2027 national data"
    assert [v.version for v in await versions.list_versions("KS4")] == [
        versions.shipped_version("KS4"), version.version]
    assert {t.id: (t.grade, t.model_version) for t in await Target.all()} == before
    cohort = await year_group_estimates(school.id, "KS4", 10)
    assert cohort.model_version == versions.shipped_version("KS4")


@pytest.mark.parametrize(("data", "label", "code"), [
    ({"version": "x"}, "A label", Code.INVALID_PARAMETERS),
    ("not an object", "A label", Code.INVALID_PARAMETERS),
    (None, "   ", Code.LABEL_REQUIRED),
    (None, "x" * 101, Code.LABEL_REQUIRED),
])
async def test_a_bad_file_or_label_is_refused_and_nothing_is_loaded(data, label, code):
    with pytest.raises(UserInputError) as error:
        await versions.load_version(new_parameters({}) if data is None else data, label, "op")
    assert error.value.code == code
    assert len(await versions.list_versions("KS4")) == 1


async def test_a_version_missing_a_subject_or_loaded_twice_is_refused():
    data = new_parameters({})
    del data["subjects"]["maths"]
    with pytest.raises(UserInputError) as error:
        await versions.load_version(data, "Label", "op")
    assert error.value.code == Code.INVALID_PARAMETERS and "maths" in error.value.message
    again = new_parameters({})
    await versions.load_version(again, "Label", "op")
    for same in (again, new_parameters({}, versions.shipped_version("KS4"))):
        with pytest.raises(UserInputError) as error:
            await versions.load_version(same, "Label", "op")
        assert error.value.code == Code.DUPLICATE_VERSION


async def test_impact_preview_counts_up_down_and_same_per_subject():
    school, admin, pupils = await school_with_targets(6)
    subs = await subjects()
    # A teacher's own target is not pre-populated any more: never counted, never changed.
    mine = await Target.get(pupil=pupils[0], subject=subs["maths"])
    mine.grade, mine.points = "9", 9.0
    await mine.save()
    version = await loaded({"maths": 2.0, "eng-lang": -2.0})
    found = await estimate_versions.impact(school.id, "KS4", version.version)
    assert found.applied.shipped and found.proposed.version == version.version
    rows = {(r.year_group, r.subject_code): r for r in found.subjects}
    maths = rows[(10, "maths")]
    assert maths.targets == 5 and maths.up == 5 and maths.down == 0
    assert maths.average_change == pytest.approx(2.0, abs=1.01)
    english = rows[(10, "eng-lang")]
    assert english.targets == 6 and english.down == 6 and english.average_change < 0
    others = [r for (y, code), r in rows.items() if code not in ("maths", "eng-lang")]
    assert others and all(r.same == r.targets == 6 and r.average_change == 0 for r in others)
    # Previewing changes nothing.
    assert await SchoolEstimatesVersion.all().count() == 0
    assert (await Target.get(id=mine.id)).grade == "9"


async def test_apply_then_roll_back():
    school, admin, pupils = await school_with_targets(6)
    subs = await subjects()
    mine = await Target.get(pupil=pupils[0], subject=subs["maths"])
    mine.grade, mine.points = "9", 9.0
    await mine.save()
    shipped = versions.shipped_version("KS4")
    old = {t.pupil_id: t.points for t in await Target.filter(subject=subs["maths"])}
    await aggregates.year_group_figures([school.id], KeyStage.KS4, 10, {"maths": subs["maths"]})
    cached = await EstimateSummary.get(school=school, subject=subs["maths"])
    version = await loaded({"maths": 2.0})
    preview = await estimate_versions.impact(school.id, "KS4", version.version)

    done = await estimate_versions.apply_version(school.id, "KS4", version.version, Actor(admin))
    assert done.school_version.applied.version == version.version
    assert done.school_version.previous.version == shipped
    assert done.prepopulated == 20 * 6 - 1  # every untouched pre-populated target, new version
    maths = {t.pupil_id: t for t in await Target.filter(subject=subs["maths"])}
    assert maths[pupils[0].id].grade == "9"  # a person's target is never overwritten
    for p in pupils[1:]:
        assert maths[p.id].points > old[p.id] and maths[p.id].model_version == version.version
    cohort = await year_group_estimates(school.id, "KS4", 10)
    assert cohort.model_version == version.version
    assert [maths[p.id].grade for p in pupils[1:]] == [
        g for g in cohort.grades("maths")[1:].tolist()]
    changed = await TargetChange.filter(target_id=maths[pupils[1].id].id).order_by("-id").first()
    assert changed.model_version == version.version
    row = next(r for r in preview.subjects if r.subject_code == "maths")
    average_now = sum(maths[p.id].points for p in pupils[1:]) / 5
    assert average_now - sum(old[p.id] for p in pupils[1:]) / 5 == pytest.approx(row.average_change)
    event = await AuditEvent.get(action="estimates.applied")
    assert event.before == {"version": shipped} and event.after == {"version": version.version}
    # The estimate cache follows the applied version.
    await aggregates.year_group_figures([school.id], KeyStage.KS4, 10, {"maths": subs["maths"]})
    renewed = await EstimateSummary.get(school=school, subject=subs["maths"])
    assert renewed.model_version == version.version and renewed.average > cached.average
    # Pre-population from now on uses the applied version: new pupils get its estimates.
    await make_pupils(school, 10, 1)
    assert await prepopulate_year_group(school.id, "KS4", 10, admin.id) == 20
    assert {t.model_version for t in await Target.all()} == {version.version, shipped}

    with pytest.raises(UserInputError) as error:
        await estimate_versions.apply_version(school.id, "KS4", version.version, Actor(admin))
    assert error.value.code == Code.ALREADY_APPLIED

    back = await estimate_versions.roll_back(school.id, "KS4", Actor(admin))
    assert back.school_version.applied.version == shipped and back.school_version.previous is None
    maths = {t.pupil_id: t for t in await Target.filter(subject=subs["maths"])}
    assert all(maths[p.id].points == old[p.id] for p in pupils[1:])
    assert maths[pupils[0].id].grade == "9"
    assert await AuditEvent.filter(action="estimates.rolled_back").count() == 1
    with pytest.raises(UserInputError) as error:
        await estimate_versions.roll_back(school.id, "KS4", Actor(admin))
    assert error.value.code == Code.NOTHING_TO_ROLL_BACK


async def test_unknown_version_is_refused_and_nothing_changes():
    school, admin, _ = await school_with_targets(2)
    for call in (estimate_versions.impact(school.id, "KS4", "nope"),
                 estimate_versions.apply_version(school.id, "KS4", "nope", Actor(admin))):
        with pytest.raises(UserInputError) as error:
            await call
        assert error.value.code == Code.UNKNOWN_VERSION
    assert await SchoolEstimatesVersion.all().count() == 0


async def test_concurrent_applies_do_not_interleave():
    school, admin, _ = await school_with_targets(4)
    first, second = await loaded({"maths": 1.0}), await loaded({"maths": -1.0})
    names = [first.version, second.version, first.version, second.version]
    results = await asyncio.gather(
        *(estimate_versions.apply_version(school.id, "KS4", v, Actor(admin)) for v in names),
        return_exceptions=True,
    )
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, UserInputError) for r in lost), lost
    assert {r.code for r in lost} <= {Code.ALREADY_APPLIED, Code.CHANGED_MEANWHILE}
    row = await SchoolEstimatesVersion.get(school=school)
    applied = await AuditEvent.filter(action="estimates.applied").order_by("id")
    # Each apply that won moved the revision once, one after another, each audited.
    assert row.revision == len(won) == len(applied) >= 1
    assert applied[-1].after == {"version": row.version}
    assert {t.model_version for t in await Target.all()} == {row.version}
    points = {GCSE_9_1.points_of(g) for g in GCSE_9_1.target_grades}
    assert all(t.points in points for t in await Target.filter(subject__code="maths"))
    # The same version applied three times at once: exactly one apply changes anything.
    other = first.version if row.version == second.version else second.version
    results = await asyncio.gather(
        *(estimate_versions.apply_version(school.id, "KS4", other, Actor(admin)) for _ in range(3)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(r.code in (Code.ALREADY_APPLIED, Code.CHANGED_MEANWHILE)
               for r in results if isinstance(r, BaseException))
    assert (await SchoolEstimatesVersion.get(school=school)).revision == row.revision + 1
