"""The flight path and on-track rules (services.tracking.flight_paths, points)."""

from datetime import date

import pytest

from server.services.errors import UserInputError
from server.services.estimates.scales import A_LEVEL, GCSE_9_1, GCSE_A_G, KS2_SCALED_SCORE
from server.services.tracking.flight_paths import (
    TrackCounts,
    TrackStatus,
    count_statuses,
    expected_points,
    path_fraction,
    tolerance_for,
    track_status,
    working_at_points,
)
from server.services.tracking.points import check_point_date, check_point_name


def test_path_fraction_is_the_share_of_the_key_stage_elapsed_clamped():
    starts, ends = date(2025, 9, 1), date(2027, 9, 1)
    assert path_fraction(starts, starts, ends) == 0.0
    assert path_fraction(ends, starts, ends) == 1.0
    assert path_fraction(date(2026, 9, 1), starts, ends) == pytest.approx(365 / 730)
    assert path_fraction(date(2020, 1, 1), starts, ends) == 0.0
    assert path_fraction(date(2030, 1, 1), starts, ends) == 1.0
    with pytest.raises(ValueError):
        path_fraction(starts, ends, starts)


def test_expected_points_are_linear_from_start_to_target_unless_the_school_set_one():
    assert expected_points(4.0, 6.0, 0.0) == 4.0
    assert expected_points(4.0, 6.0, 1.0) == 6.0
    assert expected_points(4.0, 6.0, 0.25) == pytest.approx(4.5)
    # A target below the starting position gives a falling path, never past its ends.
    assert expected_points(6.0, 5.0, 0.5) == pytest.approx(5.5)
    assert expected_points(4.0, 6.0, 1.7) == 6.0
    assert expected_points(4.0, 6.0, 0.25, set_by_school=5.0) == 5.0


@pytest.mark.parametrize(
    ("working_at", "expected", "status"),
    [
        (5.0, 5.0, TrackStatus.ON_TRACK),
        (6.0, 5.0, TrackStatus.ON_TRACK),   # exactly one grade over: still on track
        (4.0, 5.0, TrackStatus.ON_TRACK),   # exactly one grade under: still on track
        (6.01, 5.0, TrackStatus.ABOVE),
        (3.99, 5.0, TrackStatus.BELOW),
        (7.0, 5.4, TrackStatus.ABOVE),
        (4.0, 5.4, TrackStatus.BELOW),
        (5.0, 5.4, TrackStatus.ON_TRACK),
    ],
)
def test_on_track_is_within_one_grade_either_side(working_at, expected, status):
    assert track_status(working_at, expected, tolerance_for(GCSE_9_1)) is status


def test_tolerance_is_one_grade_and_three_scaled_score_points_at_ks2():
    assert tolerance_for(GCSE_9_1) == tolerance_for(A_LEVEL) == 1.0
    assert tolerance_for(KS2_SCALED_SCORE) == 3.0
    assert track_status(103.0, 100.0, 3.0) is TrackStatus.ON_TRACK
    assert track_status(96.0, 100.0, 3.0) is TrackStatus.BELOW


def test_counts_and_shares():
    counts = count_statuses([TrackStatus.ON_TRACK, TrackStatus.ON_TRACK, TrackStatus.ABOVE,
                             TrackStatus.BELOW])
    assert counts == TrackCounts(on_track=2, above=1, below=1)
    assert counts.total == 4
    assert counts.share(TrackStatus.ON_TRACK) == 0.5
    assert counts.share(TrackStatus.BELOW) == 0.25
    assert TrackCounts().share(TrackStatus.ON_TRACK) is None


def test_working_at_grades_read_in_either_format_with_their_points():
    assert working_at_points([GCSE_9_1, GCSE_A_G], "5") == ("5", 5.0)
    assert working_at_points([GCSE_9_1, GCSE_A_G], " u ") == ("U", 0.0)
    assert working_at_points([GCSE_A_G, GCSE_9_1], "b") == ("B", 5.5)
    assert working_at_points([A_LEVEL], "A*") == ("A*", 6.0)
    with pytest.raises(UserInputError) as error:
        working_at_points([GCSE_9_1], "12")
    assert error.value.field == "grade"
    assert "9 to 1" in error.value.message


def test_point_names_and_dates_are_checked():
    assert check_point_name("  Autumn   term ") == "Autumn term"
    for bad in ("", "   ", None, "x" * 51):
        with pytest.raises(UserInputError) as error:
            check_point_name(bad)
        assert error.value.field == "name"
    assert check_point_date(date(2026, 12, 1), 2026) == date(2026, 12, 1)
    for bad in (None, date(2026, 8, 31), date(2027, 9, 1)):
        with pytest.raises(UserInputError) as error:
            check_point_date(bad, 2026)
        assert error.value.field == "date"
