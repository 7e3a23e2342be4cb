"""How long the estimates engine takes for a year group and for a national cohort.

Run: .venv/bin/python bench/bench_estimates.py
"""

import platform
import statistics
import time
from collections.abc import Callable

import numpy as np

from server.services.estimates.fit import fit_parameters
from server.services.estimates.levels import BenchmarkLevel
from server.services.estimates.model import estimate, school_indicators
from server.services.estimates.parameters import load_parameters
from server.services.estimates.synth import simulate_national

LEVELS = list(BenchmarkLevel)


def timed(work: Callable[[], object], repeats: int) -> list[float]:
    work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    q = statistics.quantiles(times, n=10)
    print(
        f"{label:<64} median {statistics.median(times):8.2f} ms"
        f"   p10-p90 {q[0]:.2f}-{q[-1]:.2f} ms   (n={len(times)})"
    )


def pupils(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(104, 6.5, n), rng.integers(0, 2, n), rng.integers(0, 12, n)


def main() -> None:
    parameters = load_parameters("KS4")
    print(f"numpy {np.__version__}, Python {platform.python_version()}, {platform.machine()}")
    print(f"KS4 model {parameters.version}, {len(parameters.subjects)} subjects\n")

    prior, female, month = pupils(300, 1)

    def year_group_points() -> None:
        for level in LEVELS:
            estimate(parameters, prior, female, month, level)

    def year_group_grades() -> None:
        for level in LEVELS:
            result = estimate(parameters, prior, female, month, level)
            result.grades()
            result.cohort_averages()

    def year_group_chances() -> None:
        result = estimate(parameters, prior, female, month)
        for code in result.subjects:
            result.chances(code)

    report("300 pupils x 20 subjects x 3 benchmarks: points", timed(year_group_points, 300))
    report("  ... + grades and cohort averages", timed(year_group_grades, 300))
    report("300 pupils x 20 subjects: chances of every grade", timed(year_group_chances, 300))

    prior, female, month = pupils(30_000, 2)

    def national_one() -> None:
        estimate(parameters, prior, female, month, BenchmarkLevel.AVERAGE).grades()

    def national_three() -> None:
        for level in LEVELS:
            estimate(parameters, prior, female, month, level)

    report("national 30,000 pupils x 20 subjects (600,000): points+grades", timed(national_one, 20))
    report("national 600,000 pupil-subjects x 3 benchmarks: points", timed(national_three, 20))

    va = np.random.default_rng(3).normal(0, 0.4, (3_000, 20, 3))
    su = parameters.table().su[:, 0]
    report("indicators: 3,000 schools x 20 subjects", timed(lambda: school_indicators(va, su), 50))

    start = time.perf_counter()
    data = simulate_national(parameters, schools=300, pupils_per_school=100, seed=4)
    middle = time.perf_counter()
    fit_parameters(data, "KS4")
    end = time.perf_counter()
    print(
        f"\nsynth {len(data):,} results ({len(np.unique(data.school_id))} schools): "
        f"{(middle - start) * 1000:.0f} ms; fit all 20 subjects: {(end - middle) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
