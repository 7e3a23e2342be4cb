from __future__ import annotations

from strawberry.dataloader import DataLoader

from server.models import Pupil


class PupilByIdLoader(DataLoader[int, Pupil | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, ids: list[int]) -> list[Pupil | None]:
        found = {p.id: p for p in await Pupil.filter(id__in=set(ids))}
        return [found.get(i) for i in ids]
