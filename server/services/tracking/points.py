"""Assessment points: checks on a school's names and dates (docs/TRACKING.md)."""

from __future__ import annotations

from datetime import date

from server.services.errors import UserInputError
from server.services.tracking.errors import TrackingErrorCode

MAX_NAME = 50
MAX_POINTS_PER_YEAR = 6


def check_point_name(name: str | None) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise UserInputError("Enter a name for the assessment point, for example Autumn",
                             field="name", code=TrackingErrorCode.REQUIRED)
    if len(cleaned) > MAX_NAME:
        raise UserInputError(f"The name must be {MAX_NAME} characters or fewer",
                             field="name", code=TrackingErrorCode.TOO_LONG)
    return cleaned


def check_point_date(on: date | None, academic_year: int) -> date:
    """A point's date falls within the school's academic year (1 September to 31 August)."""
    if on is None:
        raise UserInputError("Enter the date of the assessment point", field="date",
                             code=TrackingErrorCode.REQUIRED)
    starts, ends = date(academic_year, 9, 1), date(academic_year + 1, 8, 31)
    if not starts <= on <= ends:
        raise UserInputError(
            f"The date must be in the school year {academic_year}/{str(academic_year + 1)[2:]}"
            f" ({starts:%-d %B %Y} to {ends:%-d %B %Y})",
            field="date", code=TrackingErrorCode.OUTSIDE_SCHOOL_YEAR,
        )
    return on
