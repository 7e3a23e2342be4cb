"""A synthetic national data set drawn from the model, so nothing needs real pupils."""

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from numpy.typing import NDArray

from server.services.estimates.model import expected_points
from server.services.estimates.parameters import ModelParameters, PriorAttainment

COLUMNS = (
    "pupil_id",
    "school_id",
    "subject",
    "prior_attainment",
    "female",
    "month",
    "outcome_points",
)


@dataclass(frozen=True, eq=False)
class NationalData:
    """Pupil-level results, one row per pupil and subject."""

    pupil_id: NDArray[np.int64]
    school_id: NDArray[np.int64]
    subject: NDArray[np.str_]
    prior_attainment: NDArray[np.float64]
    female: NDArray[np.int64]
    month: NDArray[np.int64]
    outcome_points: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.pupil_id)

    def subjects(self) -> list[str]:
        return [str(s) for s in np.unique(self.subject)]

    def where(self, mask: NDArray[np.bool_]) -> "NationalData":
        return NationalData(*(getattr(self, c)[mask] for c in COLUMNS))

    def for_subject(self, code: str) -> "NationalData":
        return self.where(self.subject == code)


def simulate_national(
    parameters: ModelParameters,
    schools: int = 300,
    pupils_per_school: int = 100,
    seed: int = 0,
    subjects: Sequence[str] | None = None,
    prior: PriorAttainment | None = None,
) -> NationalData:
    """Several hundred schools of pupils who each take every subject.

    School sizes vary from half to one and a half times `pupils_per_school`; each school
    has its own progress u_j in each subject, and each pupil a residual per subject.
    Outcomes are fine grades as the model draws them (a few fall outside the scale).
    Pupils' prior attainment is drawn from `prior` (default the key stage's): pass
    `parameters.entrants(code)` to simulate one subject's national entrants.
    """
    rng = np.random.default_rng(seed)
    codes = list(subjects if subjects is not None else parameters.subjects)
    low = max(1, pupils_per_school // 2)
    sizes = rng.integers(low, pupils_per_school + (pupils_per_school - low) + 1, schools)
    school = np.repeat(np.arange(1, schools + 1), sizes)
    n = len(school)
    drawn = np.round((prior or parameters.prior).draw(rng, n), 2)
    female = rng.integers(0, 2, n)
    month = rng.integers(0, 12, n)

    table = parameters.table(codes)
    u = rng.normal(0.0, 1.0, (len(codes), schools)) * table.su
    e = rng.normal(0.0, 1.0, (len(codes), n)) * table.se
    # The model's own y, not clamped to the scale: clamping would bend the fitted curve.
    y = expected_points(table, drawn, female, month) + u[:, school - 1] + e

    return NationalData(
        pupil_id=np.tile(np.arange(1, n + 1), len(codes)),
        school_id=np.tile(school, len(codes)),
        subject=np.repeat(np.array(codes), n),
        prior_attainment=np.tile(drawn, len(codes)),
        female=np.tile(female, len(codes)),
        month=np.tile(month, len(codes)),
        outcome_points=np.round(y.ravel(), 3),
    )


def write_csv(data: NationalData, out: str | Path | IO[str]) -> None:
    if not isinstance(out, str | Path):
        _write_rows(data, out)
        return
    with open(out, "w", newline="", encoding="utf-8") as f:
        _write_rows(data, f)


def _write_rows(data: NationalData, f: IO[str]) -> None:
    f.write(",".join(COLUMNS) + "\n")
    prior = np.char.mod("%.2f", data.prior_attainment)
    outcome = np.char.mod("%.3f", data.outcome_points)
    rows = zip(
        data.pupil_id.tolist(),
        data.school_id.tolist(),
        data.subject.tolist(),
        prior.tolist(),
        data.female.tolist(),
        data.month.tolist(),
        outcome.tolist(),
        strict=True,
    )
    f.writelines(f"{p},{s},{c},{a},{g},{m},{y}\n" for p, s, c, a, g, m, y in rows)


def read_csv(path: str | Path) -> NationalData:
    """Read national results; columns may come in any order, extra columns are ignored."""
    with open(path, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    index = [header.index(c) for c in COLUMNS]
    dtype = [
        ("pupil_id", np.int64),
        ("school_id", np.int64),
        ("subject", "U40"),
        ("prior_attainment", np.float64),
        ("female", np.int64),
        ("month", np.int64),
        ("outcome_points", np.float64),
    ]
    order = np.argsort(index)
    table = np.loadtxt(
        path,
        delimiter=",",
        skiprows=1,
        usecols=[index[i] for i in order],
        dtype=[dtype[i] for i in order],
        ndmin=1,
        encoding="utf-8",
    )
    return NationalData(*(table[c] for c in COLUMNS))
