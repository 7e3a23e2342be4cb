"""Grade scales: how a fine grade (points) reads as a grade, and back (BENCHMARKS.md)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from server.services.errors import UserInputError
from server.services.estimates.errors import GradeErrorCode

FineFormat = Literal["decimal", "letter", "score"]

# Guards against a fine grade computed as 4.9999999 showing as 4.9 while reading as grade 5.
_EPS = 1e-9


@dataclass(frozen=True, eq=False)
class Scale:
    """Grades lowest first; grade g is reached when points >= its threshold."""

    code: str
    name: str
    grades: tuple[str, ...]
    thresholds: tuple[float, ...]
    low: float
    high: float
    fine_format: FineFormat
    ungraded: str | None = None
    hint: str = ""
    _t: NDArray[np.float64] = field(init=False, repr=False)
    _names: NDArray[np.object_] = field(init=False, repr=False)
    _index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        t = np.asarray(self.thresholds, dtype=float)
        if len(t) != len(self.grades) or np.any(np.diff(t) <= 0):
            raise ValueError(f"{self.code}: thresholds must rise, one per grade")
        object.__setattr__(self, "_t", t)
        object.__setattr__(self, "_names", np.array((*self.grades, None), dtype=object))
        object.__setattr__(self, "_index", {g: i for i, g in enumerate(self.grades)})

    def __repr__(self) -> str:
        return f"Scale({self.code!r})"

    @property
    def top(self) -> str:
        return self.grades[-1]

    @property
    def target_grades(self) -> tuple[str, ...]:
        """Grades a target may be set at: every grade but U."""
        return tuple(g for g in self.grades if g != self.ungraded)

    @property
    def grade_bounds(self) -> NDArray[np.float64]:
        """Lower and upper points of each grade, open at both ends (for chances)."""
        return np.concatenate(([-np.inf], self._t[1:], [np.inf]))

    # -- points to grades ---------------------------------------------------------------

    def clamp(self, points: ArrayLike) -> NDArray[np.float64]:
        return np.clip(np.asarray(points, dtype=float), self.low, self.high)

    def grade_indices(self, points: ArrayLike) -> NDArray[np.intp]:
        """Index into `grades` of each fine grade; -1 where there is none (NaN)."""
        y = np.asarray(points, dtype=float)
        i = np.searchsorted(self._t, y, side="right") - 1
        i = np.maximum(i, 0)
        return np.where(np.isnan(y), -1, i)

    def grades_of(self, points: ArrayLike) -> NDArray[np.object_]:
        return self._names[self.grade_indices(points)]

    def grade_of(self, points: float) -> str | None:
        return self.grades_of(np.asarray([points]))[0]

    # -- grades to points ---------------------------------------------------------------

    def index_of(self, grade: str) -> int:
        try:
            return self._index[grade]
        except KeyError:
            raise ValueError(f"{grade!r} is not a grade on {self.name}") from None

    def thresholds_of(self, grades: ArrayLike) -> NDArray[np.float64]:
        """Threshold of each grade; NaN where a grade is missing (None or empty)."""
        g = np.asarray(grades, dtype=object)
        uniques, inverse = np.unique(g.astype(str), return_inverse=True)
        values = np.array(
            [np.nan if u in ("None", "") else self._t[self.index_of(u)] for u in uniques]
        )
        return values[inverse].reshape(g.shape)

    def threshold(self, grade: str) -> float:
        return float(self.thresholds_of([grade])[0])

    def points_of(self, grade: str) -> float:
        """DfE points of a grade: the same number as its threshold (U is the scale's bottom)."""
        return self.threshold(grade)

    def result_points(self, grade: str) -> float:
        """Fine grade standing for a whole result: the middle of the grade's band.

        Value added compares results with fine-grade estimates; a grade 5 is worth 5.5, not
        5, or every school would look half a grade behind.
        """
        i = self.index_of(grade)
        upper = self._t[i + 1] if i + 1 < len(self._t) else self.high
        return float((self._t[i] + upper) / 2)

    def plus_one(self, grade: str) -> str:
        """The next grade up, capped at the top grade."""
        return self.grades[min(self.index_of(grade) + 1, len(self.grades) - 1)]

    # -- showing and reading ------------------------------------------------------------

    def format_fine_grades(self, points: ArrayLike) -> NDArray[np.object_]:
        y = np.asarray(points, dtype=float)
        if self.fine_format == "letter":
            return self.grades_of(y)
        if self.fine_format == "decimal":
            # Truncate, not round: 4.96 is a grade 4 and must not show as 5.0.
            shown = [f"{v:.1f}" for v in np.floor(y.ravel() * 10 + _EPS) / 10]
        else:
            shown = [f"{v:.0f}" for v in np.floor(y.ravel() + _EPS)]
        out = np.array(shown, dtype=object).reshape(y.shape)
        out[np.isnan(y)] = None
        return out

    def format_fine_grade(self, points: float) -> str | None:
        return self.format_fine_grades(np.asarray([points]))[0]

    def format_average(self, points: float) -> str | None:
        """A cohort average as Manage benchmarks shows it (issue 19): on the A*-G and A level
        scales a fine letter, the grade reached with "-" in the lowest third of its band and
        "+" in the top third (5.5 <= y < 7 is a B: 5.6 is B-, 6.6 is B+), so that a change of
        benchmark shows even within one grade; other scales as format_fine_grade. U, the
        bottom of the scale, has no sign."""
        if np.isnan(points):
            return None
        if self.fine_format != "letter" or self.ungraded is None:
            return self.format_fine_grade(points)
        y = float(self.clamp(points))
        i = int(self.grade_indices(np.asarray([y]))[0])
        grade = self.grades[i]
        if grade == self.ungraded:
            return grade
        low = self.thresholds[i]
        high = self.thresholds[i + 1] if i + 1 < len(self.thresholds) else self.high
        share = (y - low) / (high - low) if high > low else 0.0
        if share < 1 / 3 - _EPS:
            return f"{grade}-"
        if share >= 2 / 3 - _EPS:
            return f"{grade}+"
        return grade

    def parse_grade(self, text: str | None, field: str = "target") -> str:
        """The grade a person typed, as this scale spells it; raises UserInputError."""
        typed = (text or "").strip().upper().replace(" ", "")
        if not typed:
            raise UserInputError(f"Enter a {field} grade", field=field, code=GradeErrorCode.REQUIRED)
        typed = typed.replace("\u2217", "*").replace("\uff0a", "*")
        if typed.isdigit():
            typed = str(int(typed))
        if typed not in self.target_grades:
            raise UserInputError(self.hint, field=field, code=GradeErrorCode.INVALID_GRADE)
        return typed


def _decimal_grades(n: int) -> tuple[str, ...]:
    return ("U", *(str(g) for g in range(1, n + 1)))


GCSE_9_1 = Scale(
    code="9-1",
    name="GCSE 9–1",
    grades=_decimal_grades(9),
    thresholds=tuple(float(g) for g in range(10)),
    low=0.0,
    high=9.99,
    fine_format="decimal",
    ungraded="U",
    hint="Enter a grade from 9 to 1",
)

# DfE's 2017 mapping: A and 7, C and 4, G and 1 share their lower boundaries.
GCSE_A_G = Scale(
    code="A*-G",
    name="GCSE A*–G",
    grades=("U", "G", "F", "E", "D", "C", "B", "A", "A*"),
    thresholds=(0.0, 1.0, 1.5, 2.0, 3.0, 4.0, 5.5, 7.0, 8.5),
    low=0.0,
    high=9.99,
    fine_format="letter",
    ungraded="U",
    hint="Enter a grade from A* to G",
)

A_LEVEL = Scale(
    code="A-level",
    name="A level A*–E",
    grades=("U", "E", "D", "C", "B", "A", "A*"),
    thresholds=(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0),
    low=0.0,
    high=6.99,
    fine_format="letter",
    hint="Enter a grade from A* to E",
    ungraded="U",
)

KS2_SCALED_SCORE = Scale(
    code="KS2-scaled",
    name="KS2 scaled score",
    grades=tuple(str(s) for s in range(80, 121)),
    thresholds=tuple(float(s) for s in range(80, 121)),
    low=80.0,
    high=120.0,
    fine_format="score",
    hint="Enter a scaled score from 80 to 120",
)

KS2_BAND = Scale(
    code="KS2-band",
    name="KS2 standard (WTS, EXS, GDS)",
    grades=("WTS", "EXS", "GDS"),
    thresholds=(80.0, 100.0, 110.0),
    low=80.0,
    high=120.0,
    fine_format="letter",
    hint="Enter WTS, EXS or GDS",
)

SCALES: tuple[Scale, ...] = (GCSE_9_1, GCSE_A_G, A_LEVEL, KS2_SCALED_SCORE, KS2_BAND)


def _key(text: str) -> str:
    return text.strip().lower().replace("–", "-").replace("—", "-").replace(" ", "")


_BY_KEY = {_key(k): s for s in SCALES for k in (s.code, s.name)}


def get_scale(name_or_code: str | Scale) -> Scale:
    """A scale by its code ("9-1", "A*-G", "A-level", "KS2-scaled", "KS2-band") or name."""
    if isinstance(name_or_code, Scale):
        return name_or_code
    try:
        return _BY_KEY[_key(name_or_code)]
    except KeyError:
        raise ValueError(f"unknown grade scale {name_or_code!r}") from None


def convert_grades(
    grades: ArrayLike | Sequence[str], from_scale: Scale | str, to_scale: Scale | str
) -> NDArray[np.object_]:
    """Show grades of one scale on another with the same points (9–1 and A*–G)."""
    source, target = get_scale(from_scale), get_scale(to_scale)
    if (source.low, source.high) != (target.low, target.high):
        raise ValueError(f"{source.name} and {target.name} do not share points")
    return target.grades_of(source.thresholds_of(grades))


def convert_grade(grade: str, from_scale: Scale | str, to_scale: Scale | str) -> str:
    return convert_grades([grade], from_scale, to_scale)[0]
