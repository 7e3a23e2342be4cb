"""Reading the summary rows instead of scanning targets and pupils (issue 8).

- `target_summary` and `target_summary_grade` are kept current by triggers on target and
  pupil (migration 0003; 0004 has PostgreSQL's target trigger functions find each pupil by
  its primary key) for every write, bulk SQL included: live targets (not deleted, not
  history of an earlier school year) of pupils who have not left, per school, key stage,
  the pupil's current year group and subject: how many, how many pre-populated, the sum of
  their points, and how many at each points value. That is exactly what a GROUP BY over
  target JOIN pupil counted before (tests/targets/test_summary_consistency.py compares them
  after every kind of write).
- `estimate_summary` caches, per school, key stage, year group and subject, the pupils with
  prior attainment and their mean estimate at each benchmark, with the year group's pupil
  revision (bumped by a trigger on pupil) and the model version it was computed from.
  `refresh_estimates` recomputes only rows that are missing or behind, in one set-based
  statement: each pupil's prior attainment, else their standardised score equated onto its
  scale (services.estimates.baselines, the same straight line as the pages), the model's
  fixed part a + b1*pa + b2*pa^2 + g*female + d*month evaluated in SQL
  from the parameters of each school's applied estimates version (a row computed from
  another version is stale, so applying or rolling back a version renews the cache), then
  z*su added and clamped to the scale, averaged. A school's
  custom challenge level (services/estimates/challenge.py) is averaged in the same statement
  from its terms (z1, z2, w, n), and a row computed at another level (or none) is stale.

Each function is one statement whatever the number of schools and pupils.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from tortoise import connections

from server.models import Subject
from server.models.enums import BenchmarkLevel, KeyStage
from server.services.estimates import baselines, versions
from server.services.estimates.challenge import CustomLevel
from server.services.estimates.subjects import get_subject
from server.services.targets import sql
from server.services.targets.cohort import LEVELS, engine_level

# Columns of estimate_summary holding the mean estimate at each of LEVELS, in that order.
LEVEL_COLUMNS: dict[BenchmarkLevel, str] = dict(
    zip(LEVELS, ("average", "high", "very_high"), strict=True)
)


def _connection():
    return connections.get("default")


def is_postgres() -> bool:
    return sql.is_postgres(_connection())


def _birth_month_sql(column: str, postgres: bool) -> str:
    if postgres:
        return f"CAST(EXTRACT(MONTH FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%m', {column}) AS INTEGER)"


def _customs_sql(
    customs: Mapping[tuple[int, str], CustomLevel], subjects: Mapping[str, Subject]
) -> tuple[str, list]:
    """The customs(school_id, subject_id, code, z1, z2, w, n) rows (none: an empty SELECT)."""
    rows = [(school_id, subjects[code].id, level) for (school_id, code), level in customs.items()
            if code in subjects]
    if not rows:
        return ("SELECT CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), CAST(NULL AS VARCHAR(12)), "
                + ", ".join(["CAST(NULL AS DOUBLE PRECISION)"] * 4) + " WHERE 1 = 0"), []
    row_sql = ("(CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS VARCHAR(12))"
               + ", CAST(? AS DOUBLE PRECISION)" * 4 + ")")
    values: list = []
    for school_id, subject_id, level in rows:
        values += [school_id, subject_id, level.code, *level.terms()]
    return "VALUES " + ", ".join([row_sql] * len(rows)), values


def estimate_parameters(
    key_stage: KeyStage, subjects: Mapping[str, Subject], in_use: Iterable[str]
) -> tuple[str, list]:
    """The model's terms of each estimates version in use, per subject, as SQL rows
    (version, subject_id, a, b1, b2, g, d, su, pa_mean, low, high): a VALUES list and its
    values. Every SQL estimate (these averages and the tracking flight paths' starting
    positions) reads its terms from here.
    """
    rows: list[str] = []
    values: list = []
    for version in sorted(set(in_use)):
        parameters = versions.parameters_of(key_stage, version)
        for code, subject in subjects.items():
            p = parameters[code]
            scale = get_subject(key_stage.value, code).scale
            rows.append("(CAST(? AS VARCHAR(20)), CAST(? AS INTEGER)"
                        + ", CAST(? AS DOUBLE PRECISION)" * 9 + ")")
            values += [version, subject.id, p.a, p.b1, p.b2, p.g, p.d, p.su, p.pa_mean,
                       scale.low, scale.high]
    return "VALUES " + ", ".join(rows), values


def fixed_part_sql(pupil: str, params: str) -> str:
    """The model's fixed part a + b1*pa + b2*pa^2 + g*female + d*month in SQL, from a pupil
    row alias with pa, female and month and a parameters row alias (estimate_parameters)."""
    return (f"{params}.a + ({pupil}.pa - {params}.pa_mean) * ({params}.b1 + {params}.b2 * "
            f"({pupil}.pa - {params}.pa_mean)) + {params}.g * {pupil}.female "
            f"+ {params}.d * {pupil}.month")


def female_sql(gender: str) -> str:
    return f"CASE UPPER(TRIM({gender})) WHEN 'F' THEN 1.0 WHEN 'M' THEN 0.0 ELSE 0.5 END"


def school_month_sql(date_of_birth: str, postgres: bool) -> str:
    """The month of the school year of a birth date: September 0 ... August 11."""
    return f"(({_birth_month_sql(date_of_birth, postgres)} + 3) % 12)"


async def refresh_estimates(
    school_ids: Sequence[int], key_stage: KeyStage, year_group: int,
    subjects: Mapping[str, Subject],
    customs: Mapping[tuple[int, str], CustomLevel] | None = None,
    applied: Mapping[int, str] | None = None,
) -> None:
    """Recompute the cached estimate rows of these schools and subjects that are missing,
    behind their year group's pupil revision, of another model version than the school's
    applied one (`applied`, per school; looked up when not given), or computed at another
    custom level than the school's (`customs`: per school and subject code).
    """
    if not school_ids or not subjects:
        return
    connection = _connection()
    postgres = sql.is_postgres(connection)
    if applied is None:
        applied = await versions.school_versions(school_ids, key_stage)
    params_sql, values = estimate_parameters(key_stage, subjects,
                                             {applied[s] for s in school_ids})
    school_rows = ", ".join(["(CAST(? AS INTEGER), CAST(? AS VARCHAR(20)))"] * len(school_ids))
    values += [v for s in school_ids for v in (s, applied[s])]
    customs_sql, custom_values = _customs_sql(customs or {}, subjects)
    values += custom_values
    low, high = ("GREATEST", "LEAST") if postgres else ("MAX", "MIN")
    clamped = [
        f"AVG({low}(f.low, {high}(f.high, f.y + ? * f.su))) AS est_{i}"
        for i in range(len(LEVELS))
    ]

    def clamp(x: str) -> str:
        return f"{low}(f.low, {high}(f.high, {x}))"

    custom = clamp(f"f.w * {clamp('f.y + f.z1 * f.su')} "
                   f"+ (1 - f.w) * {clamp('f.y + f.z2 * f.su')} + f.n")
    clamped.append(f"AVG(CASE WHEN f.custom_level IS NULL THEN NULL ELSE {custom} END) "
                   "AS est_custom")
    month = school_month_sql("p.date_of_birth", postgres)
    # Prior attainment, else the equated standardised score (a fallback baseline).
    prior = baselines.sql_prior("p.prior_attainment", "p.standardised_score", postgres)
    ks = key_stage.value
    statement = f"""
        WITH params(version, subject_id, a, b1, b2, g, d, su, pa_mean, low, high) AS (
            {params_sql}
        ),
        applied(school_id, version) AS (VALUES {school_rows}),
        customs(school_id, subject_id, code, z1, z2, w, n) AS ({customs_sql}),
        revisions AS (
            SELECT o.id AS school_id, COALESCE(r.revision, 0) AS revision, a.version AS version
            FROM organisation o
            JOIN applied a ON a.school_id = o.id
            LEFT JOIN pupil_revision r ON r.school_id = o.id AND r.year_group = ?
            WHERE o.id IN ({sql.in_list(school_ids)})
        ),
        stale AS MATERIALIZED (
            SELECT v.school_id AS school_id, s.subject_id AS subject_id, v.revision AS revision,
                   v.version AS version,
                   u.code AS custom_level, u.z1 AS z1, u.z2 AS z2, u.w AS w, u.n AS n
            FROM revisions v JOIN params s ON s.version = v.version
            LEFT JOIN customs u ON u.school_id = v.school_id AND u.subject_id = s.subject_id
            LEFT JOIN estimate_summary c
                   ON c.school_id = v.school_id AND c.key_stage = ? AND c.year_group = ?
                  AND c.subject_id = s.subject_id
            WHERE c.id IS NULL OR c.revision <> v.revision OR c.model_version <> v.version
               OR COALESCE(c.custom_level, '') <> COALESCE(u.code, '')
        ),
        baseline AS MATERIALIZED (
            SELECT p.school_id AS school_id, {prior} AS pa, p.gender AS gender,
                   p.date_of_birth AS date_of_birth,
                   CASE WHEN p.prior_attainment IS NULL THEN 1 ELSE 0 END AS fallback
            FROM pupil p
            WHERE p.school_id IN (SELECT school_id FROM stale)
              AND p.year_group = ? AND p.left_at IS NULL
              AND (p.prior_attainment IS NOT NULL OR p.standardised_score IS NOT NULL)
        ),
        pupils AS MATERIALIZED (
            SELECT p.school_id AS school_id, p.pa AS pa, p.fallback AS fallback,
                   {female_sql("p.gender")} AS female,
                   {month} AS month
            FROM baseline p
        ),
        fixed AS MATERIALIZED (
            SELECT k.school_id AS school_id, k.subject_id AS subject_id, s.su AS su,
                   s.low AS low, s.high AS high, k.custom_level AS custom_level,
                   k.z1 AS z1, k.z2 AS z2, k.w AS w, k.n AS n, u.fallback AS fallback,
                   {fixed_part_sql("u", "s")} AS y
            FROM stale k JOIN params s ON s.subject_id = k.subject_id AND s.version = k.version
            JOIN pupils u ON u.school_id = k.school_id
        ),
        figures AS (
            SELECT f.school_id AS school_id, f.subject_id AS subject_id, COUNT(*) AS pupils,
                   SUM(f.fallback) AS fallback_pupils,
                   {", ".join(clamped)}
            FROM fixed f
            GROUP BY f.school_id, f.subject_id
        )
        INSERT INTO estimate_summary (school_id, key_stage, year_group, subject_id, pupils,
                                      fallback_pupils, average, high, very_high, custom,
                                      custom_level, model_version, revision)
        SELECT k.school_id, CAST(? AS VARCHAR(3)), CAST(? AS INTEGER), k.subject_id,
               COALESCE(x.pupils, 0), COALESCE(x.fallback_pupils, 0), x.est_0, x.est_1, x.est_2,
               x.est_custom, k.custom_level, k.version, k.revision
        FROM stale k LEFT JOIN figures x
             ON x.school_id = k.school_id AND x.subject_id = k.subject_id
        WHERE 1 = 1
        ORDER BY k.school_id, k.subject_id
        ON CONFLICT (school_id, key_stage, year_group, subject_id) DO UPDATE SET
            pupils = excluded.pupils, fallback_pupils = excluded.fallback_pupils,
            average = excluded.average, high = excluded.high,
            very_high = excluded.very_high, custom = excluded.custom,
            custom_level = excluded.custom_level, model_version = excluded.model_version,
            revision = excluded.revision
    """  # noqa: S608 - only placeholders and fixed SQL are interpolated
    z = [engine_level(level).z for level in LEVELS]
    await sql.execute(connection, statement, [
        *values, year_group, *school_ids, ks, year_group,
        *baselines.sql_values(key_stage), year_group, *z,
        ks, year_group,
    ])


async def figures(
    school_ids: Sequence[int], key_stage: KeyStage, year_group: int, subject_ids: Sequence[int],
    tracking: tuple[str, list] | None = None,
) -> list[dict]:
    """Per (school, subject): the cached estimate row (after `refresh_estimates`) with the
    live targets' count and points total (None: no targets summarised).

    `tracking`: SQL (with its values) of CTEs ending in `track_counts(school_id, subject_id,
    above, below, tracked)`, joined in as columns of the same names (None: nobody tracked),
    so the tracking shares cost no statement of their own.
    """
    if not school_ids or not subject_ids:
        return []
    with_sql, track_columns, track_join, values = "", "", "", []
    if tracking is not None:
        with_sql, values = f"WITH {tracking[0]}", list(tracking[1])
        track_columns = ", k.above AS above, k.below AS below, k.tracked AS tracked"
        track_join = ("LEFT JOIN track_counts k "
                      "ON k.school_id = c.school_id AND k.subject_id = c.subject_id")
    statement = f"""
        {with_sql}
        SELECT c.school_id AS school_id, c.subject_id AS subject_id, c.pupils AS pupils,
               c.fallback_pupils AS fallback_pupils, c.average AS average, c.high AS high,
               c.very_high AS very_high, c.custom AS custom,
               t.targets_set AS targets_set, t.points_total AS points_total{track_columns}
        FROM estimate_summary c
        LEFT JOIN target_summary t
               ON t.school_id = c.school_id AND t.key_stage = c.key_stage
              AND t.year_group = c.year_group AND t.subject_id = c.subject_id
        {track_join}
        WHERE c.school_id IN ({sql.in_list(school_ids)}) AND c.key_stage = ?
          AND c.year_group = ? AND c.subject_id IN ({sql.in_list(subject_ids)})
    """  # noqa: S608 - only placeholders and fixed SQL are interpolated
    return await sql.fetch(_connection(), statement,
                           [*values, *school_ids, key_stage.value, year_group, *subject_ids])


async def targets_at_or_above(
    year_group: int, school_ids: Sequence[int], subject_ids: Sequence[int],
    thresholds: Sequence[float],
) -> list[dict]:
    """Live targets with points >= each threshold per (school, subject), from the counts
    per points value: columns school_id, subject_id, n_0, n_1, ... (one per threshold).
    """
    if not school_ids or not subject_ids or not thresholds:
        return []
    counts = ", ".join(
        f"SUM(CASE WHEN points >= ? THEN targets ELSE 0 END) AS n_{i}"
        for i in range(len(thresholds))
    )
    statement = f"""
        SELECT school_id, subject_id, {counts}
        FROM target_summary_grade
        WHERE school_id IN ({sql.in_list(school_ids)}) AND subject_id IN ({sql.in_list(subject_ids)})
          AND year_group = ?
        GROUP BY school_id, subject_id
    """  # noqa: S608 - only placeholders and fixed SQL are interpolated
    return await sql.fetch(_connection(), statement,
                           [*thresholds, *school_ids, *subject_ids, year_group])
