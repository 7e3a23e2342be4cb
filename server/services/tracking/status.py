"""On track, above or below at the latest assessment point, per pupil and subject, and the
counts per subject (docs/TRACKING.md).

The latest assessment point of a year group is the one with the latest date on or before
the day asked about, among the school's points for that key stage and academic year that
are for the year group or for every year group of the key stage. A pupil counts when they
have a live target and a working-at grade at that point in the subject.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
from tortoise.expressions import Q

from server.models import (
    AssessmentPoint,
    ExpectedGrade,
    Organisation,
    Pupil,
    Subject,
    Target,
    WorkingAtGrade,
)
from server.models.enums import YEAR_GROUPS, BenchmarkLevel, KeyStage
from server.services.pupils.importing import school_academic_year
from server.services.targets.cohort import year_group_estimates
from server.services.tracking.flight_paths import (
    TrackCounts,
    TrackStatus,
    count_statuses,
    expected_points,
    path_fraction,
    tolerance_for,
    track_status,
)


def key_stage_span(key_stage: KeyStage, year_group: int, academic_year: int
                   ) -> tuple[date, date]:
    """When the key stage of a pupil now in `year_group` started (1 September of its first
    year) and ends (30 June of its last year, when the outcome is reached)."""
    years = sorted(YEAR_GROUPS[key_stage])
    first = academic_year - (year_group - years[0])
    last = academic_year + (years[-1] - year_group)
    return date(first, 9, 1), date(last + 1, 6, 30)


async def latest_point(school_id: int, key_stage: KeyStage, year_group: int,
                       academic_year: int, on: date) -> AssessmentPoint | None:
    return await AssessmentPoint.filter(
        Q(year_group=year_group) | Q(year_group__isnull=True),
        school_id=school_id, key_stage=key_stage, academic_year=academic_year, on__lte=on,
    ).order_by("-on", "-id").first()


@dataclass(frozen=True)
class PupilTrack:
    pupil_id: int
    subject_code: str
    working_at: str
    working_at_points: float
    expected: float
    status: TrackStatus


async def year_group_tracks(
    school_id: int, key_stage: KeyStage, year_group: int, academic_year: int, on: date,
) -> tuple[AssessmentPoint | None, list[PupilTrack]]:
    """Every tracked pupil and subject at the latest point (a constant number of statements)."""
    point = await latest_point(school_id, key_stage, year_group, academic_year, on)
    if point is None:
        return None, []
    grades = await WorkingAtGrade.filter(point_id=point.id).values(
        "pupil_id", "subject_id", "grade", "points"
    )
    if not grades:
        return point, []
    cohort = await year_group_estimates(school_id, key_stage, year_group)
    subjects = {s.id: s for s in await Subject.filter(key_stage=key_stage)}
    targets = {
        (t["pupil_id"], t["subject_id"]): t["points"]
        for t in await Target.filter(
            school_id=school_id, year_group=year_group, deleted_at__isnull=True,
            history_academic_year__isnull=True,
        ).values("pupil_id", "subject_id", "points")
    }
    set_by_school = {
        e["subject_id"]: e["points"]
        for e in await ExpectedGrade.filter(point_id=point.id, year_group=year_group).values(
            "subject_id", "points"
        )
    }
    starts, ends = key_stage_span(key_stage, year_group, academic_year)
    fraction = path_fraction(point.on, starts, ends)
    columns = {pupil_id: i for i, pupil_id in enumerate(cohort.pupil_ids)}
    out = []
    for g in grades:
        subject = subjects.get(g["subject_id"])
        target = targets.get((g["pupil_id"], g["subject_id"]))
        column = columns.get(g["pupil_id"])
        if subject is None or target is None or column is None or subject.code not in \
                cohort.subjects:
            continue
        start = float(cohort.points(subject.code, BenchmarkLevel.AVERAGE)[column])
        if np.isnan(start):
            continue
        expected = expected_points(start, float(target), fraction,
                                   set_by_school.get(subject.id))
        scale = cohort.choices[subject.code].scale
        out.append(PupilTrack(
            pupil_id=g["pupil_id"], subject_code=subject.code, working_at=g["grade"],
            working_at_points=float(g["points"]), expected=expected,
            status=track_status(float(g["points"]), expected, tolerance_for(scale)),
        ))
    return point, out


def counts_by_subject(tracks: list[PupilTrack]) -> dict[str, TrackCounts]:
    by_subject: dict[str, list[TrackStatus]] = defaultdict(list)
    for t in tracks:
        by_subject[t.subject_code].append(t.status)
    return {code: count_statuses(statuses) for code, statuses in by_subject.items()}


async def school_tracking(school_id: int, key_stage: KeyStage, year_group: int, today: date
                          ) -> tuple[AssessmentPoint | None, list[PupilTrack], dict[int, str]]:
    """The school's tracking in its current academic year on `today`, with each tracked
    pupil's UPN."""
    school = await Organisation.get(id=school_id)
    point, tracks = await year_group_tracks(
        school_id, key_stage, year_group, school_academic_year(school), today
    )
    upns = {p["id"]: p["upn"] for p in await Pupil.filter(
        id__in=[t.pupil_id for t in tracks]).values("id", "upn")} if tracks else {}
    return point, tracks, upns
