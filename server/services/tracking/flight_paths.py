"""Flight paths: the grade a pupil is expected to be working at on each assessment point,
and whether a working-at grade is on track, above or below it (docs/TRACKING.md).

All figures are fine grades on the subject's points scale (BENCHMARKS.md), so 9-1 and
A*-G share one path and a working-at grade in either format compares with it.

- The path starts at the pupil's *starting position*: their Average (50th percentile)
  estimate, the only mapping BENCHMARKS.md gives from prior attainment onto the outcome
  scale (where a pupil of that prior attainment ends at average national progress). It
  ends at the pupil's target. A pupil without a target has no path.
- By default the expected points move linearly from the starting position, at the start of
  the key stage, to the target, at its end, by the share of the key stage elapsed on the
  point's date (`path_fraction`).
- A school may set the expected grade at a point for a subject and year group; that grade's
  points then replace the linear value for every pupil of the year group (`expected_points`).
- On track: the working-at points are within one grade step (`tolerance`) of the expected
  points, either side, inclusive. Above: more than that over. Below: more than that under.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum

from server.services.errors import UserInputError
from server.services.estimates.scales import Scale
from server.services.tracking.errors import TrackingErrorCode

# Float noise only: a working-at grade exactly one grade from the path is on track.
_MARGIN = 1e-9

# One grade step on each scale's points: a GCSE or A-level grade is one point wide; the KS2
# scaled score has no grades, so one "grade" there is three scaled-score points (a tenth of
# the 80-120 range between the WTS/EXS/GDS bands' edges at 100 and 110 is too fine to be
# a teacher's judgement).
_TOLERANCE_BY_SCALE = {"KS2-scaled": 3.0, "KS2-band": 3.0}
DEFAULT_TOLERANCE = 1.0


class TrackStatus(str, Enum):
    ON_TRACK = "on_track"
    ABOVE = "above"
    BELOW = "below"


def tolerance_for(scale: Scale) -> float:
    """How far from the path a working-at grade may be and still be on track."""
    return _TOLERANCE_BY_SCALE.get(scale.code, DEFAULT_TOLERANCE)


def path_fraction(on: date, starts: date, ends: date) -> float:
    """The share of the key stage elapsed on `on`, clamped to 0..1."""
    if ends <= starts:
        raise ValueError("a key stage ends after it starts")
    share = (on - starts).days / (ends - starts).days
    return min(1.0, max(0.0, share))


def expected_points(
    starting_points: float, target_points: float, fraction: float,
    set_by_school: float | None = None,
) -> float:
    """The fine grade expected at a point: the school's own expected grade where it set one,
    else linear from the starting position to the target."""
    if set_by_school is not None:
        return set_by_school
    fraction = min(1.0, max(0.0, fraction))
    return starting_points + (target_points - starting_points) * fraction


def track_status(working_at: float, expected: float, tolerance: float) -> TrackStatus:
    """On track within `tolerance` either side (inclusive), else above or below."""
    if working_at > expected + tolerance + _MARGIN:
        return TrackStatus.ABOVE
    if working_at < expected - tolerance - _MARGIN:
        return TrackStatus.BELOW
    return TrackStatus.ON_TRACK


@dataclass(frozen=True)
class TrackCounts:
    on_track: int = 0
    above: int = 0
    below: int = 0

    @property
    def total(self) -> int:
        return self.on_track + self.above + self.below

    def share(self, status: TrackStatus) -> float | None:
        """The share of tracked pupils with `status`; None when nobody is tracked."""
        if not self.total:
            return None
        n = {TrackStatus.ON_TRACK: self.on_track, TrackStatus.ABOVE: self.above,
             TrackStatus.BELOW: self.below}[status]
        return n / self.total


def count_statuses(statuses: Iterable[TrackStatus]) -> TrackCounts:
    on = above = below = 0
    for s in statuses:
        if s is TrackStatus.ON_TRACK:
            on += 1
        elif s is TrackStatus.ABOVE:
            above += 1
        else:
            below += 1
    return TrackCounts(on, above, below)


def working_at_points(scale_formats: Iterable[Scale], grade: str, field: str = "grade"
                      ) -> tuple[str, float]:
    """A typed working-at grade on one of the subject's formats: (the grade as stored, its
    points). Any grade of the scale counts, U included: a pupil may be working below G."""
    typed = (grade or "").strip().upper().replace(" ", "")
    formats = list(scale_formats)
    for scale in formats:
        if typed in scale.grades:
            return typed, scale.threshold(typed)
    for scale in formats:
        try:
            parsed = scale.parse_grade(grade, field=field)
        except UserInputError:
            continue
        return parsed, scale.threshold(parsed)
    hint = formats[0].hint if formats else ""
    raise UserInputError(
        f"'{(grade or '')[:20]}' is not a grade here. {hint}".strip(),
        field=field, code=TrackingErrorCode.INVALID_GRADE,
    )
