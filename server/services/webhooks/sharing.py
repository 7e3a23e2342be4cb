"""Which schools and year groups notify an organisation, and the revisions of their targets."""

from __future__ import annotations

from collections.abc import Iterable

from server.models import Organisation, SharedTargetsRevision, YearGroupSettings
from server.models.enums import KeyStage, OrganisationKind
from server.permissions.scope import SchoolSharing
from server.permissions.webhooks import year_group_notifies

Pair = tuple[int, str]  # (school id, key stage value)


def key_stage_value(key_stage) -> str:
    return KeyStage(key_stage).value


async def schools_of(organisation: Organisation, school_ids: Iterable[int] | None = None) -> list[Organisation]:
    """The schools of the local authority or chain (optionally only these ones)."""
    query = Organisation.filter(kind=OrganisationKind.SCHOOL)
    if organisation.kind == OrganisationKind.LOCAL_AUTHORITY:
        query = query.filter(local_authority_id=organisation.id)
    elif organisation.kind == OrganisationKind.ACADEMY_CHAIN:
        query = query.filter(academy_chain_id=organisation.id)
    else:
        return []
    if school_ids is not None:
        query = query.filter(id__in=list(school_ids))
    return await query.order_by("name", "id")


async def shared_year_groups(
    organisation: Organisation, pairs: Iterable[Pair]
) -> dict[Pair, set[int]]:
    """Per (school, key stage): the year groups whose targets the organisation may read now."""
    pairs = set(pairs)
    found: dict[Pair, set[int]] = {pair: set() for pair in pairs}
    if not pairs:
        return found
    schools = {s.id: s for s in await schools_of(organisation, {school for school, _ in pairs})}
    if not schools:
        return found
    rows = await YearGroupSettings.filter(school_id__in=list(schools)).values(
        "school_id", "key_stage", "year_group", "pupil_level_with_la", "aggregate_with_la",
        "aggregate_with_chain",
    )
    for row in rows:
        pair = (row["school_id"], key_stage_value(row["key_stage"]))
        if pair not in found:
            continue
        school = schools[row["school_id"]]
        sharing = SchoolSharing(
            school_id=school.id, local_authority_id=school.local_authority_id,
            academy_chain_id=school.academy_chain_id,
            pupil_level_with_la=row["pupil_level_with_la"],
            aggregate_with_la=row["aggregate_with_la"],
            aggregate_with_chain=row["aggregate_with_chain"],
        )
        if year_group_notifies(organisation.id, organisation.kind, sharing):
            found[pair].add(row["year_group"])
    return found


async def revisions(pairs: Iterable[Pair]) -> dict[Pair, dict[str, int]]:
    """Per (school, key stage): each year group's revision (year group as text)."""
    pairs = set(pairs)
    found: dict[Pair, dict[str, int]] = {pair: {} for pair in pairs}
    if not pairs:
        return found
    rows = await SharedTargetsRevision.filter(
        school_id__in=list({school for school, _ in pairs}),
        key_stage__in=list({ks for _, ks in pairs}),
    ).values("school_id", "key_stage", "year_group", "revision")
    for row in rows:
        pair = (row["school_id"], row["key_stage"])
        if pair in found:
            found[pair][str(row["year_group"])] = row["revision"]
    return found


def changed_year_groups(seen: dict[str, int], now: dict[str, int]) -> dict[int, int]:
    """Year group -> how many changes since `seen`.

    >>> changed_year_groups({"10": 2}, {"10": 5, "11": 1})
    {10: 3, 11: 1}
    """
    return {int(y): r - seen.get(y, 0) for y, r in sorted(now.items()) if r > seen.get(y, 0)}
