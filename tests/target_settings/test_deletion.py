"""Delete targets: counts, soft delete, restore, purge, audit."""

from datetime import UTC, datetime, timedelta

import pytest

from server.models import AuditEvent, Target, TargetChange, TargetDeletion
from server.models.enums import Prepopulate, TargetChangeKind
from server.services.accounts.audit import Actor
from server.services.errors import UserInputError
from server.services.targets.deletion import (
    delete_targets,
    has_live_targets,
    has_restorable_deletions,
    purge_expired,
    restorable_deletions,
    restore_deletion,
    target_counts,
)
from server.services.targets.prepopulate import prepopulate_year_group
from server.services.targets.settings import TargetSettings, save_settings
from tests.factories import make_administrator, make_school
from tests.target_settings.helpers import make_pupils, subjects

ON = TargetSettings(use_target_setting=True, prepopulate=Prepopulate.BENCHMARK)


async def prepopulated_school(pupils=3):
    school = await make_school()
    admin = await make_administrator(school)
    await make_pupils(school, 11, pupils)
    await save_settings(school.id, "KS4", 11, False, ON, False, Actor(admin))
    return school, admin


async def test_counts_by_subject_with_prepopulated():
    school, admin = await prepopulated_school()
    subs = await subjects()
    pupil_id = (await Target.filter(subject=subs["art"]).first()).pupil_id
    await Target.filter(pupil_id=pupil_id, subject=subs["art"]).update(prepopulated=False)
    counts = await target_counts(school.id, "KS4", 11)
    assert (counts.targets, counts.prepopulated) == (60, 59)
    art = next(c for c in counts.subjects if c.code == "art")
    assert (art.name, art.targets, art.prepopulated) == ("Art and Design", 3, 2)
    assert len(counts.subjects) == 20
    empty = await target_counts(school.id, "KS4", 10)
    assert empty.targets == 0 and all(c.targets == 0 for c in empty.subjects)
    assert await has_live_targets(school.id)
    assert not await has_live_targets((await make_school()).id)


async def test_delete_one_subject_then_restore():
    school, admin = await prepopulated_school()
    subs = await subjects()
    deletion = await delete_targets(school.id, "KS4", 11, "maths", Actor(admin))
    assert deletion.targets_deleted == 3 and deletion.subject_name == "Mathematics"
    row = await TargetDeletion.get(id=deletion.id)
    assert row.purge_after - row.deleted_at == timedelta(days=30)
    assert await Target.filter(subject=subs["maths"], deleted_at__isnull=True).count() == 0
    assert (await target_counts(school.id, "KS4", 11)).targets == 57
    assert await TargetChange.filter(kind=TargetChangeKind.DELETED).count() == 3
    listed = await restorable_deletions(school.id)
    assert [(d.id, d.restorable) for d in listed] == [(deletion.id, 3)]
    restored_deletion, restored = await restore_deletion(school.id, deletion.id, Actor(admin))
    assert restored == 3 and restored_deletion.restored_at is not None
    assert (await target_counts(school.id, "KS4", 11)).targets == 60
    assert await restorable_deletions(school.id) == []
    with pytest.raises(UserInputError) as error:
        await restore_deletion(school.id, deletion.id, Actor(admin))
    assert error.value.code == "ALREADY_RESTORED"
    actions = await AuditEvent.filter(organisation=school).values_list("action", flat=True)
    assert "targets.deleted" in actions and "targets.restored" in actions
    deleted_event = await AuditEvent.get(action="targets.deleted")
    assert deleted_event.before["targets"] == 3 and deleted_event.after["deleted"] == 3


async def test_delete_affects_only_live_targets_and_restore_keeps_targets_set_again():
    school, admin = await prepopulated_school()
    subs = await subjects()
    first = await delete_targets(school.id, "KS4", 11, "art", Actor(admin))
    everything = await delete_targets(school.id, "KS4", 11, None, Actor(admin))
    assert everything.targets_deleted == 57  # art's three were already deleted
    with pytest.raises(UserInputError) as error:
        await delete_targets(school.id, "KS4", 11, None, Actor(admin))
    assert error.value.code == "NO_TARGETS"
    assert not await has_live_targets(school.id)
    assert await has_restorable_deletions(school.id)
    # Pre-population is still on: the next run sets the targets again.
    assert await prepopulate_year_group(school.id, "KS4", 11, admin.id) == 60
    one = await Target.filter(subject=subs["maths"]).first()
    one.grade = "9"
    await one.save()
    _, restored = await restore_deletion(school.id, everything.id, Actor(admin))
    assert restored == 0  # every target was set again since: nothing is overwritten
    assert (await Target.get(id=one.id)).grade == "9"
    _, restored = await restore_deletion(school.id, first.id, Actor(admin))
    assert restored == 0


async def test_restore_brings_back_only_what_is_still_deleted():
    school, admin = await prepopulated_school(pupils=2)
    subs = await subjects()
    deletion = await delete_targets(school.id, "KS4", 11, None, Actor(admin))
    target = await Target.filter(subject=subs["history"]).first()
    # Someone sets this one target again (another page clears its deletion).
    await Target.filter(id=target.id).update(deleted_at=None, deletion_id=None, grade="8")
    _, restored = await restore_deletion(school.id, deletion.id, Actor(admin))
    assert restored == 39
    assert (await Target.get(id=target.id)).grade == "8"


async def test_restore_refuses_other_schools_and_expired():
    school, admin = await prepopulated_school(pupils=1)
    other = await make_school()
    deletion = await delete_targets(school.id, "KS4", 11, None, Actor(admin))
    with pytest.raises(LookupError):
        await restore_deletion(other.id, deletion.id, Actor(admin))
    past = datetime.now(UTC) - timedelta(days=1)
    await TargetDeletion.filter(id=deletion.id).update(purge_after=past)
    assert await restorable_deletions(school.id) == []
    with pytest.raises(UserInputError) as error:
        await restore_deletion(school.id, deletion.id, Actor(admin))
    assert error.value.code == "RESTORE_EXPIRED"


async def test_purge_removes_deleted_targets_after_30_days():
    school, admin = await prepopulated_school(pupils=1)
    kept = await delete_targets(school.id, "KS4", 11, "maths", Actor(admin))
    old = await delete_targets(school.id, "KS4", 11, None, Actor(admin))
    assert await purge_expired() == 0
    later = datetime.now(UTC) + timedelta(days=30, minutes=1)
    await TargetDeletion.filter(id=kept.id).update(restored_at=datetime.now(UTC))
    assert await purge_expired(later) == 19
    assert await Target.filter(school=school).count() == 1  # the restored deletion's target
    assert await purge_expired(later) == 0
    assert await AuditEvent.filter(action="targets.purged", subject_id=str(old.id)).count() == 1



def test_purge_is_an_aspire_command():
    from server.cli import build_parser
    from server.commands.targets import purge_command

    assert build_parser().parse_args(["targets", "purge"]).func is purge_command
