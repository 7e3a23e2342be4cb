"""The school's audit page speaks of outside reads in people's words (issue 19 item 4): who
(the LA by name), what (key stage, year group, subject names, how many pupils) and how (a
page, an export, an API token by name), not internal codes."""

from __future__ import annotations

from server.models.enums import Editing, PupilAccess, Role
from tests.factories import (
    api_token,
    graphql,
    make_administrator,
    make_local_authority,
    make_school,
    make_user,
    sign_in,
)
from tests.targets.world import add_pupils, share, subjects

PUPILS = """query P($urn: String!) { pupilTargets(schoolUrn: $urn, keyStage: KS4, yearGroup: 10,
            subjectCode: "maths") { totalCount } }"""


async def test_outside_reads_are_described_in_peoples_words(client):
    await subjects()
    la = await make_local_authority(name="Northshire Council")
    school = await make_school(la=la)
    await add_pupils(school, 10, 4, surname="Audit")
    await share(school, 10, pupil_la=True, editing=Editing.YES)
    officer = await make_user(la, Role.OFFICER, PupilAccess.FULL)
    token = await api_token(officer, name="LA dashboard")
    r = await graphql(client, PUPILS, {"urn": school.urn}, token=token)
    assert r.json()["data"]["pupilTargets"]["totalCount"] == 4, r.text
    await sign_in(client, officer)
    assert (await client.get(f"/outside/pupils?school={school.urn}&yearGroup=10&subject=maths")
            ).status_code == 200

    admin = await make_administrator(school)
    client.cookies.clear()
    await sign_in(client, admin)
    r = await client.get("/admin/audit")
    assert r.status_code == 200, r.text
    page = r.text
    assert f"{officer.forename} {officer.surname}" in page and "Northshire Council" in page
    assert "Read pupils&#39; targets (4 pupils)" in page
    assert "Key stage 4, Year 10: Mathematics" in page
    assert "API token “LA dashboard”" in page and "Page, signed in on the site" in page
    for code in ("targets.pupil_read", "KS4-Y10", "year_group", ">token<", "pupil_ids"):
        assert code not in page, code
