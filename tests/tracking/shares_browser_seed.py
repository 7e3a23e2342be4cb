"""The LA dashboard's on-track shares in the browser test, run in a subprocess against the
test server's database:

    python tests/tracking/shares_browser_seed.py

An LA officer (aggregate access) and three Year 10 schools sharing aggregates with the LA:
eight pupils tracked in maths, a handful (three) tracked, and a school of four pupils. The
first school's shares as the school's own tracking computes them, as the page shows them.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from server.models import AssessmentPoint  # noqa: E402
from server.models.enums import KeyStage, PupilAccess, Role  # noqa: E402
from server.services.pupils.importing import school_academic_year  # noqa: E402
from server.services.tracking.recording import record_working_at  # noqa: E402
from server.services.tracking.status import counts_by_subject, year_group_tracks  # noqa: E402
from tests import factories  # noqa: E402
from tests.browser.seeding import print_seeded  # noqa: E402
from tests.targets.world import add_pupils, set_targets, share, subjects  # noqa: E402


async def _school(la, name: str, pupils: int, grades: list[str]):
    maths = (await subjects())["maths"]
    school = await factories.make_school(la=la, name=name)
    rows = await add_pupils(school, 10, pupils, surname=name.split()[0])
    await set_targets(rows, maths, ["5"] * pupils)
    await share(school, 10, aggregate_la=True)
    year = school_academic_year(school)
    point = await AssessmentPoint.create(school=school, key_stage=KeyStage.KS4, year_group=10,
                                         academic_year=year, name="Autumn", on=date(year, 9, 1))
    for pupil, grade in zip(rows, grades, strict=False):
        await record_working_at(school.id, pupil.id, maths.id, point.id, grade, float(grade),
                                None)
    return school


async def make() -> dict:
    la = await factories.make_local_authority("Tracking Borough")
    officer = await factories.make_user(la, role=Role.OFFICER,
                                        pupil_access=PupilAccess.AGGREGATE)
    tracked = await _school(la, "Tracked Academy", 8, ["1", "3", "4", "5", "6", "7", "9", "9"])
    handful = await _school(la, "Handful School", 8, ["5", "5", "9"])
    tiny = await _school(la, "Tiny School", 4, ["5", "5", "5", "5"])
    _, tracks = await year_group_tracks(tracked.id, KeyStage.KS4, 10,
                                        school_academic_year(tracked), date.today())
    counts = counts_by_subject(tracks)["maths"]
    return {
        "officer": {"login_name": officer.login_name, "password": factories.PASSWORD},
        "tracked": tracked.urn, "handful": handful.urn, "tiny": tiny.urn,
        "shares": [f"{100 * n / counts.total:.0f}%"
                   for n in (counts.on_track, counts.above, counts.below)],
    }


if __name__ == "__main__":
    print_seeded(make)
