"""Value-added history: all-or-nothing import, upsert, last three years and the indicator."""

from __future__ import annotations

import pytest

from server.models import SchoolValueAdded
from server.services.accounts.audit import Actor
from server.services.estimates import model
from server.services.estimates.parameters import load_parameters
from server.services.pupils.value_added import (
    ValueAddedFileError,
    import_value_added,
    parse_academic_year,
    value_added_history,
)
from tests.factories import make_school

CLI = Actor.command_line()
HEADER = "Academic year,Key stage,Subject code or name,Value added,Pupils\n"


def test_academic_years():
    assert parse_academic_year("2025") == 2025
    assert parse_academic_year("2025/26") == 2025
    assert parse_academic_year("2025-2026") == 2025
    for bad in ("2025/27", "25/26", "last year"):
        with pytest.raises(ValueError):
            parse_academic_year(bad)


async def test_import_upserts_and_history_shows_the_last_three_years():
    school = await make_school()
    data = (HEADER + "2022/23,KS4,maths,0.9,150\n2023/24,KS4,Mathematics,0.2,160\n"
            "2024/25,KS4,maths,-0.1,170\n2025/26,KS4,maths,0.3,180\n"
            "2025/26,KS4,English Language,-0.4,181\n").encode()
    result = await import_value_added(school.id, data, CLI)
    assert (result.rows, result.created, result.updated) == (5, 5, 0)

    again = (HEADER + "2025/26,KS4,maths,0.5,182\n").encode()
    result = await import_value_added(school.id, again, CLI)
    assert (result.rows, result.created, result.updated) == (1, 0, 1)
    assert await SchoolValueAdded.filter(school=school).count() == 5
    latest = await SchoolValueAdded.get(school=school, academic_year=2025, subject__code="maths")
    assert (latest.value_added, latest.pupils) == (0.5, 182)

    history = {h.code: h for h in await value_added_history(school.id)}
    maths = history["maths"]
    assert [y.academic_year for y in maths.years] == [2023, 2024, 2025]
    assert [y.value_added for y in maths.years] == [0.2, -0.1, 0.5]
    su = load_parameters("KS4")["maths"].su
    assert maths.indicator == model.school_indicator([0.2, -0.1, 0.5], su)
    assert maths.indicator < 50  # better than average progress
    english = history["eng-lang"]
    assert [y.value_added for y in english.years] == [None, None, -0.4]
    assert english.indicator > 50


async def test_a_file_with_any_bad_row_changes_nothing():
    school = await make_school()
    data = (HEADER + "2025/26,KS4,maths,0.3,180\n2025/26,KS3,maths,0.1,10\n"
            "2025/26,KS4,Latin,0.1,10\n2025/26,KS4,physics,lots,0\n"
            "2025/26,KS4,maths,0.2,180\n").encode()
    with pytest.raises(ValueAddedFileError) as refused:
        await import_value_added(school.id, data, CLI)
    problems = [(p.row, p.field) for p in refused.value.problems]
    assert problems == [(3, "Key stage"), (4, "Subject"), (5, "Value added"), (5, "Pupils"),
                        (6, "Subject")]
    assert "nothing was imported" in refused.value.message
    assert await SchoolValueAdded.all().count() == 0
