"""Pages ask the schema what the viewer may do (viewer { may… }) instead of re-deriving the
rules from the organisation kind; the rules live in server/permissions."""

from __future__ import annotations

import pytest

from server.models.enums import PupilAccess, Role
from tests.factories import (
    api_token,
    graphql,
    make_administrator,
    make_local_authority,
    make_school,
    make_user,
)

MAY = "{ viewer { mayManageTargetSetting mayImportPupils } }"


@pytest.mark.parametrize(("who", "manages", "imports"), [
    ("school administrator", True, True),
    ("LA administrator", False, False),
    ("school data manager with full access", False, True),
    ("school teacher", False, False),
])
async def test_viewer_may(client, who, manages, imports):
    la = await make_local_authority()
    school = await make_school(la=la)
    account = {
        "school administrator": lambda: make_administrator(school),
        "LA administrator": lambda: make_administrator(la),
        "school data manager with full access":
            lambda: make_user(school, Role.DATA_MANAGER, PupilAccess.FULL),
        "school teacher": lambda: make_user(school, Role.TEACHER, PupilAccess.FULL),
    }[who]
    token = None
    made = await account()
    if not made.is_administrator:
        token = await api_token(made)
    else:
        from tests.factories import sign_in
        await sign_in(client, made)
    r = await graphql(client, MAY, token=token)
    assert r.json()["data"]["viewer"] == {"mayManageTargetSetting": manages,
                                          "mayImportPupils": imports}, r.text
