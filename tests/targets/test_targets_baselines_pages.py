"""The pupil targets page flags estimates made from a standardised score, lists the pupils
with neither a KS2 result nor a score, and takes a score one pupil at a time (no JavaScript
needed); the export and the subject summary say so too."""

from __future__ import annotations

import csv
import io

import pytest

from server.models import Pupil, Target
from server.models.enums import Editing, Prepopulate, PupilAccess, Role
from tests.factories import make_school, make_user, sign_in
from tests.targets.world import add_pupils, share, subjects


@pytest.fixture
async def school():
    await subjects()
    school = await make_school()
    await add_pupils(school, 10, 3, surname="Known")
    school.fallback_, school.neither_ = await add_pupils(school, 10, 2, surname="New", prior=None)
    await Pupil.filter(id=school.fallback_.id).update(standardised_score=88.0)
    settings = await share(school, 10, editing=Editing.YES)
    settings.prepopulate = Prepopulate.BENCHMARK
    await settings.save()
    return school


async def test_the_page_flags_the_fallback_and_lists_the_pupil_with_neither(client, school):
    await sign_in(client, await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL))
    r = await client.get("/targets?yearGroup=10&subject=maths")
    assert r.status_code == 200, r.text
    assert "Standardised score 88.0" in r.text
    assert "estimated from a standardised score, not a KS2 result" in r.text
    assert "No baseline" in r.text and "so no estimate" in r.text
    listed = r.text[r.text.index('id="without-baseline"'):r.text.index('id="on-score-title"')]
    assert school.neither_.upn in listed and school.fallback_.upn not in listed
    assert f'id="score-{school.neither_.upn}"' in listed
    assert "style=" not in r.text


async def test_entering_a_score_without_javascript(client, school):
    await sign_in(client, await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL))
    pupil = school.neither_
    form = {"csrftoken": client.cookies.get("csrftoken"), "upn": pupil.upn, "score": "171",
            "yearGroup": "10", "subject": "maths"}
    r = await client.post("/targets/standardised-score", data=form)
    assert r.status_code == 400
    assert "There is a problem" in r.text and "from 60 to 140" in r.text
    assert f'href="#score-{pupil.upn}"' in r.text and f'id="score-{pupil.upn}-error"' in r.text
    assert 'value="171"' in r.text
    assert await Pupil.get(id=pupil.id).values_list("standardised_score", flat=True) is None
    r = await client.post("/targets/standardised-score", data=form | {"score": "112"})
    assert r.status_code == 303
    assert r.headers["location"].startswith("/targets?yearGroup=10&subject=maths")
    assert await Target.filter(pupil_id=pupil.id).count() > 0  # pre-populated now
    r = await client.get(r.headers["location"])
    assert f"Standardised score saved for {pupil.upn}" in r.text
    assert "Every pupil in Year 10 has a baseline." in r.text


async def test_a_teacher_sees_the_list_but_cannot_enter_a_score(client, school):
    await sign_in(client, await make_user(school, Role.TEACHER, PupilAccess.FULL))
    r = await client.get("/targets?yearGroup=10&subject=maths")
    assert school.neither_.upn in r.text
    assert 'action="/targets/standardised-score"' not in r.text
    r = await client.post("/targets/standardised-score", data={
        "csrftoken": client.cookies.get("csrftoken"), "upn": school.neither_.upn,
        "score": "100", "yearGroup": "10"})
    assert r.status_code == 403
    assert await Pupil.get(id=school.neither_.id).values_list("standardised_score",
                                                              flat=True) is None


async def test_the_export_has_a_baseline_column_and_the_summary_counts_fallbacks(client, school):
    await sign_in(client, await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL))
    r = await client.get("/targets/export.csv?yearGroup=10")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    by_upn = {row["UPN"]: row["Baseline"] for row in rows}
    assert by_upn[school.fallback_.upn] == "Standardised score (fallback baseline)"
    assert by_upn[school.neither_.upn] == "None (no estimate)"
    assert set(by_upn.values()) == {"KS2 result", "Standardised score (fallback baseline)",
                                    "None (no estimate)"}
    assert all(row["Estimate"] == "" for row in rows if row["UPN"] == school.neither_.upn)
    r = await client.get("/targets/summary?yearGroup=10")
    assert r.status_code == 200
    assert "1 on a standardised score" in r.text
