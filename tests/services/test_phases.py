"""A school is offered the year groups of its phase, never another phase's."""

import pytest

from server.models.enums import KeyStage
from server.services.phases import key_stages_for, year_groups_for


@pytest.mark.parametrize(("phase", "years"), [
    ("primary", (3, 4, 5, 6)),
    ("Primary", (3, 4, 5, 6)),
    ("secondary", (7, 8, 9, 10, 11, 12, 13)),
    ("Middle deemed secondary", (7, 8, 9, 10, 11)),
    ("sixth form", (12, 13)),
    ("16 plus", (12, 13)),
    ("all-through", (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)),
    (None, (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)),
])
def test_year_groups_follow_the_phase(phase, years):
    assert year_groups_for(phase) == years


def test_a_secondary_is_never_offered_key_stage_2_nor_a_primary_key_stage_4():
    assert KeyStage.KS2 not in key_stages_for("secondary")
    assert set(key_stages_for("primary")) == {KeyStage.KS2}
