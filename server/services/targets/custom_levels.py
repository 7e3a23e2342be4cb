"""Checking a school's custom challenge level (services/estimates/challenge.py) as typed.

Each refusal names the form field it is about: `custom-<part>-<subject code>`, the ids the
Manage benchmarks page gives its fields, and the `field` of the GraphQL error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from server.models.enums import BenchmarkLevel, KeyStage
from server.services.errors import UserInputError
from server.services.estimates.challenge import (
    MAX_FINE_GRADES,
    PERCENTILE_RANGE,
    CustomKind,
    CustomLevel,
)
from server.services.estimates.levels import BenchmarkLevel as EngineLevel
from server.services.targets.errors import TargetSettingsErrorCode

_BENCHMARK_NAMES = "Average, High or Very High"


@dataclass(frozen=True)
class CustomLevelInput:
    """A custom level as a person or an API client gave it (nothing checked yet)."""

    kind: str | None
    percentile: int | None = None
    benchmark: str | None = None
    other_benchmark: str | None = None
    fine_grades: float | None = None


def field_id(part: str, subject: str) -> str:
    return f"custom-{part}-{subject}"


def _benchmark(value: str | None, part: str, subject: str, name: str, what: str) -> EngineLevel:
    stored = {level.value: level for level in BenchmarkLevel if level != BenchmarkLevel.CUSTOM}
    level = stored.get((value or "").strip().upper())
    if level is None:
        shown = (value or "").strip()[:20]
        raise UserInputError(
            f"Choose {_BENCHMARK_NAMES} as the {what} for {name}"
            + (f": '{shown}' is not a benchmark" if shown else ""),
            field=field_id(part, subject),
            code=TargetSettingsErrorCode.UNKNOWN_BENCHMARK,
        )
    return EngineLevel[level.name]


def check_custom_level(
    key_stage: KeyStage | str, subject: str, name: str, given: CustomLevelInput
) -> CustomLevel:
    """The custom level `given` describes, or a UserInputError saying what to put right."""
    ks = KeyStage(key_stage)
    kind = {k.value: k for k in CustomKind}.get((given.kind or "").strip().lower())
    if kind is None:
        raise UserInputError(
            f"Choose what the custom level for {name} is: a percentile, the midpoint of two "
            "benchmarks, or a benchmark plus or minus fine grades",
            field=field_id("kind", subject),
            code=TargetSettingsErrorCode.CUSTOM_LEVEL_REQUIRED,
        )
    if kind == CustomKind.PERCENTILE:
        lo, hi = PERCENTILE_RANGE
        q = given.percentile
        if q is None or isinstance(q, bool) or not float(q).is_integer() or not lo <= q <= hi:
            raise UserInputError(
                f"Enter a whole-number percentile from {lo} to {hi} for {name}",
                field=field_id("percentile", subject),
                code=TargetSettingsErrorCode.INVALID_PERCENTILE,
            )
        return CustomLevel(kind, percentile=int(q))
    first = _benchmark(given.benchmark, "benchmark", subject, name,
                       "first benchmark" if kind == CustomKind.MIDPOINT else "benchmark")
    if kind == CustomKind.MIDPOINT:
        second = _benchmark(given.other_benchmark, "other", subject, name, "second benchmark")
        if second == first:
            raise UserInputError(
                f"Choose two different benchmarks for the midpoint for {name}",
                field=field_id("other", subject),
                code=TargetSettingsErrorCode.SAME_BENCHMARKS,
            )
        return CustomLevel(kind, benchmark=first, other=second)
    limit = MAX_FINE_GRADES[ks.value]
    n = given.fine_grades
    if (
        n is None
        or isinstance(n, bool)
        or not math.isfinite(n)
        or n == 0
        or abs(n) > limit
        or abs(round(n, 1) - n) > 1e-9
    ):
        raise UserInputError(
            f"Enter the fine grades above or below the benchmark for {name} as a number from "
            f"-{limit:.1f} to {limit:.1f} to one decimal place, other than 0 (for example 1 "
            "or -0.5)",
            field=field_id("fine-grades", subject),
            code=TargetSettingsErrorCode.FINE_GRADES_OUT_OF_RANGE,
        )
    return CustomLevel(kind, benchmark=first, fine_grades=round(float(n), 1))
