import numpy as np
import pytest

from server.services.errors import UserInputError
from server.services.estimates.scales import (
    A_LEVEL,
    GCSE_9_1,
    GCSE_A_G,
    KS2_BAND,
    KS2_SCALED_SCORE,
    convert_grade,
    convert_grades,
    get_scale,
)


@pytest.mark.parametrize(
    ("scale", "points", "grade"),
    [
        (GCSE_9_1, 5.4, "5"),
        (GCSE_9_1, 5.0, "5"),
        (GCSE_9_1, 4.999, "4"),
        (GCSE_9_1, 0.99, "U"),
        (GCSE_9_1, 9.99, "9"),
        (GCSE_A_G, 8.5, "A*"),
        (GCSE_A_G, 8.49, "A"),
        (GCSE_A_G, 4.0, "C"),
        (GCSE_A_G, 1.49, "G"),
        (GCSE_A_G, 0.5, "U"),
        (A_LEVEL, 6.0, "A*"),
        (A_LEVEL, 1.0, "E"),
        (A_LEVEL, 0.99, "U"),
        (KS2_SCALED_SCORE, 104.7, "104"),
        (KS2_SCALED_SCORE, 80.0, "80"),
        (KS2_BAND, 99.9, "WTS"),
        (KS2_BAND, 100.0, "EXS"),
        (KS2_BAND, 109.9, "EXS"),
        (KS2_BAND, 110.0, "GDS"),
    ],
)
def test_grade_of_reads_points_against_thresholds(scale, points, grade):
    assert scale.grade_of(points) == grade


def test_vectorised_grades_agree_with_the_scalar_and_leave_missing_empty():
    points = np.array([[0.2, 3.5, np.nan], [9.99, 7.0, 1.0]])
    grades = GCSE_9_1.grades_of(points)
    assert grades.shape == points.shape
    assert grades.tolist() == [["U", "3", None], ["9", "7", "1"]]
    assert [GCSE_9_1.grade_of(p) for p in points[1]] == grades[1].tolist()


def test_a_star_to_g_uses_the_dfe_legacy_points():
    legacy = {"A*": 8.5, "A": 7, "B": 5.5, "C": 4, "D": 3, "E": 2, "F": 1.5, "G": 1}
    assert {g: GCSE_A_G.points_of(g) for g in legacy} == legacy
    assert GCSE_A_G.grades == ("U", "G", "F", "E", "D", "C", "B", "A", "A*")


def test_a_star_to_g_and_nine_to_one_share_the_dfe_anchor_points():
    for letter, number in (("A", "7"), ("C", "4"), ("G", "1")):
        assert GCSE_A_G.threshold(letter) == GCSE_9_1.threshold(number)
        assert convert_grade(number, GCSE_9_1, GCSE_A_G) == letter
        assert convert_grade(letter, GCSE_A_G, GCSE_9_1) == number
    assert convert_grade("9", "9-1", "A*-G") == "A*"
    assert convert_grade("A*", "A*-G", "9-1") == "8"
    assert convert_grades(["5", "6", None], GCSE_9_1, GCSE_A_G).tolist() == ["C", "B", None]


def test_conversion_only_between_scales_with_the_same_points():
    with pytest.raises(ValueError, match="share points"):
        convert_grade("4", GCSE_9_1, A_LEVEL)


def test_a_level_and_ks2_thresholds():
    assert [A_LEVEL.threshold(g) for g in ("E", "D", "C", "B", "A", "A*")] == [1, 2, 3, 4, 5, 6]
    assert [KS2_BAND.threshold(g) for g in ("EXS", "GDS")] == [100, 110]
    assert KS2_SCALED_SCORE.grades[0] == "80" and KS2_SCALED_SCORE.top == "120"


@pytest.mark.parametrize(
    ("scale", "grade", "up"),
    [
        (GCSE_9_1, "4", "5"),
        (GCSE_9_1, "8", "9"),
        (GCSE_9_1, "9", "9"),
        (GCSE_9_1, "U", "1"),
        (GCSE_A_G, "B", "A"),
        (GCSE_A_G, "A", "A*"),
        (GCSE_A_G, "A*", "A*"),
        (GCSE_A_G, "G", "F"),
        (A_LEVEL, "A", "A*"),
        (A_LEVEL, "A*", "A*"),
        (KS2_SCALED_SCORE, "104", "105"),
        (KS2_SCALED_SCORE, "120", "120"),
        (KS2_BAND, "EXS", "GDS"),
        (KS2_BAND, "GDS", "GDS"),
    ],
)
def test_plus_one_is_the_next_grade_capped_at_the_top(scale, grade, up):
    assert scale.plus_one(grade) == up


@pytest.mark.parametrize(
    ("scale", "typed", "grade"),
    [
        (GCSE_9_1, "4", "4"),
        (GCSE_9_1, " 9 ", "9"),
        (GCSE_9_1, "04", "4"),
        (GCSE_A_G, "c", "C"),
        (GCSE_A_G, "B", "B"),
        (GCSE_A_G, "a*", "A*"),
        (GCSE_A_G, "A *", "A*"),
        (A_LEVEL, "A*", "A*"),
        (A_LEVEL, "e", "E"),
        (KS2_BAND, "exs", "EXS"),
        (KS2_SCALED_SCORE, "105", "105"),
        (KS2_SCALED_SCORE, "80", "80"),
    ],
)
def test_parse_grade_accepts_the_scale_spellings(scale, typed, grade):
    assert scale.parse_grade(typed) == grade


@pytest.mark.parametrize(
    ("scale", "typed"),
    [
        (GCSE_9_1, "10"),
        (GCSE_9_1, "0"),
        (GCSE_9_1, "C"),
        (GCSE_9_1, "4.5"),
        (GCSE_9_1, "U"),
        (GCSE_A_G, "4"),
        (GCSE_A_G, "H"),
        (A_LEVEL, "F"),
        (A_LEVEL, "B+"),
        (KS2_SCALED_SCORE, "121"),
        (KS2_SCALED_SCORE, "79"),
        (KS2_SCALED_SCORE, "EXS"),
        (KS2_BAND, "105"),
    ],
)
def test_parse_grade_refuses_grades_of_other_scales(scale, typed):
    with pytest.raises(UserInputError) as error:
        scale.parse_grade(typed, field="target")
    assert error.value.field == "target"
    assert error.value.code == "INVALID_GRADE"
    assert error.value.message == scale.hint


def test_parse_grade_asks_for_a_missing_grade():
    with pytest.raises(UserInputError) as error:
        GCSE_9_1.parse_grade("  ", field="target")
    assert (error.value.code, error.value.field) == ("REQUIRED", "target")


@pytest.mark.parametrize(
    ("scale", "points", "shown"),
    [
        (GCSE_9_1, 4.96, "4.9"),
        (GCSE_9_1, 5.0, "5.0"),
        (GCSE_9_1, 0.04, "0.0"),
        (GCSE_A_G, 5.6, "B"),
        (A_LEVEL, 4.5, "B"),
        (KS2_SCALED_SCORE, 104.7, "104"),
        (KS2_BAND, 104.7, "EXS"),
        (GCSE_9_1, float("nan"), None),
    ],
)
def test_fine_grades_show_in_the_scale_format(scale, points, shown):
    assert scale.format_fine_grade(points) == shown


def test_fine_grade_shown_never_reads_as_a_higher_grade():
    points = np.linspace(0, 9.99, 2001)
    shown = GCSE_9_1.format_fine_grades(points).astype(float)
    assert np.array_equal(np.floor(shown), GCSE_9_1.grade_indices(points))


def test_scales_are_found_by_code_or_name():
    assert get_scale("9-1") is GCSE_9_1
    assert get_scale("GCSE 9–1") is GCSE_9_1
    assert get_scale("a*-g") is GCSE_A_G
    assert get_scale("A level A*–E") is A_LEVEL
    assert get_scale("KS2-band") is KS2_BAND
    with pytest.raises(ValueError):
        get_scale("10-1")


def test_unknown_grade_is_an_error_not_a_guess():
    with pytest.raises(ValueError):
        GCSE_9_1.threshold("C")


def test_result_points_sit_in_the_middle_of_the_grade():
    assert GCSE_9_1.result_points("5") == 5.5
    assert GCSE_A_G.result_points("B") == 6.25
    assert A_LEVEL.result_points("A*") == pytest.approx(6.495)
