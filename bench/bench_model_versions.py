"""Two parameter files of a key stage through the same engine, alternately, in one process.

Only values differ between model versions, so this says whether new values cost anything
(a busy machine slows both sides alike). Run:

    git show <commit>:server/services/estimates/parameters/ks4.json > /tmp/old.json
    .venv/bin/python bench/bench_model_versions.py /tmp/old.json [KS4]
"""

import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

from server.services.estimates.model import estimate
from server.services.estimates.parameters import ModelParameters, load_parameters, read_parameters


def cohort(n: int, seed: int, parameters: ModelParameters) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    prior = parameters.prior.draw(rng, n)
    return prior, rng.integers(0, 2, n), rng.integers(0, 12, n)


def alternate(work: Callable[[ModelParameters], object], sides: dict, repeats: int) -> dict:
    times: dict[str, list[float]] = {name: [] for name in sides}
    for p in sides.values():
        work(p)
    for _ in range(repeats):
        for name, p in sides.items():
            start = time.perf_counter()
            work(p)
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    old = read_parameters(sys.argv[1])
    new = load_parameters(sys.argv[2] if len(sys.argv) > 2 else old.key_stage)
    sides = {f"old {old.version}": old, f"new {new.version}": new}
    year = cohort(300, 1, new)
    national = cohort(30_000, 2, new)

    def year_group(p: ModelParameters) -> None:
        e = estimate(p, *year)
        e.grades()
        e.cohort_averages()
        for code in e.subjects:
            e.chances(code)

    figures = {
        "year group 300 x subjects: points, grades, averages, chances": (year_group, 200),
        "national 30,000 x subjects: points": (lambda p: estimate(p, *national), 30),
        "national 30,000 x subjects: points + grades": (
            lambda p: estimate(p, *national).grades(), 30),
    }  # fmt: skip
    for label, (work, repeats) in figures.items():
        m = alternate(work, sides, repeats)
        a, b = m.values()
        shown = "  ".join(f"{k} {v:8.2f} ms" for k, v in m.items())
        print(f"{label:<62} {shown}  ratio {b / a:.3f}  (n={repeats} each)")


if __name__ == "__main__":
    main()
