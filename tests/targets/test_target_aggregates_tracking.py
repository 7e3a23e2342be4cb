"""targetAggregates' on-track shares: only schools that share with the viewer, suppressed
like the other figures, and equal to the school's own tracking."""

from __future__ import annotations

from datetime import date

import pytest

from server.models import AssessmentPoint
from server.models.enums import KeyStage, PupilAccess, Role
from server.services.pupils.importing import school_academic_year
from server.services.tracking import shares
from server.services.tracking.recording import record_working_at
from server.services.tracking.status import counts_by_subject, year_group_tracks
from tests.factories import make_chain, make_local_authority, make_school, make_user
from tests.targets.test_target_aggregates import run
from tests.targets.world import add_pupils, set_targets, share, subjects

QUERY = """query($schoolUrns: [String!]) {
  targetAggregates(keyStage: KS4, yearGroup: 10, subjectCodes: ["maths"],
                   schoolUrns: $schoolUrns) {
    school { urn } pupils suppressed targetsSet
    trackingSuppressed trackedPupils onTrack aboveTrack belowTrack } }"""


async def _school(la, in_chain, pupils: int, tracked: list[str], **sharing):
    subs = await subjects()
    school = await make_school(la=la, chain=in_chain)
    rows = await add_pupils(school, 10, pupils, surname="Share")
    await set_targets(rows, subs["maths"], ["5"] * pupils)
    if sharing:
        await share(school, 10, **sharing)
    year = school_academic_year(school)
    point = await AssessmentPoint.create(school=school, key_stage=KeyStage.KS4, year_group=10,
                                         academic_year=year, name="Autumn", on=date(year, 9, 1))
    for pupil, grade in zip(rows, tracked, strict=False):
        await record_working_at(school.id, pupil.id, subs["maths"].id, point.id, grade,
                                float(grade), None)
    return school


async def _rows(user, urns=None) -> dict[str, dict]:
    result = await run(user, QUERY, {"schoolUrns": urns})
    assert result.errors is None, result.errors
    return {r["school"]["urn"]: r for r in result.data["targetAggregates"]}


async def test_shares_follow_sharing_and_suppression():
    la, chain = await make_local_authority(), await make_chain()
    grades = ["1", "3", "4", "5", "6", "7", "9", "9"]
    with_la = await _school(la, None, 8, grades, aggregate_la=True)
    not_shared = await _school(la, chain, 8, grades)
    handful = await _school(la, chain, 8, ["5", "5", "9"], aggregate_la=True, chain=True)
    small = await _school(la, chain, 4, ["5", "5", "5", "5"], pupil_la=True, chain=True)
    officer = await make_user(la, Role.OFFICER, PupilAccess.AGGREGATE)
    full_officer = await make_user(la, Role.OFFICER, PupilAccess.FULL)
    chain_officer = await make_user(chain, Role.OFFICER, PupilAccess.AGGREGATE)

    seen = await _rows(officer)
    assert set(seen) == {with_la.urn, handful.urn, small.urn}  # not_shared: no row at all
    row = seen[with_la.urn]
    _, tracks = await year_group_tracks(with_la.id, KeyStage.KS4, 10,
                                        school_academic_year(with_la), date.today())
    want = counts_by_subject(tracks)["maths"]
    assert row["trackingSuppressed"] is False and row["trackedPupils"] == want.total == 8
    assert (row["onTrack"], row["aboveTrack"], row["belowTrack"]) == pytest.approx(
        (want.on_track / 8, want.above / 8, want.below / 8))
    assert min(want.on_track, want.above, want.below) > 0
    # Three pupils tracked: their shares would describe them; the targets still show.
    row = seen[handful.urn]
    assert row["suppressed"] is False and row["targetsSet"] == 8
    assert row["trackingSuppressed"] is True
    assert (row["trackedPupils"], row["onTrack"], row["aboveTrack"], row["belowTrack"]) == \
        (None, None, None, None)
    # Four pupils: the whole row is suppressed, shares with it.
    row = seen[small.urn]
    assert row["suppressed"] is True and row["trackingSuppressed"] is True
    assert row["trackedPupils"] is None and row["onTrack"] is None

    chain_rows = await _rows(chain_officer)
    assert set(chain_rows) == {handful.urn, small.urn}
    assert chain_rows[handful.urn]["trackingSuppressed"] is True

    # Full access to pupil-level data (the small school shares it with the LA) shows all.
    full = await _rows(full_officer, [small.urn])
    assert full[small.urn]["trackingSuppressed"] is False
    assert full[small.urn]["trackedPupils"] == 4 and full[small.urn]["onTrack"] == 1.0
    # The school's own users with full access see their handful.
    teacher = await make_user(handful, Role.TEACHER, PupilAccess.FULL)
    own = await _rows(teacher)
    assert own[handful.urn]["trackedPupils"] == 3
    assert own[handful.urn]["onTrack"] + own[handful.urn]["aboveTrack"] == pytest.approx(1.0)
    # Naming a school that does not share is refused, as for every other figure.
    refused = await run(officer, QUERY, {"schoolUrns": [not_shared.urn]})
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"


async def test_nobody_tracked_gives_no_shares():
    school = await _school(None, None, 7, [], aggregate_la=True)
    teacher = await make_user(school, Role.TEACHER, PupilAccess.FULL)
    row = (await _rows(teacher))[school.urn]
    assert row["trackingSuppressed"] is False and row["trackedPupils"] == 0
    assert (row["onTrack"], row["aboveTrack"], row["belowTrack"]) == (None, None, None)


async def test_shares_are_computed_only_when_asked_for_fragments_included(monkeypatch):
    school = await _school(None, None, 6, ["5"] * 6)
    teacher = await make_user(school, Role.TEACHER, PupilAccess.FULL)
    fragment = """fragment Track on TargetAggregate { ... on TargetAggregate { onTrack } }
      query { targetAggregates(keyStage: KS4, yearGroup: 10, subjectCodes: ["maths"]) {
        pupils ...Track } }"""
    result = await run(teacher, fragment, {})
    assert result.errors is None, result.errors
    assert result.data["targetAggregates"][0]["onTrack"] == 1.0

    def refuse(*args, **kwargs):
        raise AssertionError("tracking computed but not asked for")

    monkeypatch.setattr(shares, "counts_sql", refuse)
    result = await run(teacher, """query { targetAggregates(keyStage: KS4, yearGroup: 10,
        subjectCodes: ["maths"]) { pupils targetsSet } }""", {})
    assert result.errors is None, result.errors
    assert result.data["targetAggregates"][0]["targetsSet"] == 6
