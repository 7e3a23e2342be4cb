"""The statement counter that pins SQL per operation."""

from server.models import Organisation
from server.observability import count_sql
from tests.factories import api_token, graphql, make_local_authority, make_school, make_user


async def test_counter_counts_statements():
    with count_sql() as counted:
        await Organisation.all()
        await Organisation.filter(id=1).count()
    assert counted.value == 2


async def test_schools_query_statements_do_not_grow_with_schools(client):
    la = await make_local_authority()
    officer = await make_user(la, role=None)
    token = await api_token(officer)
    query = ("{ schools(first: 100) { totalCount edges { node { name localAuthority { name } "
             "academyChain { name } } } } }")

    async def statements():
        with count_sql() as counted:
            r = await graphql(client, query, token=token)
        assert "errors" not in r.json()
        return counted.value

    await make_school(la=la)
    await statements()  # the token's first use also records last_used_at
    few = await statements()
    for _ in range(6):
        await make_school(la=la)
    assert await statements() == few
