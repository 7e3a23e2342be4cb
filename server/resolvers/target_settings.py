"""Thin: only a school's own administrators manage its target setting; call the services."""

from __future__ import annotations

from collections.abc import Callable

import strawberry

from server.models.enums import YEAR_GROUPS, Prepopulate
from server.models.enums import BenchmarkLevel as StoredLevel
from server.models.enums import Editing as StoredEditing
from server.models.enums import GradeFormat as StoredFormat
from server.models.enums import KeyStage as StoredKeyStage
from server.permissions.checks import may_manage_target_setting, require_administrator
from server.resolvers.sharing import change_type
from server.schema.challenge import custom_level_type
from server.schema.enums import BenchmarkLevel, KeyStage
from server.schema.error_codes import field_errors
from server.schema.errors import BadUserInput, Forbidden, NotFound
from server.schema.estimates import version_of
from server.schema.target_settings import (
    CohortAverage,
    DeleteTargetsError,
    DeleteTargetsInput,
    DeleteTargetsPayload,
    GradeFormat,
    KeyStageYearGroups,
    ManagedSubject,
    PrepopulateOption,
    RestoreTargetsError,
    RestoreTargetsInput,
    RestoreTargetsPayload,
    SaveBenchmarksError,
    SaveBenchmarksInput,
    SaveBenchmarksPayload,
    SaveTargetSettingsError,
    SaveTargetSettingsInput,
    SaveTargetSettingsPayload,
    SaveTargetSubjectsError,
    SaveTargetSubjectsInput,
    SaveTargetSubjectsPayload,
    SetCustomLevelError,
    SetCustomLevelInput,
    SetCustomLevelPayload,
    SubjectBenchmark,
    SubjectTargetCount,
    TargetDeletion,
    TargetSettingsOverview,
    YearGroupBenchmarks,
    YearGroupTargetCounts,
    YearGroupTargetSettings,
)
from server.schema.targets import Editing
from server.services.errors import UserInputError
from server.services.targets import benchmarks, deletion, settings


def _school_id(context, school_id: strawberry.ID | None) -> int:
    """The school the administrator manages; FORBIDDEN for anyone else's school."""
    account = require_administrator(context)
    try:
        wanted = account.organisation_id if school_id is None else int(school_id)
    except ValueError as error:
        raise NotFound("No such school.") from error
    if not context.scope.administers(wanted):
        raise Forbidden("Only the school's administrators manage its target setting.")
    if not may_manage_target_setting(account):
        raise Forbidden("Target setting is managed by a school's administrators.")
    return wanted



def _ks(key_stage: KeyStage) -> StoredKeyStage:
    return StoredKeyStage(key_stage.value)


def _error(cls: Callable, error: UserInputError):
    return field_errors(cls, error)


async def _query(call):
    """Queries raise BAD_USER_INPUT where a mutation would answer a payload error."""
    try:
        return await call
    except UserInputError as error:
        raise BadUserInput(error.message) from error


# -- types from service values -------------------------------------------------------------


def settings_type(saved: settings.SavedSettings) -> YearGroupTargetSettings:
    s = saved.settings
    return YearGroupTargetSettings(
        key_stage=KeyStage(saved.key_stage.value),
        year_group=saved.year_group,
        saved=saved.saved,
        use_target_setting=s.use_target_setting,
        prepopulate=PrepopulateOption(s.prepopulate.value),
        editing=Editing(s.editing.value),
        share_targets=s.share,
        pupil_level_with_la=s.pupil_level_with_la,
        aggregate_with_la=s.aggregate_with_la,
        aggregate_with_chain=s.aggregate_with_chain,
        updated_at=saved.updated_at,
    )


def benchmarks_type(overview: benchmarks.BenchmarkOverview) -> YearGroupBenchmarks:
    subjects = []
    for entry in overview.subjects:
        choice = entry.choice
        subjects.append(
            SubjectBenchmark(
                code=choice.code,
                name=choice.name,
                benchmark=BenchmarkLevel(choice.benchmark.value),
                custom_level=custom_level_type(choice.custom),
                saved=choice.saved,
                suggested=BenchmarkLevel(choice.suggested.value),
                indicator=choice.indicator,
                grade_format=GradeFormat(choice.grade_format.value) if choice.grade_format else None,
                grade_formats=[GradeFormat(f.value) for f in entry.grade_formats],
                scale=choice.scale.code,
                included=choice.included,
                average=entry.average(),
                averages=[
                    CohortAverage(
                        benchmark=BenchmarkLevel(level.value),
                        scale=scale,
                        average=avg,
                        points=entry.points.get((level, scale)),
                    )
                    for (level, scale), avg in entry.averages.items()
                ],
            )
        )
    return YearGroupBenchmarks(
        key_stage=KeyStage(overview.key_stage.value),
        year_group=overview.year_group,
        model_version=overview.model_version,
        estimates_version=version_of(overview.key_stage, overview.model_version),
        pupils=overview.pupils,
        pupils_with_estimates=overview.pupils_with_estimates,
        subjects=subjects,
    )


def deletion_type(d: deletion.Deletion) -> TargetDeletion:
    return TargetDeletion(
        id=strawberry.ID(str(d.id)),
        key_stage=KeyStage(d.key_stage.value),
        year_group=d.year_group,
        subject_code=d.subject_code,
        subject_name=d.subject_name,
        targets_deleted=d.targets_deleted,
        restorable=d.restorable,
        deleted_by=d.deleted_by,
        deleted_at=d.deleted_at,
        purge_after=d.purge_after,
        restored_at=d.restored_at,
    )


def _managed(choices) -> list[ManagedSubject]:
    return [
        ManagedSubject(code=c.code, name=c.name, included=c.included, default_included=c.default_included)
        for c in choices
    ]


# -- queries -------------------------------------------------------------------------------


async def overview(context, school_id) -> TargetSettingsOverview:
    sid = _school_id(context, school_id)
    school = context.viewer.account.organisation
    return TargetSettingsOverview(
        school_name=school.name,
        key_stages=[
            KeyStageYearGroups(
                key_stage=KeyStage(ks.value),
                year_groups=list(years),
                prepopulate_options=[PrepopulateOption(o.value) for o in settings.prepopulate_options(ks)],
            )
            for ks, years in YEAR_GROUPS.items()
        ],
        has_academy_chain=school.academy_chain_id is not None,
        school_id=sid,
    )


async def year_group_settings(context, school_id, key_stage, year_group) -> YearGroupTargetSettings:
    sid = _school_id(context, school_id)
    return settings_type(await _query(settings.get_settings(sid, _ks(key_stage), year_group)))


async def year_group_benchmarks(context, school_id, key_stage, year_group, subjects):
    sid = _school_id(context, school_id)
    overview_ = await _query(benchmarks.benchmark_overview(sid, _ks(key_stage), year_group, subjects))
    return benchmarks_type(overview_)


async def managed_subjects(context, school_id, key_stage, year_group) -> list[ManagedSubject]:
    sid = _school_id(context, school_id)
    return _managed(await _query(settings.subject_list(sid, _ks(key_stage), year_group)))


async def target_counts(context, school_id, key_stage, year_group) -> YearGroupTargetCounts:
    sid = _school_id(context, school_id)
    counts = await _query(deletion.target_counts(sid, _ks(key_stage), year_group))
    current = await settings.get_settings(sid, counts.key_stage, year_group)
    return YearGroupTargetCounts(
        key_stage=key_stage,
        year_group=year_group,
        targets=counts.targets,
        prepopulated=counts.prepopulated,
        subjects=[
            SubjectTargetCount(code=c.code, name=c.name, targets=c.targets, prepopulated=c.prepopulated)
            for c in counts.subjects
        ],
        prepopulating=current.settings.use_target_setting and current.settings.prepopulate != Prepopulate.NO,
    )


async def target_deletions(context, school_id) -> list[TargetDeletion]:
    sid = _school_id(context, school_id)
    return [deletion_type(d) for d in await deletion.restorable_deletions(sid)]


# -- mutations -----------------------------------------------------------------------------


async def save_target_settings(context, input: SaveTargetSettingsInput) -> SaveTargetSettingsPayload:
    sid = _school_id(context, input.school_id)
    chosen = settings.TargetSettings(
        use_target_setting=input.use_target_setting,
        prepopulate=Prepopulate(input.prepopulate.value),
        editing=StoredEditing(input.editing.value),
        pupil_level_with_la=input.pupil_level_with_la,
        aggregate_with_la=input.aggregate_with_la,
        aggregate_with_chain=input.aggregate_with_chain,
    )
    try:
        result = await settings.save_settings(
            sid,
            _ks(input.key_stage),
            input.year_group,
            input.all_years,
            chosen,
            input.share_targets,
            context.actor,
        )
    except UserInputError as error:
        return SaveTargetSettingsPayload(
            settings=[], prepopulated=0, pending_approval=[], senior_leaders=0,
            errors=_error(SaveTargetSettingsError, error),
        )
    return SaveTargetSettingsPayload(
        settings=[settings_type(s) for s in result.year_groups],
        prepopulated=result.prepopulated,
        pending_approval=[change_type(c) for c in result.pending],
        senior_leaders=result.senior_leaders,
        errors=[],
    )


async def save_benchmarks(context, input: SaveBenchmarksInput) -> SaveBenchmarksPayload:
    sid = _school_id(context, input.school_id)
    choices = [
        benchmarks.BenchmarkChoice(
            subject=c.subject,
            benchmark=StoredLevel(c.benchmark.value),
            grade_format=StoredFormat(c.grade_format.value) if c.grade_format else None,
            custom=c.custom.as_service() if c.custom else None,
        )
        for c in input.subjects
    ]
    try:
        result, written = await benchmarks.save_benchmarks(
            sid, _ks(input.key_stage), input.year_group, choices, context.actor
        )
    except UserInputError as error:
        return SaveBenchmarksPayload(benchmarks=None, prepopulated=0, errors=_error(SaveBenchmarksError, error))
    return SaveBenchmarksPayload(benchmarks=benchmarks_type(result), prepopulated=written, errors=[])


async def set_custom_level(context, input: SetCustomLevelInput) -> SetCustomLevelPayload:
    sid = _school_id(context, input.school_id)
    choice = benchmarks.BenchmarkChoice(
        subject=input.subject, benchmark=StoredLevel.CUSTOM, custom=input.level.as_service()
    )
    try:
        result, written = await benchmarks.save_benchmarks(
            sid, _ks(input.key_stage), input.year_group, [choice], context.actor
        )
    except UserInputError as error:
        return SetCustomLevelPayload(benchmarks=None, prepopulated=0,
                                     errors=_error(SetCustomLevelError, error))
    return SetCustomLevelPayload(benchmarks=benchmarks_type(result), prepopulated=written, errors=[])


async def save_target_subjects(context, input: SaveTargetSubjectsInput) -> SaveTargetSubjectsPayload:
    sid = _school_id(context, input.school_id)
    try:
        listed, written = await settings.save_subjects(
            sid, _ks(input.key_stage), input.year_group, input.included, context.actor
        )
    except UserInputError as error:
        return SaveTargetSubjectsPayload(subjects=[], prepopulated=0, errors=_error(SaveTargetSubjectsError, error))
    return SaveTargetSubjectsPayload(subjects=_managed(listed), prepopulated=written, errors=[])


async def delete_targets(context, input: DeleteTargetsInput) -> DeleteTargetsPayload:
    sid = _school_id(context, input.school_id)
    try:
        done = await deletion.delete_targets(
            sid, _ks(input.key_stage), input.year_group, input.subject or None, context.actor
        )
    except UserInputError as error:
        return DeleteTargetsPayload(deletion=None, errors=_error(DeleteTargetsError, error))
    return DeleteTargetsPayload(deletion=deletion_type(done), errors=[])


async def restore_targets(context, input: RestoreTargetsInput) -> RestoreTargetsPayload:
    sid = _school_id(context, input.school_id)
    try:
        number = int(input.id)
    except ValueError as error:
        raise NotFound("No such deletion.") from error
    try:
        done, restored = await deletion.restore_deletion(sid, number, context.actor)
    except deletion.DeletionNotFound as error:
        raise NotFound("No such deletion.") from error
    except UserInputError as error:
        return RestoreTargetsPayload(deletion=None, restored=0, errors=_error(RestoreTargetsError, error))
    return RestoreTargetsPayload(deletion=deletion_type(done), restored=restored, errors=[])
