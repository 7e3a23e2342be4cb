from enum import IntEnum, StrEnum

from scipy.special import ndtri


class KeyStage(StrEnum):
    KS2 = "KS2"
    KS4 = "KS4"
    KS5 = "KS5"


class BenchmarkLevel(IntEnum):
    """A benchmark is the percentile of schools' progress: only q% of schools did better."""

    AVERAGE = 50
    HIGH = 20
    VERY_HIGH = 5

    @property
    def z(self) -> float:
        return float(ndtri(1 - self.value / 100))

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").title()
