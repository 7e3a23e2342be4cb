import pytest

from server.services.estimates.levels import KeyStage
from server.services.estimates.parameters import load_parameters
from server.services.estimates.scales import GCSE_9_1, GCSE_A_G, KS2_BAND, KS2_SCALED_SCORE
from server.services.estimates.subjects import default_subjects, get_subject, subjects_for

MANAGE_SUBJECTS_SCREEN = [
    "Art and Design", "Biology", "Business Studies", "Chemistry", "Design and Technology",
    "English Language", "English Literature", "French", "Geography", "German", "History",
    "ICT", "Mathematics", "Music", "PE", "Physics", "Religious Studies",
    "Science Additional", "Science Core", "Spanish",
]  # fmt: skip


def test_ks4_defaults_are_the_twenty_of_the_manage_subjects_screen():
    assert [s.name for s in subjects_for("KS4")] == MANAGE_SUBJECTS_SCREEN
    assert [s.name for s in default_subjects(KeyStage.KS4)] == MANAGE_SUBJECTS_SCREEN


def test_ks4_subjects_are_graded_nine_to_one_or_a_star_to_g():
    maths = get_subject("KS4", "maths")
    assert maths.scale is GCSE_9_1
    assert maths.scale_for("A*-G") is GCSE_A_G
    with pytest.raises(ValueError):
        get_subject("KS5", "maths").scale_for("9-1")


def test_ks2_subjects_and_writing_as_a_band():
    assert [s.code for s in subjects_for("KS2")] == ["reading", "writing", "maths", "gps"]
    assert get_subject("KS2", "writing").scale is KS2_BAND
    assert get_subject("KS2", "reading").scale is KS2_SCALED_SCORE


def test_ks5_has_a_realistic_a_level_list_with_some_not_ticked():
    ks5 = subjects_for("KS5")
    assert 12 <= len(ks5) <= 20
    assert 0 < len(default_subjects("KS5")) < len(ks5)


def test_codes_are_unique_slugs_within_a_key_stage():
    for ks in KeyStage:
        codes = [s.code for s in subjects_for(ks)]
        assert len(codes) == len(set(codes))
        assert all(c == c.lower() and " " not in c for c in codes)


@pytest.mark.parametrize("key_stage", list(KeyStage))
def test_every_subject_has_shipped_parameters_with_sources(key_stage):
    parameters = load_parameters(key_stage)
    assert parameters.version == "2026.2"
    for subject in subjects_for(key_stage):
        p = parameters[subject.code]
        assert set(p.source) >= {"a", "b1", "b2", "g", "d", "su", "se", "pa_mean"}
        assert p.shape_from is None or p.shape_from in parameters.subjects or "all" in p.shape_from
