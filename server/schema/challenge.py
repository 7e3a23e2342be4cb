"""Custom challenge levels in the API: a school's own level besides the three benchmarks."""

from __future__ import annotations

from enum import Enum

import strawberry

from server.schema.enums import BenchmarkLevel
from server.services.estimates import challenge
from server.services.targets.custom_levels import CustomLevelInput as LevelInput


@strawberry.enum(description="PERCENTILE: any percentile 1-99; MIDPOINT: midway between two "
                 "benchmarks; OFFSET: a benchmark plus or minus fine grades")
class CustomLevelKind(Enum):
    PERCENTILE = "percentile"
    MIDPOINT = "midpoint"
    OFFSET = "offset"


@strawberry.type(description="A school's own challenge level for a subject and year group")
class CustomLevel:
    code: str = strawberry.field(description='Short form: "P35", "M50/20", "B20+1.0"')
    label: str = strawberry.field(description='In words, e.g. "High (20) + 1.0 fine grade"')
    kind: CustomLevelKind
    percentile: int | None = strawberry.field(description="PERCENTILE only")
    benchmark: BenchmarkLevel | None = strawberry.field(
        description="MIDPOINT: the first benchmark; OFFSET: the benchmark moved"
    )
    other_benchmark: BenchmarkLevel | None = strawberry.field(description="MIDPOINT only")
    fine_grades: float | None = strawberry.field(
        description="OFFSET only: points on the subject's scale added (negative: taken away)"
    )


@strawberry.input(description="A custom level: give the fields its kind needs")
class CustomLevelInput:
    kind: CustomLevelKind
    percentile: int | None = strawberry.field(default=None, description="PERCENTILE: 1 to 99")
    benchmark: BenchmarkLevel | None = strawberry.field(
        default=None, description="MIDPOINT: the first benchmark; OFFSET: the one moved"
    )
    other_benchmark: BenchmarkLevel | None = strawberry.field(
        default=None, description="MIDPOINT: the second benchmark (not the first)"
    )
    fine_grades: float | None = strawberry.field(
        default=None,
        description="OFFSET: -3.0 to 3.0 (KS2: -10 to 10 scaled score points), one decimal, "
        "not 0",
    )

    def as_service(self) -> LevelInput:
        return LevelInput(
            kind=self.kind.value,
            percentile=self.percentile,
            benchmark=self.benchmark.value if self.benchmark else None,
            other_benchmark=self.other_benchmark.value if self.other_benchmark else None,
            fine_grades=self.fine_grades,
        )


_STORED_NAMES = {50: "AVERAGE", 20: "HIGH", 5: "VERY_HIGH"}


def _level(value) -> BenchmarkLevel | None:
    return None if value is None else BenchmarkLevel(_STORED_NAMES[int(value)])


_MADE: dict[str, CustomLevel] = {}


def custom_level_type(level: challenge.CustomLevel | None) -> CustomLevel | None:
    """The API's view of a level (one shared, unchanging object per code)."""
    if level is None:
        return None
    made = _MADE.get(level.code)
    if made is None:
        made = _MADE[level.code] = CustomLevel(
            code=level.code,
            label=level.label,
            kind=CustomLevelKind(level.kind.value),
            percentile=level.percentile,
            benchmark=_level(level.benchmark),
            other_benchmark=_level(level.other),
            fine_grades=level.fine_grades,
        )
    return made


def custom_level_of_code(code: str | None) -> CustomLevel | None:
    return custom_level_type(challenge.parse_code(code))
