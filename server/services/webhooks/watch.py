"""The same changes as webhooks tell, as a stream: the GraphQL subscription's source.

Every `poll` seconds it reads the revisions of the schools and key stages watched (two or
three statements) and yields one event per school and key stage whose shared year groups
moved. Before each look it asks `still_allowed` for the organisation again: a revoked token
or a deactivated account ends the stream, and year groups that stopped sharing say nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

from server.models import Organisation
from server.models.enums import KeyStage
from server.services.webhooks.sharing import (
    Pair,
    changed_year_groups,
    revisions,
    schools_of,
    shared_year_groups,
)


async def watch(
    still_allowed: Callable[[], Awaitable[Organisation | None]],
    school_id: int | None, key_stage: KeyStage | None, poll: float,
) -> AsyncIterator[dict]:
    stages = [key_stage.value] if key_stage else [ks.value for ks in KeyStage]
    baseline: dict[Pair, dict[str, int]] = {}
    first = True
    while True:
        organisation = await still_allowed()
        if organisation is None:
            return
        schools = {s.id: s for s in await schools_of(
            organisation, [school_id] if school_id is not None else None)}
        pairs = [(s, ks) for s in schools for ks in stages]
        current = await revisions(pairs)
        shared = await shared_year_groups(organisation, pairs) if not first else {}
        for pair in pairs:
            if pair not in baseline:  # new to the watch: from now on
                baseline[pair] = current[pair]
                continue
            changes = changed_year_groups(baseline[pair], current[pair])
            baseline[pair] = current[pair]
            told = {y: n for y, n in changes.items() if y in shared.get(pair, set())}
            if told:
                yield {
                    "school_id": pair[0], "urn": schools[pair[0]].urn,
                    "key_stage": KeyStage(pair[1]), "occurred_at": datetime.now(UTC),
                    "year_groups": [(y, current[pair][str(y)], n) for y, n in sorted(told.items())],
                }
        first = False
        await asyncio.sleep(poll)
