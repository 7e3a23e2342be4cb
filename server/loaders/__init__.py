"""Per-request DataLoaders: <Thing>By<Key>Loader, one batch query each."""

from __future__ import annotations

from server.loaders.organisations import OrganisationByIdLoader


class Loaders:
    """Created fresh for every operation, so no cache outlives one execute()."""

    def __init__(self) -> None:
        self.organisation_by_id = OrganisationByIdLoader()
