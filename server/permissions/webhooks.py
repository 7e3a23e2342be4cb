"""Who may register change notifications, and which schools may notify whom (issue 15 item 3).

A webhook or subscription belongs to a local authority or academy chain, made by one of its
active users (administrators read no targets, so they register none). A school notifies an
organisation about a key stage only while at least one year group of it shares its targets
with that organisation (aggregate or pupil level): the same rule as reading them.
"""

from __future__ import annotations

from server.models.enums import AccountKind, AccountStatus, OrganisationKind
from server.permissions.scope import Detail, Persona, SchoolSharing, target_detail

OUTSIDE_KINDS = (OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.ACADEMY_CHAIN)


def may_register_webhooks(account) -> bool:
    return bool(
        account is not None
        and account.kind == AccountKind.USER
        and account.status == AccountStatus.ACTIVE
        and account.organisation.kind in OUTSIDE_KINDS
    )


def outside_persona(organisation_id: int, organisation_kind: OrganisationKind) -> Persona:
    """The organisation as a reader of aggregates: what any of its users may at least see."""
    return Persona(organisation_id=organisation_id, organisation_kind=organisation_kind,
                   is_administrator=False, pupil_access=None)


def year_group_notifies(organisation_id: int, organisation_kind: OrganisationKind,
                        sharing: SchoolSharing) -> bool:
    """Whether this year group's changes may be told to the organisation."""
    persona = outside_persona(organisation_id, organisation_kind)
    return target_detail(persona, sharing) >= Detail.AGGREGATE
