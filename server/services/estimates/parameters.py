"""Versioned model parameters per key stage and subject (parameters/ks*.json)."""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

from server.services.estimates.levels import KeyStage

FIGURES = ("a", "b1", "b2", "g", "d", "su", "se", "pa_mean")
PARAMETERS_DIR = Path(__file__).with_name("parameters")


@dataclass(frozen=True)
class SubjectParameters:
    """One subject's model: y = a + b1*pa + b2*pa^2 + g*female + d*month + u + e."""

    subject: str
    a: float
    b1: float
    b2: float
    g: float
    d: float
    su: float
    se: float
    pa_mean: float
    shape_from: str | None = None
    source: Mapping[str, str] = field(default_factory=dict, compare=False)
    # Who takes the subject, where their prior attainment differs from the key stage's.
    entrants: "PriorAttainment | None" = None

    def figures(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in FIGURES}


@dataclass(frozen=True)
class PriorAttainment:
    """The national distribution of prior attainment, for drawing synthetic pupils."""

    measure: str
    mean: float
    sd: float
    low: float
    high: float
    source: str = field(default="", compare=False)

    def draw(self, rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        return np.clip(rng.normal(self.mean, self.sd, n), self.low, self.high)

    def entrants(
        self, share: float, rho: float, source: str, floor: float | None = None
    ) -> "PriorAttainment":
        """The prior attainment of those who take a subject taken by `share` of the cohort.

        Entry follows a propensity correlated `rho` with prior attainment (negative: the
        weaker take it); the entrants' mean and sd are those of the selected part of a
        bivariate normal, kept as a normal clipped to the same range (or from `floor`, the
        least prior attainment the subject's entry asks for).
        """
        if not 0 < share <= 1 or not -1 <= rho <= 1:
            raise ValueError("share must be in (0, 1] and rho in [-1, 1]")
        low = self.low if floor is None else max(self.low, floor)
        if share == 1 or rho == 0:
            return replace(self, low=low, source=source)
        z = float(ndtri(1 - share))
        mills = float(np.exp(-z * z / 2) / np.sqrt(2 * np.pi)) / share
        sd = self.sd * np.sqrt(1 - rho * rho * mills * (mills - z))
        mean = self.mean + rho * self.sd * mills
        return replace(self, mean=round(mean, 3), sd=round(float(sd), 3), low=low, source=source)


@dataclass(frozen=True, eq=False)
class ParameterTable:
    """Several subjects' figures as (subjects, 1) columns, to broadcast against pupils."""

    subjects: tuple[str, ...]
    a: NDArray[np.float64]
    b1: NDArray[np.float64]
    b2: NDArray[np.float64]
    g: NDArray[np.float64]
    d: NDArray[np.float64]
    su: NDArray[np.float64]
    se: NDArray[np.float64]
    pa_mean: NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class ModelParameters:
    version: str
    key_stage: KeyStage
    prior: PriorAttainment
    subjects: Mapping[str, SubjectParameters]
    source: str = ""
    calibration: tuple[Mapping[str, Any], ...] = ()
    _tables: dict[tuple[str, ...], ParameterTable] = field(default_factory=dict, init=False, repr=False)

    def __getitem__(self, subject: str) -> SubjectParameters:
        try:
            return self.subjects[subject]
        except KeyError:
            raise KeyError(f"no {self.key_stage} parameters for {subject!r}") from None

    def entrants(self, subject: str) -> PriorAttainment:
        """The prior attainment of the subject's national entrants."""
        return self[subject].entrants or self.prior

    def table(self, subjects: Iterable[str] | None = None) -> ParameterTable:
        codes = tuple(self.subjects if subjects is None else subjects)
        if codes not in self._tables:
            rows = [self[c] for c in codes]
            columns = {name: np.array([getattr(r, name) for r in rows], dtype=float)[:, None] for name in FIGURES}
            self._tables[codes] = ParameterTable(codes, **columns)
        return self._tables[codes]


def _prior_from_json(prior: Mapping[str, Any]) -> PriorAttainment:
    return PriorAttainment(
        measure=prior["measure"],
        mean=float(prior["mean"]),
        sd=float(prior["sd"]),
        low=float(prior["low"]),
        high=float(prior["high"]),
        source=prior.get("source", ""),
    )


def _prior_to_json(p: PriorAttainment) -> dict[str, Any]:
    return {
        "measure": p.measure,
        "mean": p.mean,
        "sd": p.sd,
        "low": p.low,
        "high": p.high,
        "source": p.source,
    }


def parameters_from_json(data: Mapping[str, Any]) -> ModelParameters:
    prior = data["prior_attainment"]
    subjects = {}
    for code, row in data["subjects"].items():
        missing = [name for name in FIGURES if name not in row]
        if missing:
            raise ValueError(f"{code}: missing {', '.join(missing)}")
        if row["se"] <= 0 or row["su"] <= 0:
            raise ValueError(f"{code}: su and se must be positive")
        subjects[code] = SubjectParameters(
            subject=code,
            **{name: float(row[name]) for name in FIGURES},
            shape_from=row.get("shape_from"),
            source=dict(row.get("source", {})),
            entrants=_prior_from_json(row["entrants"]) if row.get("entrants") else None,
        )
    return ModelParameters(
        version=str(data["version"]),
        key_stage=KeyStage(data["key_stage"]),
        prior=_prior_from_json(prior),
        subjects=subjects,
        source=data.get("source", ""),
        calibration=tuple(data.get("calibration", ())),
    )


def parameters_to_json(parameters: ModelParameters) -> dict[str, Any]:
    return {
        "version": parameters.version,
        "key_stage": str(parameters.key_stage),
        "model": "y = a + b1*pa + b2*pa^2 + g*female + d*month + u_school + e_pupil "
        "(pa = prior attainment - pa_mean; month 0 = September ... 11 = August); "
        "see docs BENCHMARKS.md",
        "source": parameters.source,
        "prior_attainment": _prior_to_json(parameters.prior),
        "subjects": {
            code: {
                **s.figures(),
                "shape_from": s.shape_from,
                "source": dict(s.source),
                **({"entrants": _prior_to_json(s.entrants)} if s.entrants else {}),
            }
            for code, s in parameters.subjects.items()
        },
        "calibration": [dict(c) for c in parameters.calibration],
    }


def read_parameters(path: str | Path) -> ModelParameters:
    with open(path, encoding="utf-8") as f:
        return parameters_from_json(json.load(f))


def dump_parameters(parameters: ModelParameters) -> str:
    return json.dumps(parameters_to_json(parameters), indent=2, ensure_ascii=False) + "\n"


def write_parameters(parameters: ModelParameters, path: str | Path) -> None:
    Path(path).write_text(dump_parameters(parameters), encoding="utf-8")


@lru_cache(maxsize=8)
def load_parameters(key_stage: KeyStage | str) -> ModelParameters:
    """The shipped parameters of a key stage."""
    ks = KeyStage(key_stage)
    return read_parameters(PARAMETERS_DIR / f"{ks.value.lower()}.json")
