from __future__ import annotations

from collections import defaultdict

from strawberry.dataloader import DataLoader

from server.models import TargetChange
from server.services.targets.aggregates import targets_at_or_above

# (year group, school id, subject id, threshold points)
ThresholdKey = tuple[int, int, int, float]


class TargetsAtOrAboveByThresholdLoader(DataLoader[ThresholdKey, int]):
    """Live targets at or above a grade's points: one statement per year group in a batch."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[ThresholdKey]) -> list[int]:
        by_year: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
        for year_group, school_id, subject_id, threshold in keys:
            by_year[year_group].append((school_id, subject_id, threshold))
        found: dict[ThresholdKey, int] = {}
        for year_group, wanted in by_year.items():
            for (school_id, subject_id, threshold), n in (
                await targets_at_or_above(year_group, wanted)
            ).items():
                found[(year_group, school_id, subject_id, threshold)] = n
        return [found.get(k, 0) for k in keys]


class TargetChangesByTargetIdLoader(DataLoader[int, list[tuple[TargetChange, str | None]]]):
    """A target's history, oldest first, with the name of whoever made each change."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, ids: list[int]) -> list[list[tuple[TargetChange, str | None]]]:
        changes = await (
            TargetChange.filter(target_id__in=set(ids))
            .select_related("changed_by")
            .order_by("changed_at", "id")
        )
        by_target: dict[int, list[tuple[TargetChange, str | None]]] = defaultdict(list)
        for change in changes:
            who = change.changed_by.full_name if change.changed_by else None
            by_target[change.target_id].append((change, who))
        return [by_target.get(i, []) for i in ids]
