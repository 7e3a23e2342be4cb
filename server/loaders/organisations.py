from __future__ import annotations

from strawberry.dataloader import DataLoader

from server.models import Organisation


class OrganisationByIdLoader(DataLoader[int, Organisation | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, ids: list[int]) -> list[Organisation | None]:
        found = {o.id: o for o in await Organisation.filter(id__in=set(ids))}
        return [found.get(i) for i in ids]
