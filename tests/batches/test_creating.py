"""Create users: exactly once, amber only when confirmed, red rows stay; batch statuses."""

from __future__ import annotations

import asyncio

import pytest

from server.models import Account, Activation, AdministratorSlot, AuditEvent, Batch, BatchRow
from server.models.enums import AccountKind, AccountStatus, BatchKind, BatchStatus
from server.services.accounts.audit import Actor
from server.services.batches.creating import create_users
from server.services.batches.store import (
    RowInputError,
    delete_batch,
    remaining_rows,
    remove_row,
    restore_batch,
    update_row,
)
from server.services.errors import UserInputError
from tests.batches import files
from tests.batches.helpers import batch_of
from tests.factories import make_administrator, make_school


async def setup(rows, kind=BatchKind.USERS):
    school = await make_school()
    admin = await make_administrator(school)
    batch = await batch_of(admin, rows, kind)
    return school, admin, batch


async def test_valid_rows_become_pending_accounts_and_red_and_unconfirmed_amber_rows_stay():
    rows = [files.person(1), files.person(2, "Governor", files.FULL), ["", "Lee", "x", "Teacher", "full"]]
    school, admin, batch = await setup(rows)
    result = await create_users(Actor(account=admin), school, batch.id, batch.version, False)
    assert [a.email for a in result.created] == ["person1@school.example.org"]
    assert result.not_confirmed == 1
    account = result.created[0]
    assert account.status == AccountStatus.PENDING and account.kind == AccountKind.USER
    assert account.created_by_id == admin.id
    assert await Activation.filter(account_id=account.id).exists()
    assert result.batch.status == BatchStatus.PARTIALLY_PROCESSED
    assert result.batch.created_count == 1
    assert [r.row_number for r in await remaining_rows(batch.id)] == [3, 4]

    # The amber row with the box ticked; the red row still stays.
    result = await create_users(Actor(account=admin), school, batch.id, result.batch.version, True)
    assert [(a.email, a.pupil_access.value) for a in result.created] == [
        ("person2@school.example.org", "full")]
    assert [r.row_number for r in await remaining_rows(batch.id)] == [4]
    assert result.batch.status == BatchStatus.PARTIALLY_PROCESSED

    # Fix the red row in place, then nothing is left: Processed.
    row = (await remaining_rows(batch.id))[0]
    await update_row(Actor(account=admin), school, batch.id, row.id,
                     {"forename": "Cy", "surname": "Lee", "email": "cy@school.example.org",
                      "role": "Teacher", "pupilAccess": "aggregate"})
    batch = await Batch.get(id=batch.id)
    result = await create_users(Actor(account=admin), school, batch.id, batch.version, False)
    assert len(result.created) == 1
    assert result.batch.status == BatchStatus.PROCESSED
    assert result.batch.created_count == 3
    assert await Account.filter(organisation=school, kind=AccountKind.USER).count() == 3
    assert await AuditEvent.filter(action="batch.users_created").count() == 3


async def test_a_second_click_with_the_same_version_creates_nothing():
    school, admin, batch = await setup(files.rows_of_people(3))
    await create_users(Actor(account=admin), school, batch.id, batch.version, False)
    with pytest.raises(UserInputError) as caught:
        await create_users(Actor(account=admin), school, batch.id, batch.version, False)
    assert caught.value.code == "STALE"
    assert await Account.filter(kind=AccountKind.USER).count() == 3


@pytest.mark.parametrize("same_version", [True, False])
async def test_concurrent_creates_make_each_account_exactly_once(same_version):
    school, admin, batch = await setup(files.rows_of_people(20))
    other = await make_administrator(school)

    async def press(who, version):
        try:
            return await create_users(Actor(account=who), school, batch.id, version, True)
        except UserInputError as error:
            return error

    versions = (batch.version, batch.version) if same_version else (batch.version, batch.version + 1)
    outcomes = await asyncio.gather(press(admin, versions[0]), press(other, versions[1]),
                                    press(admin, versions[0]))
    made = [o for o in outcomes if not isinstance(o, UserInputError)]
    assert sum(len(o.created) for o in made) == 20
    assert all(o.code == "STALE" for o in outcomes if isinstance(o, UserInputError))
    assert await Account.filter(kind=AccountKind.USER).count() == 20
    assert await BatchRow.filter(batch_id=batch.id, created_account_id=None).count() == 0
    claimed = await BatchRow.filter(batch_id=batch.id).values_list("created_account_id", flat=True)
    assert len(set(claimed)) == 20
    batch = await Batch.get(id=batch.id)
    assert batch.status == BatchStatus.PROCESSED and batch.created_count == 20


async def test_concurrent_administrator_batches_never_break_the_limit():
    school = await make_school()
    admin = await make_administrator(school)  # one of two slots used
    first = await batch_of(admin, [["Ann", "Lee", "ann@school.example.org"]],
                           BatchKind.ADMINISTRATORS)
    second = await batch_of(admin, [["Bo", "Khan", "bo@school.example.org"]],
                            BatchKind.ADMINISTRATORS)
    results = await asyncio.gather(
        create_users(Actor(account=admin), school, first.id, first.version, False),
        create_users(Actor(account=admin), school, second.id, second.version, False),
    )
    assert sum(len(r.created) for r in results) == 1
    assert await AdministratorSlot.filter(organisation=school).count() == 2
    left = [r for r in results if not r.created][0]
    assert left.batch.status == BatchStatus.PARTIALLY_PROCESSED


async def test_edit_refuses_red_fields_and_saves_nothing():
    school, admin, batch = await setup([files.person(1), files.person(2)])
    rows = await remaining_rows(batch.id)
    with pytest.raises(RowInputError) as caught:
        await update_row(Actor(account=admin), school, batch.id, rows[0].id,
                         {"forename": "X" * 51, "surname": "Lee", "email": rows[1].email,
                          "role": "Teacher", "pupilAccess": "full"})
    assert {(p.field, p.code) for p in caught.value.problems} == {
        ("forename", "TOO_LONG"), ("email", "DUPLICATE_IN_FILE")}
    again = await BatchRow.get(id=rows[0].id)
    assert again.forename == "Forename1"
    assert (await Batch.get(id=batch.id)).version == batch.version


async def test_an_edit_after_the_page_was_shown_makes_create_stale():
    school, admin, batch = await setup([files.person(1), ["", "", "", "", ""] + ["x"]])
    row = (await remaining_rows(batch.id))[0]
    await update_row(Actor(account=admin), school, batch.id, row.id,
                     {"forename": "Ann", "surname": "Lee", "email": "ann@school.example.org",
                      "role": "Governor", "pupilAccess": "full"})
    with pytest.raises(UserInputError) as caught:
        await create_users(Actor(account=admin), school, batch.id, batch.version, True)
    assert caught.value.code == "STALE"
    assert await Account.filter(kind=AccountKind.USER).count() == 0


async def test_deleting_rows_and_batches_and_restoring():
    school, admin, batch = await setup([files.person(1), files.person(2)])
    rows = await remaining_rows(batch.id)
    await create_users(Actor(account=admin), school, batch.id, batch.version, False)
    batch = await Batch.get(id=batch.id)
    assert batch.status == BatchStatus.PROCESSED

    school2, admin2, other = await setup([files.person(3), ["Bad", "", "", "", ""]])
    bad = (await remaining_rows(other.id))[1]
    changed = await remove_row(Actor(account=admin2), school2, other.id, bad.id)
    assert changed.status == BatchStatus.PARTIALLY_PROCESSED  # row 2 is still there
    with pytest.raises(UserInputError) as caught:
        await remove_row(Actor(account=admin2), school2, other.id, bad.id)
    assert caught.value.code == "GONE"

    deleted = await delete_batch(Actor(account=admin), school, batch.id)
    assert deleted.status == BatchStatus.DELETED and deleted.deleted_at is not None
    assert await Account.filter(id__in=[r.created_account_id for r in
                                        await BatchRow.filter(batch_id=batch.id)]).count() == 2
    with pytest.raises(UserInputError):
        await update_row(Actor(account=admin), school, batch.id, rows[0].id, {})
    restored = await restore_batch(Actor(account=admin), school, batch.id)
    assert restored.status == BatchStatus.PROCESSED
    assert await AuditEvent.filter(action__in=["batch.deleted", "batch.restored"]).count() == 2


async def test_another_organisations_batch_is_not_found():
    school, admin, batch = await setup([files.person(1)])
    stranger_school = await make_school()
    stranger = await make_administrator(stranger_school)
    for attempt in (
        create_users(Actor(account=stranger), stranger_school, batch.id, batch.version, True),
        delete_batch(Actor(account=stranger), stranger_school, batch.id),
    ):
        with pytest.raises(UserInputError) as caught:
            await attempt
        assert caught.value.code == "NOT_FOUND"
    assert await Account.filter(kind=AccountKind.USER).count() == 0


async def test_a_failing_email_never_loses_the_created_accounts(monkeypatch):
    from server.services.batches import creating

    async def broken(account_id):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(creating, "send_verification", broken)
    school, admin, batch = await setup(files.rows_of_people(2))
    result = await create_users(Actor(account=admin), school, batch.id, batch.version, False)
    assert len(result.created) == 2
    assert await Account.filter(kind=AccountKind.USER, status=AccountStatus.PENDING).count() == 2


async def test_verification_emails_go_after_the_commit(monkeypatch):
    from server.services.batches import creating

    seen = []

    async def record_send(account_id):
        # The account is committed and visible before its email is sent.
        seen.append(await Account.filter(id=account_id).exists())
        return True

    monkeypatch.setattr(creating, "send_verification", record_send)
    school, admin, batch = await setup(files.rows_of_people(3))
    await create_users(Actor(account=admin), school, batch.id, batch.version, False)
    assert seen == [True, True, True]
