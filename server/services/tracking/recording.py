"""Writing tracking data: a working-at grade per pupil, subject and assessment point.

Entering a grade again replaces it: one statement (INSERT ... ON CONFLICT on the unique
pupil, subject and point ... DO UPDATE ... RETURNING), so two teachers saving at once
leave exactly one row, the later value, and never fail on the unique constraint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise import connections

from server.services.targets import sql

_UPSERT = """
INSERT INTO working_at_grade
    (school_id, pupil_id, subject_id, point_id, grade, points, entered_by_id, entered_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (pupil_id, subject_id, point_id) DO UPDATE SET
    grade = excluded.grade, points = excluded.points,
    entered_by_id = excluded.entered_by_id, entered_at = excluded.entered_at
RETURNING id, grade, points
"""


@dataclass(frozen=True)
class Recorded:
    id: int
    grade: str
    points: float


async def record_working_at(
    school_id: int, pupil_id: int, subject_id: int, point_id: int, grade: str,
    points: float, entered_by_id: int | None,
) -> Recorded:
    """Save (or replace) one working-at grade, deciding from what the statement returned."""
    connection = connections.get("default")
    rows = await sql.fetch(connection, _UPSERT, [
        school_id, pupil_id, subject_id, point_id, grade, points, entered_by_id,
        datetime.now(UTC),
    ])
    row = rows[0]
    return Recorded(int(row["id"]), row["grade"], float(row["points"]))
