"""Chances shown as whole percentages add up to exactly 100."""

import random

import pytest

from server.services.estimates.rounding import whole_percentages


@pytest.mark.parametrize(("probabilities", "expected"), [
    ([1 / 3, 1 / 3, 1 / 3], [34, 33, 33]),          # each rounds to 33: 99 in all
    ([0.125, 0.125, 0.125, 0.625], [13, 13, 12, 62]),  # each half rounded up: 102 in all
    ([0.004, 0.996], [0, 100]),
    ([0.0, 0.0], [0, 0]),
    ([0.5, 0.5], [50, 50]),
])
def test_whole_percentages(probabilities, expected):
    assert whole_percentages(probabilities) == expected


def test_any_distribution_adds_up_to_100_and_each_is_within_one_point():
    rng = random.Random(7)
    for _ in range(500):
        raw = [rng.random() ** 3 for _ in range(rng.randint(2, 12))]
        total = sum(raw)
        probabilities = [p / total for p in raw]
        shown = whole_percentages(probabilities)
        assert sum(shown) == 100
        assert all(abs(s - p * 100) < 1 for s, p in zip(shown, probabilities, strict=True))
