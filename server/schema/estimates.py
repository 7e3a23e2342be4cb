"""Versions of the national estimates in the API: which version an answer's estimates come
from, the impact preview of another, and applying or rolling one back."""

from __future__ import annotations

from datetime import datetime

import strawberry

from server.schema.enums import KeyStage
from server.schema.error_codes import error_codes
from server.services.estimates import versions
from server.services.estimates.errors import EstimatesVersionErrorCode

error_codes(EstimatesVersionErrorCode)


@strawberry.type(description="A version of a key stage's national estimates (model parameters)")
class EstimatesVersion:
    key_stage: KeyStage
    version: str = strawberry.field(description='e.g. "2026.2"')
    label: str = strawberry.field(description='e.g. "2026 national data"')
    shipped: bool = strawberry.field(description="True: the parameters shipped with the platform")
    loaded_at: datetime | None = strawberry.field(description="Null for the shipped version")


_MADE: dict[tuple[str, str], EstimatesVersion] = {}


def version_type(found: versions.Version) -> EstimatesVersion:
    key = (found.key_stage.value, found.version)
    made = _MADE.get(key)
    if made is None or made.loaded_at != found.loaded_at:
        made = _MADE[key] = EstimatesVersion(
            key_stage=KeyStage(found.key_stage.value), version=found.version, label=found.label,
            shipped=found.shipped, loaded_at=found.loaded_at,
        )
    return made


def version_of(key_stage, version: str) -> EstimatesVersion:
    """The version an answer's estimates came from (resolved earlier in the same request)."""
    return version_type(versions.describe(getattr(key_stage, "value", key_stage), version))


ESTIMATES_VERSION = "The national estimates version these estimates come from"


@strawberry.type(description="A school's national estimates version for one key stage")
class SchoolEstimatesVersion:
    key_stage: KeyStage
    applied: EstimatesVersion
    previous: EstimatesVersion | None = strawberry.field(
        description="What rollBackEstimatesVersion would go back to; null: nothing to roll back")
    applied_at: datetime | None = strawberry.field(description="Null: never changed")


@strawberry.type(description="One subject of one year group in an impact preview")
class EstimatesImpactSubject:
    year_group: int
    subject_code: str
    subject_name: str
    targets: int = strawberry.field(
        description="Pre-populated targets nobody has changed, the ones applying would change")
    up: int
    down: int
    same: int
    average_change: float | None = strawberry.field(
        description="Change in their average points (grades); null without targets")


@strawberry.type(description="What applying a version would do to the pre-populated targets")
class EstimatesImpact:
    key_stage: KeyStage
    applied: EstimatesVersion
    proposed: EstimatesVersion
    subjects: list[EstimatesImpactSubject] = strawberry.field(
        description="Year groups that pre-populate targets, in order, then the subjects")


@strawberry.input
class ApplyEstimatesVersionInput:
    school_id: strawberry.ID | None = None
    key_stage: KeyStage
    version: str


@strawberry.input
class RollBackEstimatesVersionInput:
    school_id: strawberry.ID | None = None
    key_stage: KeyStage


@strawberry.type
class EstimatesVersionError:
    field: str | None = strawberry.field(description="version")
    message: str
    code: EstimatesVersionErrorCode


@strawberry.type
class ApplyEstimatesVersionPayload:
    estimates_version: SchoolEstimatesVersion | None
    prepopulated: int = strawberry.field(description="Targets pre-populated again or brought "
                                         "up to date with the version")
    errors: list[EstimatesVersionError]


@strawberry.type
class RollBackEstimatesVersionPayload:
    estimates_version: SchoolEstimatesVersion | None
    prepopulated: int
    errors: list[EstimatesVersionError]
