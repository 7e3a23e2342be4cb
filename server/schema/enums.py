"""GraphQL enums of the outside contract, bound to the stored enumerations."""

from __future__ import annotations

from enum import Enum

import strawberry

from server.models import enums as stored


@strawberry.enum
class KeyStage(Enum):
    KS2 = "KS2"
    KS4 = "KS4"
    KS5 = "KS5"

    def stored(self) -> stored.KeyStage:
        return stored.KeyStage(self.value)


@strawberry.enum(description="AVERAGE, HIGH and VERY_HIGH: the 50th, 20th and 5th percentile; "
                 "CUSTOM: the school's own challenge level for the subject (customLevel)")
class BenchmarkLevel(Enum):
    AVERAGE = "AVERAGE"
    HIGH = "HIGH"
    VERY_HIGH = "VERY_HIGH"
    CUSTOM = "CUSTOM"

    def stored(self) -> stored.BenchmarkLevel:
        return stored.BenchmarkLevel(self.value)


@strawberry.enum
class PupilAccess(Enum):
    AGGREGATE = "aggregate"
    FULL = "full"


@strawberry.enum
class OrganisationKind(Enum):
    SCHOOL = "school"
    LOCAL_AUTHORITY = "local_authority"
    ACADEMY_CHAIN = "academy_chain"
    OPERATOR = "operator"


@strawberry.enum(description="Where a pupil's prior attainment comes from: KS1 (average point "
                 "score, KS2 pupils), KS2 (test scaled scores, KS4 pupils), KS4 (mean GCSE "
                 "point, KS5 pupils), STANDARDISED_SCORE (a fallback baseline such as CAT4 "
                 "mean SAS, equated onto the scale: docs/BASELINES.md) or NONE (no estimate)")
class PriorAttainmentSource(Enum):
    KS1 = "KS1"
    KS2 = "KS2"
    KS4 = "KS4"
    STANDARDISED_SCORE = "STANDARDISED_SCORE"
    NONE = "NONE"
