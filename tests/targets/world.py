"""A small world of schools with every sharing pattern, and one persona of each kind."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

from tortoise.timezone import now

from server.models import (
    Account,
    Organisation,
    Pupil,
    Subject,
    SubjectSettings,
    Target,
    YearGroupSettings,
)
from server.models.enums import BenchmarkLevel, Editing, GradeFormat, KeyStage, PupilAccess, Role
from server.services.catalogue import ensure_subjects
from tests.factories import (
    api_token,
    make_administrator,
    make_chain,
    make_local_authority,
    make_school,
    make_user,
)

_upns = itertools.count(1)

AGGREGATES = """
query TargetAggregates($keyStage: KeyStage!, $yearGroup: Int!, $schoolUrns: [String!],
                       $subjectCodes: [String!]) {
  targetAggregates(keyStage: $keyStage, yearGroup: $yearGroup, schoolUrns: $schoolUrns,
                   subjectCodes: $subjectCodes) {
    school { urn name localAuthority { laCode } academyChain { name } }
    keyStage yearGroup subject { code name keyStage }
    pupils suppressed targetsSet averageTargetPoints benchmark
    averageEstimatePoints
    high: averageEstimatePoints(benchmark: HIGH)
    four: targetsAtOrAbove(grade: "4")
    c: targetsAtOrAbove(grade: "C")
  }
}
"""

PUPILS = """
query PupilTargets($schoolUrn: String!, $keyStage: KeyStage!, $yearGroup: Int!,
                   $subjectCode: String, $first: Int = 100, $after: String) {
  pupilTargets(schoolUrn: $schoolUrn, keyStage: $keyStage, yearGroup: $yearGroup,
               subjectCode: $subjectCode, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      pupil { upn forename surname yearGroup }
      subject { code name keyStage }
      targetGrade targetPoints prepopulated
      estimate { benchmark finePoints grade }
      high: estimate(benchmark: HIGH) { benchmark finePoints grade }
    } }
  }
}
"""


async def subjects(key_stage: KeyStage = KeyStage.KS4) -> dict[str, Subject]:
    rows = await ensure_subjects()
    return {code: s for (ks, code), s in rows.items() if ks == key_stage}


async def add_pupils(school: Organisation, year_group: int, n: int, surname: str,
                     prior: float | None = 104.0, left: bool = False) -> list[Pupil]:
    rows = []
    for i in range(n):
        k = next(_upns)
        rows.append(Pupil(
            school=school, upn=f"T{k:012d}", forename=f"Kid{k}", surname=f"{surname}{chr(65 + i)}",
            gender="F" if i % 2 else "M", date_of_birth=date(2011, 1 + (i * 5) % 12, 3),
            year_group=year_group, prior_attainment=None if prior is None else prior + i % 9 - 4,
            left_at=date(2026, 1, 1) if left else None,
        ))
    await Pupil.bulk_create(rows)
    return await Pupil.filter(school=school, year_group=year_group,
                              surname__startswith=surname).order_by("surname")


async def share(school: Organisation, year_group: int, key_stage: KeyStage = KeyStage.KS4,
                pupil_la: bool = False, aggregate_la: bool = False, chain: bool = False,
                use: bool = True, editing: Editing = Editing.YES) -> YearGroupSettings:
    return await YearGroupSettings.create(
        school=school, key_stage=key_stage, year_group=year_group, use_target_setting=use,
        editing=editing, pupil_level_with_la=pupil_la, aggregate_with_la=aggregate_la,
        aggregate_with_chain=chain,
    )


async def set_targets(pupils: list[Pupil], subject: Subject, grades: list[str],
                      prepopulated: bool = False) -> list[Target]:
    out = []
    for pupil, grade in zip(pupils, grades, strict=False):
        points = float(grade)
        out.append(await Target.create(
            school_id=pupil.school_id, pupil=pupil, subject=subject, key_stage=subject.key_stage,
            year_group=pupil.year_group, grade=grade, points=points, prepopulated=prepopulated,
            prepopulated_grade=grade if prepopulated else None,
            prepopulated_points=points if prepopulated else None,
            benchmark=BenchmarkLevel.AVERAGE if prepopulated else None, updated_at=now(),
        ))
    return out


@dataclass
class World:
    la: Organisation
    other_la: Organisation
    chain: Organisation
    schools: dict[str, Organisation]
    users: dict[str, Account]
    tokens: dict[str, str] = field(default_factory=dict)
    pupils: dict[str, list[Pupil]] = field(default_factory=dict)
    subjects: dict[str, Subject] = field(default_factory=dict)


PATTERNS = ("pupil_la", "aggregate_la", "chain_only", "nothing", "everything", "by_year")


async def build_world(pupils_per_school: int = 8) -> World:
    """Six schools of one LA (two in a chain), one per sharing pattern, KS4 Year 10 and 11.

    - pupil_la: pupil-level targets with the LA (Year 10)
    - aggregate_la: aggregate targets with the LA (Year 10)
    - chain_only: in the chain, aggregate targets with the chain only (Year 10)
    - nothing: no settings saved
    - everything: in the chain, shares everything in Years 10 and 11
    - by_year: pupil-level with the LA in Year 10, nothing in Year 11
    """
    la = await make_local_authority()
    other_la = await make_local_authority("Southshire")
    chain = await make_chain()
    subs = await subjects()
    schools = {}
    for pattern in PATTERNS:
        in_chain = pattern in ("chain_only", "everything")
        schools[pattern] = await make_school(la=la, chain=chain if in_chain else None,
                                             name=f"School {pattern}")
    await share(schools["pupil_la"], 10, pupil_la=True)
    await share(schools["aggregate_la"], 10, aggregate_la=True)
    await share(schools["chain_only"], 10, chain=True)
    for yg in (10, 11):
        await share(schools["everything"], yg, pupil_la=True, aggregate_la=True, chain=True)
    await share(schools["by_year"], 10, pupil_la=True)
    await share(schools["by_year"], 11)
    world = World(la=la, other_la=other_la, chain=chain, schools=schools, users={}, subjects=subs)
    for pattern, school in schools.items():
        pupils = await add_pupils(school, 10, pupils_per_school, surname=f"Zed{pattern[:4]}")
        world.pupils[pattern] = pupils
        await set_targets(pupils, subs["maths"], ["4", "5", "6", "7", "3", "8", "5", "4"])
        await add_pupils(school, 11, pupils_per_school, surname=f"Yew{pattern[:4]}")
    home = schools["everything"]
    users = {
        "school_full": await make_user(home, Role.DATA_MANAGER, PupilAccess.FULL),
        "school_governor": await make_user(home, Role.GOVERNOR, PupilAccess.AGGREGATE),
        "other_school": await make_user(schools["nothing"], Role.TEACHER, PupilAccess.FULL),
        "la_full": await make_user(la, Role.OFFICER, PupilAccess.FULL),
        "la_aggregate": await make_user(la, Role.OFFICER, PupilAccess.AGGREGATE),
        "other_la": await make_user(other_la, Role.OFFICER, PupilAccess.FULL),
        "chain": await make_user(chain, Role.OFFICER, PupilAccess.AGGREGATE),
        "administrator": await make_administrator(home),
    }
    world.users = users
    world.tokens = {name: await api_token(account) for name, account in users.items()}
    return world


async def set_format(school: Organisation, subject: Subject, year_group: int,
                     fmt: GradeFormat | None = None, included: bool = True,
                     benchmark: BenchmarkLevel | None = None) -> None:
    await SubjectSettings.create(
        school=school, key_stage=subject.key_stage, year_group=year_group, subject=subject,
        grade_format=fmt, included=included, benchmark=benchmark,
    )
