from __future__ import annotations

from strawberry.dataloader import DataLoader

from server.models import Subject


class SubjectByIdLoader(DataLoader[int, Subject | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, ids: list[int]) -> list[Subject | None]:
        found = {s.id: s for s in await Subject.filter(id__in=set(ids))}
        return [found.get(i) for i in ids]
