from __future__ import annotations

from server.models import Organisation
from server.permissions.checks import may_manage_target_setting, require_account, viewer_scope
from server.permissions.pupils import may_import_pupils
from server.permissions.sharing import may_see_sharing
from server.schema.enums import PupilAccess
from server.schema.organisations import Organisation as OrganisationType
from server.schema.organisations import School, SchoolConnection, Viewer
from server.schema.pagination import PageInfo, edges_for, encode_cursor, page_window


def viewer(context) -> Viewer:
    return viewer_of(require_account(context))


def viewer_of(account) -> Viewer:
    return Viewer(
        username=account.login_name,
        forename=account.forename,
        surname=account.surname,
        organisation=OrganisationType.from_model(account.organisation),
        is_administrator=account.is_administrator,
        role=None if account.is_administrator or account.role is None else account.role.value,
        pupil_access=(
            None
            if account.is_administrator or account.pupil_access is None
            else PupilAccess(account.pupil_access.value)
        ),
        may_manage_target_setting=may_manage_target_setting(account),
        may_import_pupils=may_import_pupils(account, account.organisation_id),
        may_see_sharing=may_see_sharing(account),
    )


async def schools(context, first: int, after: str | None) -> SchoolConnection:
    scope = viewer_scope(context)
    start, size = page_window(first, after)
    query = Organisation.filter(scope.schools_q())
    total = await query.count()
    rows = await query.order_by("name", "id").offset(start).limit(size)
    for row in rows:
        context.loaders.organisation_by_id.prime(row.id, row)
    end = start + len(rows) - 1
    return SchoolConnection(
        edges=edges_for([School.from_model(r) for r in rows], start),
        page_info=PageInfo(
            has_next_page=start + len(rows) < total,
            end_cursor=encode_cursor(end) if rows else None,
        ),
        total_count=total,
    )
