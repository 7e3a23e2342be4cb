"""Per-request DataLoaders: <Thing>By<Key>Loader, one batch query each."""

from __future__ import annotations

from server.loaders.organisations import OrganisationByIdLoader
from server.loaders.pupils import PupilByIdLoader
from server.loaders.subjects import SubjectByIdLoader
from server.loaders.targets import TargetChangesByTargetIdLoader, TargetsAtOrAboveByThresholdLoader


class Loaders:
    """Created fresh for every operation, so no cache outlives one execute()."""

    def __init__(self) -> None:
        self.organisation_by_id = OrganisationByIdLoader()
        self.pupil_by_id = PupilByIdLoader()
        self.subject_by_id = SubjectByIdLoader()
        self.target_changes_by_target_id = TargetChangesByTargetIdLoader()
        self.targets_at_or_above_by_threshold = TargetsAtOrAboveByThresholdLoader()
