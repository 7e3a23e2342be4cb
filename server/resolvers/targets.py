"""Targets: every read goes through permissions.scope.target_detail."""

from __future__ import annotations

import base64
import datetime as dt

from server.models.enums import AccessVia, Editing, KeyStage
from server.permissions.checks import require_user
from server.permissions.scope import Detail, relation, sees_small_groups, sets_targets
from server.schema.challenge import custom_level_type
from server.schema.enums import BenchmarkLevel
from server.schema.enums import KeyStage as KeyStageType
from server.schema.error_codes import field_errors
from server.schema.errors import BadUserInput, Forbidden
from server.schema.estimates import version_of
from server.schema.organisations import School
from server.schema.pagination import (
    MAX_AGGREGATE_PAGE,
    MAX_AGGREGATE_ROWS,
    PageInfo,
    edges_for,
    encode_cursor,
    page_window,
)
from server.schema.targets import Editing as EditingType
from server.schema.targets import (
    ExportFile,
    Pupil,
    PupilTarget,
    PupilTargetConnection,
    SchoolSharingConnection,
    SchoolSharingSummary,
    SetTargetError,
    SetTargetErrorCode,
    SetTargetPayload,
    SharingEntry,
    Subject,
    TargetAggregate,
    TargetExportConnection,
    TargetExportPupil,
    TargetSubject,
    TargetYearGroup,
    YearGroupBaselines,
)
from server.services.errors import UserInputError
from server.services.pupils import baselines as pupil_baselines
from server.services.sharing import reads as outside_reads
from server.services.targets import aggregates, cohort, export
from server.services.targets import pupil_targets as rows_service
from server.services.targets.aggregates import SchoolYearGroup
from server.settings import get_settings

NOT_READABLE = "You cannot read targets of school {urn} for this year group."


def _forbidden_schools(urns: list[str]) -> Forbidden:
    shown = ", ".join(u[:10] for u in urns[:5])
    return Forbidden(NOT_READABLE.format(urn=shown))


async def _readable(
    context, key_stage: KeyStage, year_group: int, urns: list[str] | None, need: Detail
) -> list[tuple[SchoolYearGroup, Detail]]:
    """The schools the viewer may read at `need` detail; naming any other is FORBIDDEN."""
    require_user(context)
    scope = context.scope
    found = await aggregates.schools_with_sharing(scope.schools_q(), key_stage, year_group, urns)
    readable = []
    for entry in found:
        detail = scope.target_detail(entry.sharing)
        if detail >= need:
            readable.append((entry, detail))
            context.loaders.organisation_by_id.prime(entry.school.id, entry.school)
    if urns is not None:
        got = {entry.school.urn for entry, _ in readable}
        missing = [u for u in dict.fromkeys(urns) if u not in got]
        if missing:
            raise _forbidden_schools(missing)
    return readable


def _key_stage(key_stage) -> KeyStage:
    return key_stage.stored()


async def target_aggregates(
    context, key_stage, year_group: int, school_urns: list[str] | None,
    subject_codes: list[str] | None, with_tracking: bool = True,
) -> list[TargetAggregate]:
    ks = aggregates.year_group_of(_key_stage(key_stage), year_group)
    codes = aggregates.check_subject_codes(ks, subject_codes)
    if school_urns is not None and len(set(school_urns)) > MAX_AGGREGATE_PAGE:
        raise BadUserInput(f"Name at most {MAX_AGGREGATE_PAGE} schools")
    readable = await _readable(context, ks, year_group, school_urns, Detail.AGGREGATE)
    if not readable:
        return []
    school_ids = [entry.school.id for entry, _ in readable]
    subjects = await aggregates.subjects_by_code(ks, codes)
    choices = await cohort.subject_choices_by_school(school_ids, ks, year_group, codes)
    shown = {code: subject for code, subject in subjects.items()
             if any(choices[school_id][code].included for school_id in school_ids)}
    customs = {(school_id, code): choices[school_id][code].custom
               for school_id in school_ids for code in shown
               if choices[school_id][code].custom is not None}
    applied = cohort.versions_of(choices)
    targets, estimates = await aggregates.year_group_figures(
        school_ids, ks, year_group, shown, customs, applied,
        tracking_on=([entry.school for entry, _ in readable], dt.date.today())
        if with_tracking else None)
    threshold = get_settings().suppression_threshold
    subject_types = {code: Subject.from_model(subject) for code, subject in shown.items()}
    rows = []
    for entry, detail in readable:
        school_id = entry.school.id
        school = School.from_model(entry.school)
        for code in codes:
            subject = subjects.get(code)
            choice = choices[school_id][code]
            if subject is None or not choice.included:
                continue
            figures = estimates.get((school_id, subject.id))
            pupils = figures.pupils if figures else 0
            got = targets.get((school_id, subject.id))
            targets_set = got.targets_set if got else 0
            suppressed = not sees_small_groups(detail) and aggregates.is_suppressed(
                pupils, targets_set, threshold
            )
            tracks = figures.tracking if figures else None
            tracked = tracks.total if tracks else 0
            # A handful of tracked pupils' shares would describe those pupils, as a handful
            # of targets' average would.
            tracking_suppressed = suppressed or (
                0 < tracked < threshold and not sees_small_groups(detail))
            shares = (None, None, None) if tracking_suppressed or not tracked else (
                tracks.on_track / tracked, tracks.above / tracked, tracks.below / tracked)
            rows.append(
                TargetAggregate(
                    key_stage=key_stage,
                    year_group=year_group,
                    pupils=pupils,
                    pupils_on_standardised_score=(
                        None if suppressed else figures.fallback_pupils if figures else 0
                    ),
                    suppressed=suppressed,
                    targets_set=None if suppressed else targets_set,
                    average_target_points=(
                        None if suppressed or got is None else got.average_target_points
                    ),
                    benchmark=BenchmarkLevel(choice.benchmark.value),
                    tracking_suppressed=tracking_suppressed,
                    tracked_pupils=None if tracking_suppressed else tracked,
                    on_track=shares[0],
                    above_track=shares[1],
                    below_track=shares[2],
                    school=school,
                    subject=subject_types[code],
                    school_id=school_id,
                    subject_id=subject.id,
                    subject_code=code,
                    estimates=figures.average_points if figures else {},
                    scale=choice.scale,
                    custom_level=custom_level_type(choice.custom),
                    estimates_version=version_of(ks, choice.estimates_version),
                )
            )
    if len(rows) > MAX_AGGREGATE_ROWS:
        raise BadUserInput(
            f"That is more than {MAX_AGGREGATE_ROWS} rows: name fewer schools or subjects")
    await _record_aggregate_reads(context, readable, rows, ks, year_group, subject_codes)
    return rows


def door(context, exporting: bool = False) -> str:
    """Through which door a read came: an API token, an export, the GraphQL API with a
    session, or a page of the site."""
    if context.viewer.via == AccessVia.TOKEN:
        return outside_reads.TOKEN
    if exporting:
        return outside_reads.EXPORT
    request = context.request
    if request is not None and request.url.path == "/graphql":
        return outside_reads.API
    return outside_reads.PAGE


async def _record_aggregate_reads(context, readable, rows: list[TargetAggregate],
                                  key_stage: KeyStage, year_group: int,
                                  subject_codes: list[str] | None) -> None:
    """Every school outside the viewer's own whose figures the answer holds: one row each,
    one statement in all. Subjects: those read, or none (every subject) when none were named."""
    persona = context.scope.persona
    outside = {entry.school.id for entry, _ in readable
               if relation(persona, entry.sharing) != "own"}
    if not outside:
        return
    read: dict[int, list[str]] = {}
    for row in rows:
        if row.school_id in outside:
            read.setdefault(row.school_id, []).append(row.subject_code)
    await outside_reads.record(
        context.actor, door(context), outside_reads.AGGREGATE, key_stage, year_group,
        [outside_reads.SchoolRead(school_id, codes if subject_codes else ())
         for school_id, codes in read.items()],
    )



async def _audit_pupil_read(context, entry: SchoolYearGroup, key_stage: KeyStage,
                            year_group: int, pupil_ids: list[int], what: str,
                            subject_codes: list[str] | None = None) -> None:
    """Pupil-level reads by an outside organisation (an LA) are audited (no subject codes:
    every subject)."""
    if relation(context.scope.persona, entry.sharing) == "own":
        return
    await rows_service.record_outside_read(
        context.actor, entry.school.id, key_stage, year_group, pupil_ids, what,
        subject_codes,
    )
    await outside_reads.record(
        context.actor, door(context, exporting=what == "targets.export"), outside_reads.PUPIL,
        key_stage, year_group,
        [outside_reads.SchoolRead(entry.school.id, subject_codes or (), len(set(pupil_ids)))],
    )


async def _pupil_school(context, school_urn: str, ks: KeyStage, year_group: int
                        ) -> SchoolYearGroup:
    readable = await _readable(context, ks, year_group, [school_urn], Detail.PUPIL)
    return readable[0][0]


async def pupil_targets(
    context, school_urn: str, key_stage, year_group: int, subject_code: str | None,
    first: int, after: str | None, upn: str | None = None,
) -> PupilTargetConnection:
    ks = aggregates.year_group_of(_key_stage(key_stage), year_group)
    codes = None if subject_code is None else list(
        aggregates.check_subject_codes(ks, [subject_code])
    )
    start, size = page_window(first, after)
    entry = await _pupil_school(context, school_urn, ks, year_group)
    page = await rows_service.pupil_target_page(
        entry.school.id, ks, year_group, codes, start, size, upn
    )
    await _audit_pupil_read(context, entry, ks, year_group, [r.pupil.id for r in page.rows],
                            "targets.pupil_read", codes)
    for row in page.rows:
        context.loaders.subject_by_id.prime(row.subject.id, row.subject)
    end = start + len(page.rows) - 1
    return PupilTargetConnection(
        edges=edges_for([PupilTarget(row=r) for r in page.rows], start),
        page_info=PageInfo(
            has_next_page=start + len(page.rows) < page.total,
            end_cursor=encode_cursor(end) if page.rows else None,
        ),
        total_count=page.total,
    )


async def _baselines(school_id: int, year_group: int) -> YearGroupBaselines:
    found = await pupil_baselines.year_group_baselines(school_id, year_group)
    return YearGroupBaselines(
        on_standardised_score=[Pupil.from_model(p) for p in found.on_standardised_score],
        without_baseline=[Pupil.from_model(p) for p in found.without_baseline],
    )


async def target_year_group(context, school_urn: str, key_stage, year_group: int
                            ) -> TargetYearGroup:
    ks = aggregates.year_group_of(_key_stage(key_stage), year_group)
    (entry, detail), = await _readable(context, ks, year_group, [school_urn], Detail.AGGREGATE)
    codes = aggregates.known_subject_codes(ks)
    choices = await cohort.subject_choices_by_school([entry.school.id], ks, year_group, codes)
    subjects = await aggregates.subjects_by_code(ks, codes)
    editing = entry.editing
    use = entry.use_target_setting
    applied = cohort.versions_of(choices).get(entry.school.id)
    return TargetYearGroup(
        estimates_version=version_of(ks, applied) if applied else None,
        school=School.from_model(entry.school),
        key_stage=key_stage,
        year_group=year_group,
        use_target_setting=use,
        editing=EditingType(editing.value),
        can_set_targets=use and editing != Editing.NO
        and sets_targets(context.scope.persona, entry.school.id),
        sees_pupils=detail >= Detail.PUPIL,
        baselines=await _baselines(entry.school.id, year_group) if detail >= Detail.PUPIL
        else None,
        shares_pupil_level_with_la=entry.sharing.pupil_level_with_la,
        shares_aggregate_with_la=entry.sharing.aggregate_with_la,
        shares_aggregate_with_chain=entry.sharing.aggregate_with_chain,
        subjects=[
            TargetSubject(
                subject=Subject.from_model(subjects[c]),
                included=choices[entry.school.id][c].included,
                benchmark=BenchmarkLevel(choices[entry.school.id][c].benchmark.value),
                grade_format=choices[entry.school.id][c].scale.code,
                target_grades=list(choices[entry.school.id][c].scale.target_grades),
                custom_level=custom_level_type(choices[entry.school.id][c].custom),
            )
            for c in codes
            if c in subjects
        ],
    )


async def school_sharing(context, first: int, after: str | None) -> SchoolSharingConnection:
    """For outside organisations (and a school itself): what each school shares, per year."""
    require_user(context)
    scope = context.scope
    start, size = page_window(first, after)
    total, entries = await aggregates.sharing_by_school(scope.schools_q(), start, size)
    nodes = []
    for school, sharings in entries:
        context.loaders.organisation_by_id.prime(school.id, school)
        nodes.append(
            SchoolSharingSummary(
                school=School.from_model(school),
                entries=[
                    SharingEntry(
                        key_stage=ks_type(ks), year_group=yg,
                        pupil_level_with_la=s.pupil_level_with_la,
                        aggregate_with_la=s.aggregate_with_la,
                        aggregate_with_chain=s.aggregate_with_chain,
                        viewer_reads=_reads(scope.target_detail(s)),
                    )
                    for (ks, yg), s in sharings
                ],
            )
        )
    end = start + len(nodes) - 1
    return SchoolSharingConnection(
        edges=edges_for(nodes, start),
        page_info=PageInfo(has_next_page=start + len(nodes) < total,
                           end_cursor=encode_cursor(end) if nodes else None),
        total_count=total,
    )


def _reads(detail: Detail) -> str:
    if detail >= Detail.PUPIL:
        return "PUPIL"
    return "AGGREGATE" if detail >= Detail.AGGREGATE else "NONE"


def ks_type(ks: KeyStage) -> KeyStageType:
    return KeyStageType(ks.value)


async def set_target(context, input) -> SetTargetPayload:
    account = require_user(context)
    if not sets_targets(context.scope.persona, account.organisation_id):
        raise Forbidden("Only your school's users with full access to pupil data set targets.")
    pupil_id = None
    if input.pupil_id is not None:
        try:
            pupil_id = int(str(input.pupil_id))
        except ValueError:
            return _set_target_error(UserInputError("Choose a pupil", field="pupilId",
                                                    code=SetTargetErrorCode.UNKNOWN_PUPIL))
    try:
        done = await rows_service.set_target(
            account.organisation_id, account.id, pupil_id, (input.upn or "")[:20] or None,
            input.subject_code[:40], input.grade[:20], (input.reason or "")[:2000],
        )
    except UserInputError as error:
        return _set_target_error(error)
    page = await rows_service.pupil_target_page(
        account.organisation_id, done.key_stage, done.year_group, [done.subject.code], 0, 1,
        upn=done.pupil.upn,
    )
    return SetTargetPayload(
        target=PupilTarget(row=page.rows[0]) if page.rows else None,
        changed=done.changed, errors=[],
    )


def _set_target_error(error: UserInputError) -> SetTargetPayload:
    return SetTargetPayload(target=None, changed=False, errors=field_errors(SetTargetError, error))


async def target_export(context, school_urn: str, key_stage, year_group: int, first: int,
                        after: str | None) -> TargetExportConnection:
    ks = aggregates.year_group_of(_key_stage(key_stage), year_group)
    start, size = page_window(first, after)
    entry = await _pupil_school(context, school_urn, ks, year_group)
    total, pupils = await rows_service.pupils_page(entry.school.id, ks, year_group, start, size)
    await _audit_pupil_read(context, entry, ks, year_group,
                            [rows[0].pupil.id for rows in pupils if rows], "targets.export")
    nodes = [TargetExportPupil(rows=[export.export_row(r) for r in rows]) for rows in pupils]
    end = start + len(nodes) - 1
    return TargetExportConnection(
        columns=list(export.COLUMNS),
        edges=edges_for(nodes, start),
        page_info=PageInfo(has_next_page=start + len(nodes) < total,
                           end_cursor=encode_cursor(end) if nodes else None),
        total_count=total,
    )


async def target_export_workbook(context, school_urn: str, key_stage, year_group: int
                                 ) -> ExportFile:
    ks = aggregates.year_group_of(_key_stage(key_stage), year_group)
    entry = await _pupil_school(context, school_urn, ks, year_group)
    total, pupils = await rows_service.pupils_page(entry.school.id, ks, year_group, 0, 10**6)
    await _audit_pupil_read(context, entry, ks, year_group,
                            [rows[0].pupil.id for rows in pupils if rows], "targets.export")
    content = export.workbook_bytes(export.export_row(r) for rows in pupils for r in rows)
    return ExportFile(
        file_name=export.file_name(entry.school.urn, ks.value, year_group, "xlsx"),
        content_type=export.XLSX_TYPE,
        content_base64=base64.b64encode(content).decode(),
    )



async def target_subjects(context, key_stage) -> list[Subject]:
    require_user(context)
    ks = _key_stage(key_stage)
    codes = aggregates.known_subject_codes(ks)
    found = await aggregates.subjects_by_code(ks, codes)
    return [Subject.from_model(found[c]) for c in codes if c in found]
