"""The Targets page offers the school's own year groups and subject lists (issue 19 item 3):
a secondary never Years 3-6, a primary never 7-13; a subject outside the year's list is
refused with a message, never replaced by another."""

from __future__ import annotations

import re

import pytest

from server.models import Organisation
from server.models.enums import PupilAccess, Role
from tests.factories import make_local_authority, make_school, make_user, sign_in
from tests.targets.world import add_pupils, subjects


def offered_years(html: str) -> set[int]:
    select = re.search(r'<select[^>]*id="yearGroup".*?</select>', html, re.S).group(0)
    return {int(y) for y in re.findall(r'<option value="(\d+)"', select)}


def offered_subjects(html: str) -> list[str]:
    select = re.search(r'<select[^>]*id="subject".*?</select>', html, re.S).group(0)
    return [code for code in re.findall(r'<option value="([^"]*)"', select) if code]


@pytest.fixture
async def secondary():
    await subjects()
    school = await make_school(la=await make_local_authority())
    await add_pupils(school, 10, 3, surname="Ten")
    await add_pupils(school, 12, 3, surname="Twelve")
    return school


async def signed_in_teacher(client, school):
    await sign_in(client, await make_user(school, Role.DATA_MANAGER, PupilAccess.FULL))


async def test_a_secondary_school_is_offered_years_7_to_13_only(client, secondary):
    await signed_in_teacher(client, secondary)
    for path in ("/targets", "/targets/summary"):
        r = await client.get(path)
        assert r.status_code == 200, r.text
        assert offered_years(r.text) == set(range(7, 14)), path
        assert "KS2" not in re.search(r'id="yearGroup".*?</select>', r.text, re.S).group(0)


async def test_a_primary_school_is_offered_years_3_to_6_only(client, secondary):
    await Organisation.filter(id=secondary.id).update(phase="primary")
    await add_pupils(secondary, 6, 3, surname="Six")
    await signed_in_teacher(client, secondary)
    r = await client.get("/targets")
    assert r.status_code == 200, r.text
    assert offered_years(r.text) == {3, 4, 5, 6}
    assert 'value="6" selected' in r.text  # the default Year 10 is not taught here
    r = await client.get("/targets?yearGroup=10&subject=maths")
    assert r.status_code == 400
    assert "Year 10 is not taught at your school" in r.text and 'href="#yearGroup"' in r.text
    assert "Ten" not in r.text


async def test_a_subject_outside_the_year_groups_list_is_refused_not_replaced(client, secondary):
    await signed_in_teacher(client, secondary)
    r = await client.get("/targets?yearGroup=10&subject=maths")
    assert r.status_code == 200 and "Mathematics: Year 10" in r.text
    ks4_codes = offered_subjects(r.text)
    r = await client.get("/targets?yearGroup=12")
    ks5_codes = offered_subjects(r.text)
    outside = next(code for code in ks4_codes if code not in ks5_codes)
    # Without JavaScript: the year changed, the old subject went with the form.
    r = await client.get(f"/targets?yearGroup=12&subject={outside}")
    assert r.status_code == 400
    assert "is not one of Year 12&#39;s subjects: choose a subject from the list" in r.text
    assert 'href="#subject"' in r.text and 'aria-describedby="subject-error"' in r.text
    assert offered_subjects(r.text) == ks5_codes  # the list is Year 12's now
    assert "Twelve" not in r.text and "Ten" not in r.text  # no other subject's pupils instead
    r = await client.get("/targets?yearGroup=10&subject=no-such-subject")
    assert r.status_code == 400 and "Ten" not in r.text


async def test_changing_the_year_refreshes_the_subject_list_for_htmx(client, secondary):
    await signed_in_teacher(client, secondary)
    r = await client.get("/targets?yearGroup=10")
    assert 'hx-get="/targets/subjects"' in r.text and 'hx-target="#subject"' in r.text
    ks4 = offered_subjects(r.text)
    r = await client.get("/targets/subjects?yearGroup=12&subject=maths",
                         headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<select class="govuk-select" id="subject"')
    ks5 = offered_subjects(r.text)
    assert ks5 and ks5 != ks4
    if "maths" in ks5:
        assert 'value="maths" selected' in r.text  # kept when the new year has it too
    r = await client.get(f"/targets/subjects?yearGroup=12&subject={ks4[-1]}x")
    assert "Choose a subject" in r.text  # an old choice is never swapped for another
    assert (await client.get("/targets/subjects?yearGroup=5")).status_code == 400


async def test_key_stage_5_averages_show_the_grade_as_well_as_points(client):
    from tortoise.timezone import now

    from server.models import Target
    from server.models.enums import KeyStage

    await subjects()
    ks5 = await subjects(KeyStage.KS5)
    school = await make_school(la=await make_local_authority())
    pupils = await add_pupils(school, 12, 8, surname="Sixth", prior=6.0)
    subject = next(iter(ks5.values()))
    for pupil in pupils:
        await Target.create(school_id=school.id, pupil=pupil, subject=subject,
                            key_stage=subject.key_stage, year_group=12, grade="B", points=4.0,
                            prepopulated=False, updated_at=now())
    await signed_in_teacher(client, school)
    r = await client.get("/targets/summary?yearGroup=12")
    assert r.status_code == 200
    row = re.search(rf"{subject.name}<br>.*?</tr>", r.text, re.S).group(0)
    # An A level grade with its points, e.g. "B+ (4.6)", for the target and each benchmark.
    shown = re.findall(r"(A\*[+-]?|[A-EU][+-]?) <span class=\"govuk-body-s\">\((\d\.\d)\)</span>",
                       row)
    assert len(shown) == 4, row
    assert shown[0] == ("B-", "4.0")
