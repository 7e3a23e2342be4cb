"""Custom challenge levels (issue 14 part 2): a school's own level besides the benchmarks.

A custom level is one of

- a **percentile** q from 1 to 99: est = clamp(fixed + z_q*su), as a benchmark is;
- the **midpoint** of two benchmarks: est = (est_a + est_b) / 2;
- a **benchmark plus or minus n fine grades**: est = clamp(est_a + n), n on the subject's
  points scale (one fine grade is one point: a whole grade at 9-1 and A level, one
  scaled score at KS2), to one decimal.

Every kind is the one formula clamp(w*clamp(fixed + z1*su) + (1 - w)*clamp(fixed + z2*su) + n)
(`terms`), so the engine here and the SQL of the cached averages
(services/targets/summaries.py) compute the same figure.

A level is stored as a short code: "P35", "M50/20", "B20+1.0", "B5-0.5".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

from server.services.estimates.levels import BenchmarkLevel
from server.services.estimates.scales import Scale

PERCENTILE_RANGE = (1, 99)
# The largest step above or below a benchmark, in points of the scale, per key stage.
MAX_FINE_GRADES = {"KS2": 10.0, "KS4": 3.0, "KS5": 3.0}
CODE_LENGTH = 12

_CODE = re.compile(r"^(?:P(\d{1,2})|M(50|20|5)/(50|20|5)|B(50|20|5)([+-]\d{1,2}\.\d))$")


class CustomKind(StrEnum):
    PERCENTILE = "percentile"
    MIDPOINT = "midpoint"
    OFFSET = "offset"


def _level_words(level: BenchmarkLevel) -> str:
    return f"{level.label} ({level.value})"


@dataclass(frozen=True)
class CustomLevel:
    kind: CustomKind
    percentile: int | None = None
    benchmark: BenchmarkLevel | None = None  # midpoint: the first; offset: the one moved
    other: BenchmarkLevel | None = None  # midpoint only
    fine_grades: float | None = None  # offset only, one decimal, never 0

    @property
    def code(self) -> str:
        if self.kind == CustomKind.PERCENTILE:
            return f"P{self.percentile}"
        if self.kind == CustomKind.MIDPOINT:
            return f"M{self.benchmark.value}/{self.other.value}"
        return f"B{self.benchmark.value}{self.fine_grades:+.1f}"

    @property
    def label(self) -> str:
        """The level in the school's words, e.g. "High (20) + 1.0 fine grade"."""
        if self.kind == CustomKind.PERCENTILE:
            return f"{ordinal(self.percentile)} percentile"
        if self.kind == CustomKind.MIDPOINT:
            return f"Midway between {_level_words(self.benchmark)} and {_level_words(self.other)}"
        n = abs(self.fine_grades)
        sign = "+" if self.fine_grades > 0 else "−"
        return f"{_level_words(self.benchmark)} {sign} {n:.1f} fine grade{'' if n == 1 else 's'}"

    def terms(self) -> tuple[float, float, float, float]:
        """(z1, z2, w, n) of clamp(w*clamp(fixed + z1*su) + (1 - w)*clamp(fixed + z2*su) + n)."""
        if self.kind == CustomKind.PERCENTILE:
            z = float(percentile_z(self.percentile))
            return z, z, 1.0, 0.0
        if self.kind == CustomKind.MIDPOINT:
            return self.benchmark.z, self.other.z, 0.5, 0.0
        return self.benchmark.z, self.benchmark.z, 1.0, float(self.fine_grades)

    def points(self, scale: Scale, fixed: ArrayLike, su: ArrayLike) -> NDArray[np.float64]:
        """The level's estimate from the model's fixed part (NaN stays NaN) and su."""
        z1, z2, w, n = self.terms()
        y, s = np.asarray(fixed, dtype=float), np.asarray(su, dtype=float)
        first = scale.clamp(y + z1 * s)
        second = first if z2 == z1 else scale.clamp(y + z2 * s)
        return scale.clamp(w * first + (1.0 - w) * second + n)


def percentile_z(q: ArrayLike) -> NDArray[np.float64]:
    return ndtri(1 - np.asarray(q, dtype=float) / 100)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def parse_code(code: str | None) -> CustomLevel | None:
    """The level a stored code names (None: no code, or not a code this module writes)."""
    match = _CODE.match(code or "")
    if match is None:
        return None
    percentile, first, second, moved, step = match.groups()
    if percentile is not None:
        q = int(percentile)
        lo, hi = PERCENTILE_RANGE
        return CustomLevel(CustomKind.PERCENTILE, percentile=q) if lo <= q <= hi else None
    if first is not None:
        if first == second:
            return None
        return CustomLevel(CustomKind.MIDPOINT, benchmark=BenchmarkLevel(int(first)),
                           other=BenchmarkLevel(int(second)))
    n = float(step)
    return None if n == 0 else CustomLevel(CustomKind.OFFSET, benchmark=BenchmarkLevel(int(moved)),
                                           fine_grades=n)
