"""How Manage benchmarks shows a cohort average (issue 19): a fine letter on A*-G and A level."""

import math

import pytest

from server.services.estimates.scales import A_LEVEL, GCSE_9_1, GCSE_A_G, KS2_BAND, KS2_SCALED_SCORE


@pytest.mark.parametrize(
    ("points", "shown"),
    [
        (5.5, "B-"),  # B is 5.5 <= y < 7: thirds at 6.0 and 6.5
        (5.99, "B-"),
        (6.0, "B"),
        (6.49, "B"),
        (6.5, "B+"),
        (6.99, "B+"),
        (7.0, "A-"),
        (8.5, "A*-"),  # the top grade's band runs to the scale's top, 9.99
        (9.99, "A*+"),
        (0.5, "U"),  # U has no sign
        (4.0, "C-"),
        (1.2, "G"),  # G is 1 <= y < 1.5
    ],
)
def test_a_star_to_g_fine_letters(points, shown):
    assert GCSE_A_G.format_average(points) == shown


def test_a_level_fine_letters_and_edges():
    assert A_LEVEL.format_average(4.2) == "B-"
    assert A_LEVEL.format_average(4.5) == "B"
    assert A_LEVEL.format_average(4.7) == "B+"
    assert A_LEVEL.format_average(6.9) == "A*+"
    assert A_LEVEL.format_average(12.0) == "A*+"  # clamped to the scale
    assert A_LEVEL.format_average(math.nan) is None


def test_switching_benchmark_within_one_grade_changes_what_is_shown():
    # Average 6.1, Very High 6.8: both a B, but no longer the same text.
    assert GCSE_A_G.grade_of(6.1) == GCSE_A_G.grade_of(6.8) == "B"
    assert GCSE_A_G.format_average(6.1) != GCSE_A_G.format_average(6.8)


def test_other_scales_are_unchanged():
    assert GCSE_9_1.format_average(4.96) == "4.9" == GCSE_9_1.format_fine_grade(4.96)
    assert KS2_SCALED_SCORE.format_average(104.7) == "104"
    assert KS2_BAND.format_average(104.7) == "EXS"
