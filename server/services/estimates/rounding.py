"""Whole percentages that add up to exactly 100 (largest-remainder rounding).

Rounding each chance on its own can show 99 % or 101 % in all; a head of data adds them up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def whole_percentages(probabilities: Sequence[float]) -> list[int]:
    """Each probability as a whole percentage, the whole summing to 100 (when the
    probabilities sum to more than nothing): floor every share, then give the points left
    over to the largest remainders (the earlier one first on a tie)."""
    total = sum(p for p in probabilities if p > 0)
    if total <= 0:
        return [0] * len(probabilities)
    shares = [max(p, 0.0) * 100 / total for p in probabilities]
    floors = [math.floor(s) for s in shares]
    left = 100 - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors
