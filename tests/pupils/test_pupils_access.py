"""Who may import pupils: the school's administrators and full-access Data Managers."""

from __future__ import annotations

from server.models import Account
from server.models.enums import AccountStatus, PupilAccess, Role
from server.permissions.pupils import may_import_pupils, may_manage_school_years
from tests.factories import make_administrator, make_local_authority, make_school, make_user


async def loaded(account: Account) -> Account:
    return await Account.get(id=account.id).select_related("organisation")


async def test_who_may_import_pupils():
    school, other = await make_school(), await make_school()
    admin = await loaded(await make_administrator(school))
    manager = await loaded(await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL))
    aggregate = await loaded(await make_user(school, Role.DATA_MANAGER, PupilAccess.AGGREGATE))
    teacher = await loaded(await make_user(school, Role.TEACHER, PupilAccess.FULL))
    other_admin = await loaded(await make_administrator(other))
    pending = await loaded(await make_administrator(school, status=AccountStatus.PENDING))
    la = await make_local_authority()
    officer = await loaded(await make_user(la, Role.OFFICER, PupilAccess.FULL))

    assert may_import_pupils(admin, school.id) and may_manage_school_years(admin, school.id)
    assert may_import_pupils(manager, school.id)
    assert not may_manage_school_years(manager, school.id)
    for refused in (aggregate, teacher, other_admin, pending, officer, None):
        assert not may_import_pupils(refused, school.id)
        assert not may_manage_school_years(refused, school.id)
    assert may_import_pupils(other_admin, other.id)
