"""The one place that answers: which schools, which year groups, what level of detail."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from tortoise.expressions import Q

from server.models.enums import OrganisationKind, PupilAccess


class Detail(IntEnum):
    NONE = 0
    AGGREGATE = 1  # aggregates; small groups suppressed
    AGGREGATE_UNSUPPRESSED = 2  # aggregates including small groups (full access to the school)
    PUPIL = 3  # pupil rows


@dataclass(frozen=True)
class Persona:
    """The facts about a viewer that scope decisions depend on."""

    organisation_id: int
    organisation_kind: OrganisationKind
    is_administrator: bool
    pupil_access: PupilAccess | None


@dataclass(frozen=True)
class SchoolSharing:
    """A school and its sharing settings for one key stage and year group."""

    school_id: int
    local_authority_id: int | None
    academy_chain_id: int | None
    pupil_level_with_la: bool = False
    aggregate_with_la: bool = False
    aggregate_with_chain: bool = False


def relation(persona: Persona, school: SchoolSharing) -> str:
    """How the viewer's organisation stands to the school: own, la, chain or none."""
    kind = persona.organisation_kind
    if kind == OrganisationKind.SCHOOL and persona.organisation_id == school.school_id:
        return "own"
    if kind == OrganisationKind.LOCAL_AUTHORITY and persona.organisation_id == school.local_authority_id:
        return "la"
    if kind == OrganisationKind.ACADEMY_CHAIN and persona.organisation_id == school.academy_chain_id:
        return "chain"
    return "none"


def target_detail(persona: Persona, school: SchoolSharing) -> Detail:
    """What a user may read of a school's targets for one year group.

    Administrators read no targets: an administrator who wants reports has a user account.
    """
    if persona.is_administrator:
        return Detail.NONE
    full = persona.pupil_access == PupilAccess.FULL
    match relation(persona, school):
        case "own":
            return Detail.PUPIL if full else Detail.AGGREGATE
        case "la":
            if school.pupil_level_with_la:
                return Detail.PUPIL if full else Detail.AGGREGATE
            return Detail.AGGREGATE if school.aggregate_with_la else Detail.NONE
        case "chain":
            return Detail.AGGREGATE if school.aggregate_with_chain else Detail.NONE
    return Detail.NONE


def sets_targets(persona: Persona | None, school_id: int) -> bool:
    """Only a school's own users with full pupil access set or change its targets."""
    return bool(
        persona
        and not persona.is_administrator
        and persona.organisation_kind == OrganisationKind.SCHOOL
        and persona.organisation_id == school_id
        and persona.pupil_access == PupilAccess.FULL
    )


def sees_small_groups(detail: Detail) -> bool:
    return detail >= Detail.AGGREGATE_UNSUPPRESSED


@dataclass(frozen=True)
class Scope:
    persona: Persona | None

    def schools_q(self) -> Q:
        """Organisations (schools) the viewer may see anything of."""
        persona = self.persona
        if persona is None:
            return Q(id=-1)
        school = Q(kind=OrganisationKind.SCHOOL)
        match persona.organisation_kind:
            case OrganisationKind.SCHOOL:
                return school & Q(id=persona.organisation_id)
            case OrganisationKind.LOCAL_AUTHORITY:
                return school & Q(local_authority_id=persona.organisation_id)
            case OrganisationKind.ACADEMY_CHAIN:
                return school & Q(academy_chain_id=persona.organisation_id)
            case OrganisationKind.OPERATOR:
                return school
        return Q(id=-1)

    def target_detail(self, school: SchoolSharing) -> Detail:
        return target_detail(self.persona, school) if self.persona else Detail.NONE

    def administers(self, organisation_id: int) -> bool:
        persona = self.persona
        return bool(persona and persona.is_administrator and persona.organisation_id == organisation_id)


def scope(viewer) -> Scope:
    account = getattr(viewer, "account", None)
    if account is None or not viewer.is_authenticated:
        return Scope(None)
    return Scope(
        Persona(
            organisation_id=account.organisation_id,
            organisation_kind=account.organisation.kind,
            is_administrator=account.is_administrator,
            pupil_access=account.pupil_access,
        )
    )
