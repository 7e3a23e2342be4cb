"""On track, above and below per school and subject at each school's latest assessment
point, for many schools in one set-based statement (the LA and chain aggregates).

`status.year_group_tracks` decides the same for one school in Python from the cohort's
estimates; here the whole rule runs in SQL so that the aggregates' statement count does not
grow with the schools (tests/tracking/test_track_shares.py compares the two):

- each school's latest point: the year group's (or the key stage's) point with the latest
  date on or before the day, in the school's current academic year;
- the pupils counted: a working-at grade at that point, a live target in the subject, still
  in the year group and not left, with prior attainment or a standardised score;
- the flight path starts at the pupil's Average estimate, computed from the same SQL terms
  as the cached estimate averages (`summaries.estimate_parameters`), and runs linearly to
  the target by the share of the key stage elapsed on the point's date (each school's
  applied estimates version), unless the school
  set the expected grade at the point;
- on track within one grade step (`flight_paths.tolerance_for`) either side, inclusive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from tortoise import connections

from server.models import Organisation, Subject
from server.models.enums import BenchmarkLevel, KeyStage
from server.services.estimates import baselines, versions
from server.services.estimates.subjects import get_subject
from server.services.pupils.importing import school_academic_year
from server.services.targets import sql, summaries
from server.services.targets.cohort import engine_level
from server.services.tracking.flight_paths import _MARGIN, TrackCounts, tolerance_for
from server.services.tracking.status import key_stage_span

_EPOCH = date(1970, 1, 1)


def _days(column: str, postgres: bool) -> str:
    """Days since 1970-01-01 of a date column."""
    if postgres:
        return f"CAST(({column} - DATE '1970-01-01') AS DOUBLE PRECISION)"
    return f"(julianday({column}) - 2440587.5)"


def subject_tolerance(key_stage: KeyStage, code: str) -> float:
    """One grade step of the subject, the same on each of its grade formats."""
    entry = get_subject(key_stage.value, code)
    steps = {tolerance_for(s) for s in (entry.scale, *entry.grade_formats)}
    if len(steps) != 1:
        raise ValueError(f"{code}: its grade formats have different grade steps")
    return steps.pop()


def counts_sql(
    schools: Sequence[Organisation], key_stage: KeyStage, year_group: int,
    subjects: Mapping[str, Subject], on: date, applied: Mapping[int, str], postgres: bool,
) -> tuple[str, list]:
    """CTEs (without WITH) ending in track_counts(school_id, subject_id, above, below,
    tracked), and their values in order; each school's estimates from its applied
    estimates version (`applied`, per school id)."""
    school_rows, values = [], []
    today = (on - _EPOCH).days
    for school in schools:
        year = school_academic_year(school, on)
        starts, ends = key_stage_span(key_stage, year_group, year)
        school_rows.append("(CAST(? AS INTEGER), CAST(? AS VARCHAR(20)), CAST(? AS INTEGER)"
                           + ", CAST(? AS DOUBLE PRECISION)" * 3 + ")")
        values += [school.id, applied[school.id], year, today, (starts - _EPOCH).days,
                   (ends - starts).days]
    params_sql, param_values = summaries.estimate_parameters(
        key_stage, subjects, {applied[school.id] for school in schools})
    values += param_values
    steps = [(subject.id, subject_tolerance(key_stage, code)) for code, subject in subjects.items()]
    values += [v for row in steps for v in row]
    low, high = ("GREATEST", "LEAST") if postgres else ("MAX", "MIN")
    prior = baselines.sql_prior("p.prior_attainment", "p.standardised_score", postgres)
    values += [key_stage.value, year_group, *(subject_id for subject_id, _ in steps),
               *baselines.sql_values(key_stage),
               year_group, year_group, year_group, engine_level(BenchmarkLevel.AVERAGE).z,
               _MARGIN, _MARGIN]
    statement = f"""
        track_schools(school_id, version, academic_year, today, starts, span) AS (
            VALUES {", ".join(school_rows)}
        ),
        track_terms(version, subject_id, a, b1, b2, g, d, su, pa_mean, low, high) AS (
            {params_sql}
        ),
        track_steps(subject_id, tolerance) AS (
            VALUES {", ".join(["(CAST(? AS INTEGER), CAST(? AS DOUBLE PRECISION))"] * len(steps))}
        ),
        track_params AS MATERIALIZED (
            SELECT s.*, k.tolerance AS tolerance
            FROM track_terms s JOIN track_steps k ON k.subject_id = s.subject_id
        ),
        track_points AS (
            SELECT ap.school_id AS school_id, s.version AS version, ap.id AS point_id,
                   {low}(0.0, {high}(1.0, ({_days('ap."on"', postgres)} - s.starts) / s.span))
                       AS fraction,
                   ROW_NUMBER() OVER (PARTITION BY ap.school_id
                                      ORDER BY ap."on" DESC, ap.id DESC) AS n
            FROM track_schools s JOIN assessment_point ap ON ap.school_id = s.school_id
            WHERE ap.key_stage = ? AND (ap.year_group = ? OR ap.year_group IS NULL)
              AND ap.academic_year = s.academic_year
              AND {_days('ap."on"', postgres)} <= s.today
        ),
        -- The grades at the latest points first (the index on school, point and subject),
        -- then each one's target by its unique (pupil, subject): never a school's targets
        -- of every year group.
        track_working AS MATERIALIZED (
            SELECT l.school_id AS school_id, l.version AS version, l.point_id AS point_id,
                   l.fraction AS fraction,
                   w.pupil_id AS pupil_id, w.subject_id AS subject_id, w.points AS working
            FROM track_points l
            JOIN working_at_grade w ON w.school_id = l.school_id AND w.point_id = l.point_id
            WHERE l.n = 1 AND w.subject_id IN ({sql.in_list(steps)})
        ),
        track_grades AS MATERIALIZED (
            SELECT w.school_id AS school_id, w.version AS version, w.subject_id AS subject_id,
                   w.working AS working, t.points AS target, e.points AS set_by_school,
                   w.fraction AS fraction, {prior} AS pa,
                   {summaries.female_sql("p.gender")} AS female,
                   {summaries.school_month_sql("p.date_of_birth", postgres)} AS month
            FROM track_working w
            JOIN target t ON t.pupil_id = w.pupil_id AND t.subject_id = w.subject_id
            JOIN pupil p ON p.id = w.pupil_id
            LEFT JOIN expected_grade e ON e.point_id = w.point_id
                                      AND e.subject_id = w.subject_id AND e.year_group = ?
            WHERE t.school_id = w.school_id AND t.year_group = ? AND t.deleted_at IS NULL
              AND t.history_academic_year IS NULL AND p.school_id = w.school_id
              AND p.year_group = ? AND p.left_at IS NULL
              AND (p.prior_attainment IS NOT NULL OR p.standardised_score IS NOT NULL)
        ),
        track_starts AS (
            SELECT u.school_id AS school_id, u.subject_id AS subject_id, u.working AS working,
                   u.target AS target, u.set_by_school AS set_by_school, u.fraction AS fraction,
                   s.tolerance AS tolerance,
                   {low}(s.low, {high}(s.high, {summaries.fixed_part_sql("u", "s")} + ? * s.su))
                       AS start
            FROM track_grades u
            JOIN track_params s ON s.subject_id = u.subject_id AND s.version = u.version
        ),
        track_expected AS (
            SELECT school_id, subject_id, working, tolerance,
                   COALESCE(set_by_school, start * (1 - fraction) + target * fraction)
                       AS expected
            FROM track_starts
        ),
        track_counts AS (
            SELECT school_id, subject_id,
                   SUM(CASE WHEN working > expected + tolerance + ? THEN 1 ELSE 0 END) AS above,
                   SUM(CASE WHEN working < expected - tolerance - ? THEN 1 ELSE 0 END) AS below,
                   COUNT(*) AS tracked
            FROM track_expected
            GROUP BY school_id, subject_id
        )
    """  # noqa: S608 - only placeholders and fixed SQL are interpolated
    return statement, values


async def track_counts(
    schools: Sequence[Organisation], key_stage: KeyStage, year_group: int,
    subjects: Mapping[str, Subject], on: date,
) -> dict[tuple[int, int], TrackCounts]:
    """Per (school id, subject id) with anyone tracked: the counts (two statements: the
    schools' applied estimates versions, then the counts)."""
    if not schools or not subjects:
        return {}
    applied = await versions.school_versions([s.id for s in schools], key_stage)
    connection = connections.get("default")
    ctes, values = counts_sql(schools, key_stage, year_group, subjects, on, applied,
                              sql.is_postgres(connection))
    rows = await sql.fetch(connection, f"WITH {ctes} SELECT * FROM track_counts",  # noqa: S608
                           values)
    return {(r["school_id"], r["subject_id"]): counts_of(r) for r in rows}


def counts_of(row: Mapping) -> TrackCounts:
    above, below = int(row["above"] or 0), int(row["below"] or 0)
    return TrackCounts(on_track=int(row["tracked"] or 0) - above - below, above=above,
                       below=below)
