"""Manage targets and Manage subjects: the rules of services/targets/settings.py."""

import pytest

from server.models import AuditEvent, SubjectSettings, Target, YearGroupSettings
from server.models.enums import Editing, KeyStage, Prepopulate
from server.services.accounts.audit import Actor
from server.services.errors import UserInputError
from server.services.targets.settings import (
    TargetSettings,
    get_settings,
    prepopulate_options,
    save_settings,
    save_subjects,
    subject_list,
    validate_settings,
)
from tests.factories import make_administrator, make_chain, make_school
from tests.target_settings.helpers import make_pupils, subjects

ON = TargetSettings(use_target_setting=True, prepopulate=Prepopulate.BENCHMARK)


def test_plus_one_only_at_ks4_and_ks5():
    assert Prepopulate.BENCHMARK_PLUS_ONE not in prepopulate_options("KS2")
    assert Prepopulate.BENCHMARK_PLUS_ONE in prepopulate_options("KS4")
    assert Prepopulate.BENCHMARK_PLUS_ONE in prepopulate_options("KS5")
    plus = TargetSettings(use_target_setting=True, prepopulate=Prepopulate.BENCHMARK_PLUS_ONE)
    with pytest.raises(UserInputError) as error:
        validate_settings("KS2", plus, share=False, has_chain=False)
    assert error.value.field == "prepopulate" and error.value.code == "PLUS_ONE_NOT_AVAILABLE"
    assert validate_settings("KS5", plus, share=False, has_chain=False) == plus


def test_pupil_level_with_la_implies_aggregate_with_la():
    chosen = TargetSettings(pupil_level_with_la=True)
    stored = validate_settings("KS4", chosen, share=True, has_chain=False)
    assert stored.pupil_level_with_la and stored.aggregate_with_la


def test_sharing_rules():
    with pytest.raises(UserInputError) as error:
        validate_settings("KS4", TargetSettings(), share=True, has_chain=True)
    assert error.value.code == "SHARE_WITH_REQUIRED"
    with pytest.raises(UserInputError) as error:
        validate_settings("KS4", TargetSettings(aggregate_with_chain=True), share=True,
                          has_chain=False)
    assert error.value.field == "aggregateWithChain"
    everything = TargetSettings(pupil_level_with_la=True, aggregate_with_chain=True)
    assert not validate_settings("KS4", everything, share=False, has_chain=True).share


def test_prepopulating_needs_target_setting():
    with pytest.raises(UserInputError) as error:
        validate_settings("KS4", TargetSettings(prepopulate=Prepopulate.BENCHMARK), False, False)
    assert error.value.code == "NEEDS_TARGET_SETTING"


async def test_upwards_only_is_recorded_and_audited():
    school = await make_school()
    admin = await make_administrator(school)
    chosen = TargetSettings(use_target_setting=True, editing=Editing.UPWARDS)
    await save_settings(school.id, KeyStage.KS4, 10, False, chosen, False, Actor(admin))
    row = await YearGroupSettings.get(school=school, key_stage=KeyStage.KS4, year_group=10)
    assert row.editing == Editing.UPWARDS and row.use_target_setting
    assert row.updated_by_id == admin.id
    saved = await get_settings(school.id, "KS4", 10)
    assert saved.saved and saved.settings.editing == Editing.UPWARDS
    event = await AuditEvent.get(action="target_settings.saved")
    assert event.before["editing"] == "yes" and event.after["editing"] == "upwards"
    assert event.actor_id == admin.id and event.organisation_id == school.id
    assert event.subject_id == "KS4-Y10"


async def test_all_years_applies_to_every_year_group_of_the_key_stage():
    chain = await make_chain()
    school = await make_school(chain=chain)
    admin = await make_administrator(school)
    chosen = TargetSettings(use_target_setting=True, aggregate_with_chain=True)
    result = await save_settings(school.id, "KS5", 12, True, chosen, True, Actor(admin))
    assert [s.year_group for s in result.year_groups] == [12, 13]
    # Sharing with the chain waits for a senior leader (tests/sharing): one change per year.
    assert [c.year_group for c in result.pending] == [12, 13]
    rows = await YearGroupSettings.filter(school=school).order_by("year_group")
    assert [(r.year_group, r.use_target_setting) for r in rows] == [(12, True), (13, True)]
    assert not any(r.aggregate_with_chain for r in rows)
    assert await AuditEvent.filter(action="target_settings.saved").count() == 2


async def test_year_group_must_be_of_the_key_stage():
    school = await make_school()
    admin = await make_administrator(school)
    with pytest.raises(UserInputError) as error:
        await save_settings(school.id, "KS2", 10, False, TargetSettings(), False, Actor(admin))
    assert error.value.field == "yearGroup"


async def test_unticked_subjects_are_not_prepopulated_and_ticking_fills_them():
    school = await make_school()
    admin = await make_administrator(school)
    subs = await subjects()
    await make_pupils(school, 10, 3)
    every = [c.code for c in await subject_list(school.id, "KS4", 10)]
    assert len(every) == 20
    keep = [c for c in every if c != "music"]
    _, written = await save_subjects(school.id, "KS4", 10, keep, Actor(admin))
    assert written == 0  # target setting is not on yet
    await save_settings(school.id, "KS4", 10, False, ON, False, Actor(admin))
    assert await Target.filter(subject=subs["music"]).count() == 0
    assert await Target.filter(school=school).count() == 3 * 19
    listed, written = await save_subjects(school.id, "KS4", 10, every, Actor(admin))
    assert written == 3 and all(c.included for c in listed)
    unticked = await save_subjects(school.id, "KS4", 10, [], Actor(admin))
    assert not any(c.included for c in unticked[0])
    assert await Target.filter(school=school).count() == 60  # switching off never deletes
    assert await SubjectSettings.filter(school=school).count() == 20
    with pytest.raises(UserInputError) as error:
        await save_subjects(school.id, "KS4", 10, ["latin"], Actor(admin))
    assert error.value.code == "UNKNOWN_SUBJECT"
    event = await AuditEvent.filter(action="target_subjects.saved").order_by("id").first()
    assert "music" in [c for c in every if c not in event.after["included"]]
