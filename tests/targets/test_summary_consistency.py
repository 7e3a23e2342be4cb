"""The summary rows the database keeps current (migration 0003) always equal a fresh
GROUP BY over target and pupil, whatever writes them: the services (set a target, delete,
restore, pre-populate, import pupils (with and without a standardised score column), enter a
standardised score, mark leavers, roll forward) and plain bulk SQL.

The cached estimate averages (estimate_summary) equal the estimates engine's after every
step too: a pupil change makes them stale and they are recomputed, and only then.

A seeded random walk of those writes, compared after every step, on the database the
suite runs on (SQLite, or PostgreSQL with ASPIRE_TEST_DATABASE_URL).
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from tortoise import connections

from server.models import Pupil, TargetDeletion, YearGroupSettings
from server.models.enums import BenchmarkLevel, Editing, KeyStage, Prepopulate, PupilAccess, Role
from server.services.accounts.audit import Actor
from server.services.errors import UserInputError
from server.services.pupils.baselines import set_standardised_score
from server.services.pupils.importing import confirm_pupil_import, upload_pupil_file
from server.services.pupils.rollforward import roll_forward
from server.services.targets import sql, summaries
from server.services.targets.benchmarks import BenchmarkChoice, save_benchmarks
from server.services.targets.cohort import LEVELS, subject_choices_by_school, year_group_estimates
from server.services.targets.custom_levels import CustomLevelInput
from server.services.targets.deletion import delete_targets, purge_expired, restore_deletion
from server.services.targets.prepopulate import prepopulate_year_group
from server.services.targets.pupil_targets import set_target
from tests.factories import make_school, make_user
from tests.targets.world import subjects

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pupils"))
from pupil_files import HEADER, csv_bytes, pupil_row  # noqa: E402

LIVE = ("t.deleted_at IS NULL AND t.history_academic_year IS NULL AND p.left_at IS NULL")
PRE = "CASE WHEN t.prepopulated THEN 1 ELSE 0 END"
FRESH_SUMMARY = f"""
    SELECT t.school_id AS school_id, t.key_stage AS key_stage, p.year_group AS year_group,
           t.subject_id AS subject_id, COUNT(*) AS n, SUM({PRE}) AS pp, SUM(t.points) AS pts
    FROM target t JOIN pupil p ON p.id = t.pupil_id AND p.school_id = t.school_id
    WHERE {LIVE}
    GROUP BY t.school_id, t.key_stage, p.year_group, t.subject_id
"""
FRESH_GRADES = f"""
    SELECT t.school_id AS school_id, t.key_stage AS key_stage, p.year_group AS year_group,
           t.subject_id AS subject_id, t.points AS points, COUNT(*) AS n, SUM({PRE}) AS pp
    FROM target t JOIN pupil p ON p.id = t.pupil_id AND p.school_id = t.school_id
    WHERE {LIVE}
    GROUP BY t.school_id, t.key_stage, p.year_group, t.subject_id, t.points
"""
KEPT_SUMMARY = """SELECT school_id, key_stage, year_group, subject_id, targets_set AS n,
                         prepopulated AS pp, points_total AS pts FROM target_summary"""
KEPT_GRADES = """SELECT school_id, key_stage, year_group, subject_id, points, targets AS n,
                        prepopulated AS pp FROM target_summary_grade"""


async def _rows(statement: str) -> list[dict]:
    return await sql.fetch(connections.get("default"), statement)


def _key(row: dict, *names: str) -> tuple:
    return tuple(row[n] for n in ("school_id", "key_stage", "year_group", "subject_id", *names))


async def summaries_match_fresh_group_by(step: str) -> int:
    """Compare both summaries with a fresh GROUP BY; the number of live targets."""
    fresh = {_key(r): (r["n"], r["pp"], round(r["pts"], 6)) for r in await _rows(FRESH_SUMMARY)}
    kept = {
        _key(r): (r["n"], r["pp"], round(r["pts"], 6))
        for r in await _rows(KEPT_SUMMARY) if (r["n"], r["pp"], round(r["pts"], 6)) != (0, 0, 0)
    }
    assert kept == fresh, step
    fresh_grades = {_key(r, "points"): (r["n"], r["pp"]) for r in await _rows(FRESH_GRADES)}
    kept_grades = {
        _key(r, "points"): (r["n"], r["pp"])
        for r in await _rows(KEPT_GRADES) if (r["n"], r["pp"]) != (0, 0)
    }
    assert kept_grades == fresh_grades, step
    return sum(v[0] for v in fresh.values())


async def estimates_match_the_engine(schools, codes, step: str) -> None:
    """The cached rows, refreshed, against the engine's per-pupil estimates averaged."""
    subs = {c: s for c, s in (await subjects()).items() if c in codes}
    ids = [school.id for school in schools]
    for year_group in (10, 11):
        choices = await subject_choices_by_school(ids, KeyStage.KS4, year_group, list(subs))
        customs = {(s, c): choice.custom for s, by_code in choices.items()
                   for c, choice in by_code.items() if choice.custom is not None}
        await summaries.refresh_estimates(ids, KeyStage.KS4, year_group, subs, customs)
        rows = await summaries.figures(ids, KeyStage.KS4, year_group,
                                       [s.id for s in subs.values()])
        got = {(r["school_id"], r["subject_id"]): r for r in rows}
        assert len(got) == len(ids) * len(subs), step
        for school in schools:
            cohort = await year_group_estimates(school.id, KeyStage.KS4, year_group, codes)
            for code, subject in subs.items():
                row = got[(school.id, subject.id)]
                assert row["pupils"] == cohort.pupils_with_estimates, step
                assert row["fallback_pupils"] == cohort.pupils_on_standardised_score, step
                for level in LEVELS:
                    points = cohort.points(code, level)
                    expected = float(np.nanmean(points)) if cohort.pupils_with_estimates else None
                    assert row[summaries.LEVEL_COLUMNS[level]] == pytest.approx(expected), step
                if (school.id, code) in customs and cohort.pupils_with_estimates:
                    expected = float(np.nanmean(cohort.points(code, BenchmarkLevel.CUSTOM)))
                    assert row["custom"] == pytest.approx(expected), step
                else:
                    assert row["custom"] is None, step


class Walk:
    """Two schools, KS4 Years 10 and 11 pre-populated, and the writes a school makes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.serial = 0
        self.schools: list = []
        self.users: dict[int, int] = {}
        self.files: dict[int, list[dict[str, str]]] = {}
        self.codes: list[str] = []

    async def setup(self) -> None:
        self.codes = list(await subjects())[:6]
        for _ in range(2):
            school = await make_school()
            self.schools.append(school)
            self.users[school.id] = (await make_user(school, Role.DATA_MANAGER,
                                                     PupilAccess.FULL)).id
            for year_group in (10, 11):
                await YearGroupSettings.create(
                    school=school, key_stage=KeyStage.KS4, year_group=year_group,
                    use_target_setting=True, prepopulate=Prepopulate.BENCHMARK,
                    editing=Editing.YES,
                )
            self.files[school.id] = [self.new_pupil(self.rng.choice((10, 11))) for _ in range(10)]
            await self.import_file(school, mark_left=False)

    def new_pupil(self, year_group: int) -> dict[str, str]:
        self.serial += 1
        row = pupil_row(self.serial, year_group, Gender=self.rng.choice("FM"))
        if self.rng.random() < 0.3:
            row["Prior attainment"] = ""
            if self.rng.random() < 0.5:
                row["Standardised score"] = f"{self.rng.uniform(62, 138):.1f}"
        return row

    async def import_file(self, school, mark_left: bool) -> None:
        actor = Actor.system()
        # Half the files carry the optional column (a blank cell clears a score); the rest
        # leave the scores as they are.
        header = HEADER + ["Standardised score"] if self.rng.random() < 0.5 else None
        upload = await upload_pupil_file(school.id, "pupils.csv",
                                         csv_bytes(self.files[school.id], header), actor)
        await confirm_pupil_import(school.id, upload.id, mark_left, actor)

    # -- the steps ------------------------------------------------------------------------

    async def set_target(self, school) -> str:
        pupil = await Pupil.filter(school_id=school.id, left_at__isnull=True).order_by("id")
        if not pupil:
            return "no pupils"
        chosen = self.rng.choice(pupil)
        grade = str(self.rng.randint(1, 9))
        code = self.rng.choice(self.codes)
        try:
            await set_target(school.id, self.users[school.id], chosen.id, None, code, grade)
        except UserInputError as error:
            return f"set refused ({error.code})"
        return f"set {code} {grade}"

    async def delete(self, school) -> str:
        code = self.rng.choice([None, *self.codes])
        try:
            await delete_targets(school.id, KeyStage.KS4, self.rng.choice((10, 11)), code,
                                 Actor.system())
        except UserInputError as error:
            return f"delete refused ({error.code})"
        return f"delete {code or 'all'}"

    async def restore(self, school) -> str:
        deletions = await TargetDeletion.filter(school_id=school.id, restored_at__isnull=True)
        if not deletions:
            return "nothing to restore"
        await restore_deletion(school.id, self.rng.choice(deletions).id, Actor.system())
        return "restore"

    async def prepopulate(self, school) -> str:
        year_group = self.rng.choice((10, 11))
        written = await prepopulate_year_group(school.id, KeyStage.KS4, year_group, None)
        return f"prepopulate Y{year_group}: {written}"

    async def custom_level(self, school) -> str:
        """A custom challenge level chosen (or a benchmark again): targets follow it."""
        year_group, code = self.rng.choice((10, 11)), self.rng.choice(self.codes)
        level = self.rng.choice([
            CustomLevelInput("percentile", percentile=self.rng.randint(1, 99)),
            CustomLevelInput("midpoint", benchmark="AVERAGE", other_benchmark="VERY_HIGH"),
            CustomLevelInput("offset", benchmark="HIGH", fine_grades=self.rng.choice((-1.5, 2.0))),
            None,
        ])
        choice = BenchmarkChoice(code, BenchmarkLevel.CUSTOM if level else BenchmarkLevel.HIGH,
                                 custom=level)
        _, written = await save_benchmarks(school.id, KeyStage.KS4, year_group, [choice],
                                           Actor.system())
        return f"custom level Y{year_group} {code}: {written}"

    async def import_pupils(self, school) -> str:
        """New pupils, pupils changing year group or prior attainment, leavers."""
        rows = self.files[school.id]
        for row in rows:
            roll = self.rng.random()
            if roll < 0.15:
                row["Year group"] = "11" if row["Year group"] == "10" else "10"
                row["Date of birth"] = pupil_row(1, int(row["Year group"]))["Date of birth"]
            elif roll < 0.3:
                row["Prior attainment"] = f"{self.rng.uniform(90, 118):.1f}"
        rows += [self.new_pupil(self.rng.choice((10, 11))) for _ in range(self.rng.randint(0, 3))]
        leaving = [r for r in rows if self.rng.random() < 0.1]
        self.files[school.id] = [r for r in rows if r not in leaving]
        try:
            await self.import_file(school, mark_left=bool(leaving))
        except UserInputError as error:  # everyone left: a file of headings only is refused
            return f"import refused ({error.code})"
        return f"import ({len(leaving)} leaving)"

    async def standardised_score(self, school) -> str:
        """A fallback baseline entered or removed on the site, one pupil at a time."""
        pupils = await Pupil.filter(school_id=school.id, left_at__isnull=True).order_by("id")
        if not pupils:
            return "no pupils"
        chosen = self.rng.choice(pupils)
        score = "" if self.rng.random() < 0.2 else f"{self.rng.uniform(60, 140):.1f}"
        done = await set_standardised_score(school.id, chosen.upn, score, Actor.system())
        for row in self.files[school.id]:
            if row["UPN"] == chosen.upn:
                row["Standardised score"] = score
        return f"score {score or 'removed'} ({done.prepopulated} pre-populated)"

    async def returner(self, school) -> str:
        """A leaver comes back (left_at cleared by plain SQL)."""
        changed = await sql.execute(
            connections.get("default"),
            "UPDATE pupil SET left_at = NULL WHERE school_id = ? AND left_at IS NOT NULL",
            [school.id],
        )
        return f"returners {changed}"

    async def bulk_sql(self, school) -> str:
        """Plain SQL over many targets: grades moved, pre-populated flags cleared."""
        connection = connections.get("default")
        bump = await sql.execute(
            connection,
            "UPDATE target SET points = points + 1, prepopulated = FALSE "
            "WHERE school_id = ? AND points < 9 AND id % 3 = ?",
            [school.id, self.rng.randint(0, 2)],
        )
        return f"bulk update {bump}"

    async def remove_pupil(self, school) -> str:
        pupil = await Pupil.filter(school_id=school.id).order_by("id").first()
        if pupil is None:
            return "no pupil to remove"
        await sql.execute(connections.get("default"), "DELETE FROM pupil WHERE id = ?", [pupil.id])
        self.files[school.id] = [r for r in self.files[school.id] if r["UPN"] != pupil.upn]
        return "pupil removed"

    async def purge(self, school) -> str:
        removed = await purge_expired(datetime.now(UTC) + timedelta(days=31))
        return f"purged {removed}"

    async def roll(self, school) -> str:
        await school.refresh_from_db()
        await roll_forward(school.id, school.current_academic_year, Actor.system())
        await school.refresh_from_db()
        # The school's file now describes next year's pupils.
        kept = []
        for row in self.files[school.id]:
            year_group = int(row["Year group"]) + 1
            if year_group <= 11:
                row["Year group"] = str(year_group)
                kept.append(row)
        self.files[school.id] = kept
        return "roll forward"


STEPS = {
    "set_target": 6, "delete": 2, "restore": 2, "prepopulate": 3, "custom_level": 2,
    "import_pupils": 2, "standardised_score": 2,
    "returner": 1, "bulk_sql": 1, "remove_pupil": 1, "purge": 1, "roll": 1,
}


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_summaries_equal_a_fresh_group_by_after_every_write(seed):
    rng = random.Random(seed)
    walk = Walk(rng)
    await walk.setup()
    assert await summaries_match_fresh_group_by("setup") > 0
    names = list(STEPS)
    weights = [STEPS[n] for n in names]
    seen = set()
    for i in range(40):
        name = rng.choices(names, weights)[0]
        school = rng.choice(walk.schools)
        done = await getattr(walk, name)(school)
        seen.add(name)
        await summaries_match_fresh_group_by(f"step {i}: {name}: {done}")
        await estimates_match_the_engine(walk.schools, walk.codes, f"step {i}: {name}: {done}")
    assert len(seen) >= 6, seen


async def test_cached_estimates_are_reused_until_a_pupil_or_the_model_changes():
    rng = random.Random(7)
    walk = Walk(rng)
    await walk.setup()
    school = walk.schools[0]
    subs = {c: s for c, s in (await subjects()).items() if c in walk.codes[:2]}
    ids = [school.id]
    year_group = await Pupil.filter(school_id=school.id).first().values_list("year_group",
                                                                            flat=True)
    connection = connections.get("default")

    async def cached() -> list[float]:
        await summaries.refresh_estimates(ids, KeyStage.KS4, year_group, subs)
        rows = await summaries.figures(ids, KeyStage.KS4, year_group,
                                       [s.id for s in subs.values()])
        return sorted(r["average"] for r in rows)

    computed = await cached()
    # A fresh row is read, not recomputed: a planted value stays.
    await sql.execute(connection, "UPDATE estimate_summary SET average = -1 WHERE school_id = ?",
                      [school.id])
    assert await cached() == [-1, -1]
    # Any change to one of the year group's pupils makes the rows stale: recomputed.
    await sql.execute(connection, "UPDATE pupil SET prior_attainment = prior_attainment "
                      "WHERE school_id = ? AND year_group = ?", [school.id, year_group])
    assert await cached() == [-1, -1]  # no value changed: still fresh
    pupil = await Pupil.filter(school_id=school.id, year_group=year_group,
                               prior_attainment__isnull=False).first()
    pupil.gender = "M" if pupil.gender == "F" else "F"
    await pupil.save(update_fields=["gender"])
    assert await cached() != [-1, -1]
    pupil.gender = "M" if pupil.gender == "F" else "F"
    await pupil.save(update_fields=["gender"])
    assert await cached() == pytest.approx(computed)
    # Another model version makes them stale too.
    await sql.execute(connection, "UPDATE estimate_summary SET average = -1, "
                      "model_version = 'older' WHERE school_id = ?", [school.id])
    assert await cached() == pytest.approx(computed)
