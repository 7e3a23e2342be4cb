"""Thin: a school's administrators see, preview, apply and roll back its estimates versions."""

from __future__ import annotations

import strawberry

from server.models.enums import KeyStage as StoredKeyStage
from server.resolvers.target_settings import _query, _school_id
from server.schema.enums import KeyStage
from server.schema.error_codes import field_errors
from server.schema.estimates import (
    ApplyEstimatesVersionInput,
    ApplyEstimatesVersionPayload,
    EstimatesImpact,
    EstimatesImpactSubject,
    EstimatesVersion,
    EstimatesVersionError,
    RollBackEstimatesVersionInput,
    RollBackEstimatesVersionPayload,
    SchoolEstimatesVersion,
    version_type,
)
from server.services.errors import UserInputError
from server.services.estimates import versions
from server.services.targets import estimate_versions

KEY_STAGES = (StoredKeyStage.KS2, StoredKeyStage.KS4, StoredKeyStage.KS5)


def _school_version(found: estimate_versions.SchoolVersion) -> SchoolEstimatesVersion:
    return SchoolEstimatesVersion(
        key_stage=KeyStage(found.key_stage.value), applied=version_type(found.applied),
        previous=version_type(found.previous) if found.previous else None,
        applied_at=found.applied_at,
    )


async def school_versions(context, school_id: strawberry.ID | None) -> list[SchoolEstimatesVersion]:
    sid = _school_id(context, school_id)
    return [_school_version(await estimate_versions.school_version(sid, ks)) for ks in KEY_STAGES]


async def loaded_versions(context, key_stage: KeyStage) -> list[EstimatesVersion]:
    _school_id(context, None)
    return [version_type(v) for v in await versions.list_versions(key_stage.value)]


async def impact(context, key_stage: KeyStage, version: str,
                 school_id: strawberry.ID | None) -> EstimatesImpact:
    sid = _school_id(context, school_id)
    found = await _query(estimate_versions.impact(sid, key_stage.value, version))
    return EstimatesImpact(
        key_stage=key_stage, applied=version_type(found.applied),
        proposed=version_type(found.proposed),
        subjects=[EstimatesImpactSubject(
            year_group=s.year_group, subject_code=s.subject_code, subject_name=s.subject_name,
            targets=s.targets, up=s.up, down=s.down, same=s.same,
            average_change=s.average_change) for s in found.subjects],
    )


async def apply_version(context, input: ApplyEstimatesVersionInput) -> ApplyEstimatesVersionPayload:
    sid = _school_id(context, input.school_id)
    try:
        done = await estimate_versions.apply_version(sid, input.key_stage.value,
                                                     input.version.strip(), context.actor)
    except UserInputError as error:
        return ApplyEstimatesVersionPayload(estimates_version=None, prepopulated=0,
                                            errors=field_errors(EstimatesVersionError, error))
    return ApplyEstimatesVersionPayload(estimates_version=_school_version(done.school_version),
                                        prepopulated=done.prepopulated, errors=[])


async def roll_back(context, input: RollBackEstimatesVersionInput) -> RollBackEstimatesVersionPayload:
    sid = _school_id(context, input.school_id)
    try:
        done = await estimate_versions.roll_back(sid, input.key_stage.value, context.actor)
    except UserInputError as error:
        return RollBackEstimatesVersionPayload(estimates_version=None, prepopulated=0,
                                               errors=field_errors(EstimatesVersionError, error))
    return RollBackEstimatesVersionPayload(estimates_version=_school_version(done.school_version),
                                           prepopulated=done.prepopulated, errors=[])
