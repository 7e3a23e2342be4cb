"""The scope function over a matrix of personas and schools' sharing settings."""

import itertools

import pytest

from server.models.enums import OrganisationKind as Kind
from server.models.enums import PupilAccess
from server.permissions.scope import Detail, Persona, SchoolSharing, relation, sees_small_groups, target_detail

SCHOOL, OTHER_SCHOOL, LA, OTHER_LA, CHAIN, OTHER_CHAIN, OPERATOR = 1, 2, 10, 11, 20, 21, 30


def persona(org, kind, access=PupilAccess.FULL, admin=False):
    return Persona(organisation_id=org, organisation_kind=kind, is_administrator=admin,
                   pupil_access=None if admin else access)


PERSONAS = {
    "school full user": persona(SCHOOL, Kind.SCHOOL),
    "school aggregate user": persona(SCHOOL, Kind.SCHOOL, PupilAccess.AGGREGATE),
    "school administrator": persona(SCHOOL, Kind.SCHOOL, admin=True),
    "other school full user": persona(OTHER_SCHOOL, Kind.SCHOOL),
    "LA full officer": persona(LA, Kind.LOCAL_AUTHORITY),
    "LA aggregate officer": persona(LA, Kind.LOCAL_AUTHORITY, PupilAccess.AGGREGATE),
    "LA administrator": persona(LA, Kind.LOCAL_AUTHORITY, admin=True),
    "other LA full officer": persona(OTHER_LA, Kind.LOCAL_AUTHORITY),
    "chain officer": persona(CHAIN, Kind.ACADEMY_CHAIN, PupilAccess.AGGREGATE),
    "chain officer wrongly given full": persona(CHAIN, Kind.ACADEMY_CHAIN),
    "other chain officer": persona(OTHER_CHAIN, Kind.ACADEMY_CHAIN, PupilAccess.AGGREGATE),
    "operator": persona(OPERATOR, Kind.OPERATOR, admin=True),
}


def sharing(pupil_level=False, aggregate_la=False, chain=False):
    return SchoolSharing(SCHOOL, LA, CHAIN, pupil_level, aggregate_la, chain)


SHARING = {
    "nothing": sharing(),
    "pupil-level with LA": sharing(pupil_level=True, aggregate_la=True),
    "aggregate with LA": sharing(aggregate_la=True),
    "aggregate with chain": sharing(chain=True),
    "everything": sharing(True, True, True),
}

N, A, P = Detail.NONE, Detail.AGGREGATE, Detail.PUPIL
EXPECTED = {
    #                                   nothing  pupil  agg-LA chain  everything
    "school full user":                 (P,      P,     P,     P,     P),
    "school aggregate user":            (A,      A,     A,     A,     A),
    "school administrator":             (N,      N,     N,     N,     N),
    "other school full user":           (N,      N,     N,     N,     N),
    "LA full officer":                  (N,      P,     A,     N,     P),
    "LA aggregate officer":             (N,      A,     A,     N,     A),
    "LA administrator":                 (N,      N,     N,     N,     N),
    "other LA full officer":            (N,      N,     N,     N,     N),
    "chain officer":                    (N,      N,     N,     A,     A),
    "chain officer wrongly given full": (N,      N,     N,     A,     A),
    "other chain officer":              (N,      N,     N,     N,     N),
    "operator":                         (N,      N,     N,     N,     N),
}


@pytest.mark.parametrize(
    ("who", "shared"), list(itertools.product(PERSONAS, SHARING)),
)
def test_target_detail_matrix(who, shared):
    expected = EXPECTED[who][list(SHARING).index(shared)]
    assert target_detail(PERSONAS[who], SHARING[shared]) == expected


def test_pupil_level_with_la_alone_still_gives_aggregates():
    only_pupil_flag = SchoolSharing(SCHOOL, LA, CHAIN, pupil_level_with_la=True)
    assert target_detail(PERSONAS["LA aggregate officer"], only_pupil_flag) == Detail.AGGREGATE


def test_small_groups_only_for_full_access_to_the_school():
    assert sees_small_groups(target_detail(PERSONAS["school full user"], SHARING["nothing"]))
    assert not sees_small_groups(target_detail(PERSONAS["school aggregate user"], SHARING["nothing"]))
    assert not sees_small_groups(target_detail(PERSONAS["LA full officer"], SHARING["aggregate with LA"]))
    assert sees_small_groups(target_detail(PERSONAS["LA full officer"], SHARING["pupil-level with LA"]))


def test_relation():
    assert relation(PERSONAS["school full user"], SHARING["nothing"]) == "own"
    assert relation(PERSONAS["LA full officer"], SHARING["nothing"]) == "la"
    assert relation(PERSONAS["chain officer"], SHARING["nothing"]) == "chain"
    assert relation(PERSONAS["other LA full officer"], SHARING["nothing"]) == "none"


async def test_schools_visible_per_persona():
    from server.models import Organisation
    from server.permissions.scope import Scope
    from tests.factories import make_chain, make_local_authority, make_school

    la, other_la = await make_local_authority(), await make_local_authority()
    chain = await make_chain()
    a = await make_school(la=la, chain=chain)
    b = await make_school(la=other_la, chain=chain)
    c = await make_school(la=la)

    async def visible(p):
        return set(await Organisation.filter(Scope(p).schools_q()).values_list("id", flat=True))

    assert await visible(persona(a.id, Kind.SCHOOL)) == {a.id}
    assert await visible(persona(la.id, Kind.LOCAL_AUTHORITY)) == {a.id, c.id}
    assert await visible(persona(chain.id, Kind.ACADEMY_CHAIN, PupilAccess.AGGREGATE)) == {a.id, b.id}
    assert await visible(persona(other_la.id, Kind.LOCAL_AUTHORITY)) == {b.id}
    assert await Organisation.filter(Scope(None).schools_q()).count() == 0
