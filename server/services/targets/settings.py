"""Manage targets and Manage subjects: a school's settings per key stage and year group.

Rules (DOMAIN.md "Target setting settings"):

- pre-populate with "benchmark grade + 1" only at KS4 and KS5;
- pre-populating needs the target-setting facility switched on;
- sharing "No" clears every sharing choice; "Yes" needs at least one choice;
- pupil-level targets with the LA implies aggregate targets with the LA;
- aggregate targets with an academy chain only for a school in a chain;
- "All Years" applies the same settings to every year group of the key stage;
- unticked subjects are neither pre-populated nor shown in reports; switching anything
  off never deletes a target.

Every save is one transaction, audited with before and after, and ends by pre-populating
each year group whose settings ask for it (see prepopulate.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from server.models import Organisation, SubjectSettings, YearGroupSettings
from server.models.enums import YEAR_GROUPS, Editing, KeyStage, OrganisationKind, Prepopulate
from server.services.accounts.audit import Actor
from server.services.catalogue import ensure_subjects
from server.services.errors import UserInputError
from server.services.sharing import approval
from server.services.targets import audit
from server.services.targets.cohort import SubjectChoice, check_year_group, subject_choices
from server.services.targets.errors import TargetSettingsErrorCode
from server.services.targets.prepopulate import run_prepopulation
from server.services.transactions import run_again_if_rolled_back

PLUS_ONE_KEY_STAGES = (KeyStage.KS4, KeyStage.KS5)


def prepopulate_options(key_stage: KeyStage | str) -> tuple[Prepopulate, ...]:
    """What "Do you want to pre-populate targets?" offers at a key stage."""
    if KeyStage(key_stage) in PLUS_ONE_KEY_STAGES:
        return (Prepopulate.NO, Prepopulate.BENCHMARK, Prepopulate.BENCHMARK_PLUS_ONE)
    return (Prepopulate.NO, Prepopulate.BENCHMARK)


def year_group_of(key_stage: KeyStage | str, year_group: int) -> KeyStage:
    """The key stage, or a message for the person when the year is not one of its years."""
    try:
        return check_year_group(key_stage, year_group)
    except ValueError:
        ks = KeyStage(key_stage)
        years = ", ".join(f"Year {y}" for y in YEAR_GROUPS[ks])
        raise UserInputError(
            f"Choose a {ks.value} year group: {years}", field="yearGroup",
            code=TargetSettingsErrorCode.INVALID_YEAR_GROUP
        ) from None


@dataclass(frozen=True)
class TargetSettings:
    """One year group's answers on Manage targets (defaults until saved)."""

    use_target_setting: bool = False
    prepopulate: Prepopulate = Prepopulate.NO
    editing: Editing = Editing.YES
    pupil_level_with_la: bool = False
    aggregate_with_la: bool = False
    aggregate_with_chain: bool = False

    @property
    def share(self) -> bool:
        return self.pupil_level_with_la or self.aggregate_with_la or self.aggregate_with_chain

    def snapshot(self) -> dict:
        data = asdict(self)
        data["prepopulate"] = self.prepopulate.value
        data["editing"] = self.editing.value
        return data


@dataclass(frozen=True)
class SavedSettings:
    key_stage: KeyStage
    year_group: int
    settings: TargetSettings
    saved: bool
    updated_at: datetime | None = None


def validate_settings(
    key_stage: KeyStage | str, settings: TargetSettings, share: bool, has_chain: bool
) -> TargetSettings:
    """The settings as they will be stored; raises UserInputError for a refused choice."""
    ks = KeyStage(key_stage)
    if settings.prepopulate not in prepopulate_options(ks):
        raise UserInputError(
            "Benchmark grade + 1 can only be used at KS4 and KS5: choose No or FFT benchmark "
            "grade for KS2",
            field="prepopulate",
            code=TargetSettingsErrorCode.PLUS_ONE_NOT_AVAILABLE,
        )
    if settings.prepopulate != Prepopulate.NO and not settings.use_target_setting:
        raise UserInputError(
            "To pre-populate targets, choose Yes to use the target-setting facility",
            field="prepopulate",
            code=TargetSettingsErrorCode.NEEDS_TARGET_SETTING,
        )
    if not share:
        return replace(
            settings, pupil_level_with_la=False, aggregate_with_la=False, aggregate_with_chain=False
        )
    if settings.aggregate_with_chain and not has_chain:
        raise UserInputError(
            "Your school is not in an academy chain: targets cannot be shared with one",
            field="aggregateWithChain",
            code=TargetSettingsErrorCode.NO_ACADEMY_CHAIN,
        )
    if not settings.share:
        raise UserInputError(
            "Select who to share targets with, or choose No",
            field="pupilLevelWithLa",
            code=TargetSettingsErrorCode.SHARE_WITH_REQUIRED,
        )
    if settings.pupil_level_with_la:
        settings = replace(settings, aggregate_with_la=True)
    return settings


def _from_row(row: YearGroupSettings) -> TargetSettings:
    return TargetSettings(
        use_target_setting=row.use_target_setting,
        prepopulate=Prepopulate(row.prepopulate),
        editing=Editing(row.editing),
        pupil_level_with_la=row.pupil_level_with_la,
        aggregate_with_la=row.aggregate_with_la,
        aggregate_with_chain=row.aggregate_with_chain,
    )


async def school_has_chain(school_id: int) -> bool:
    return await Organisation.filter(id=school_id, academy_chain_id__isnull=False).exists()


async def require_school(school_id: int) -> Organisation:
    school = await Organisation.get_or_none(id=school_id)
    if school is None or school.kind != OrganisationKind.SCHOOL:
        raise UserInputError(
            "Target setting is set up by a school", field=None, code=TargetSettingsErrorCode.NOT_A_SCHOOL
        )
    return school


async def get_settings(school_id: int, key_stage: KeyStage | str, year_group: int) -> SavedSettings:
    ks = year_group_of(key_stage, year_group)
    row = await YearGroupSettings.get_or_none(
        school_id=school_id, key_stage=ks, year_group=year_group
    )
    if row is None:
        return SavedSettings(ks, year_group, TargetSettings(), saved=False)
    return SavedSettings(ks, year_group, _from_row(row), saved=True, updated_at=row.updated_at)


@dataclass(frozen=True)
class SaveResult:
    year_groups: list[SavedSettings]
    prepopulated: int
    # Sharing turned on or widened waits for a senior leader (services/sharing/approval.py).
    pending: tuple = ()
    senior_leaders: int = 0


async def save_settings(
    school_id: int,
    key_stage: KeyStage | str,
    year_group: int,
    all_years: bool,
    settings: TargetSettings,
    share: bool,
    actor: Actor,
) -> SaveResult:
    """Save Manage targets for one year group or all of the key stage, then pre-populate."""
    ks = year_group_of(key_stage, year_group)
    school = await require_school(school_id)
    stored = validate_settings(ks, settings, share, school.academy_chain_id is not None)
    years = YEAR_GROUPS[ks] if all_years else (year_group,)
    now = datetime.now(UTC)
    saved_now, pending, written = await _save_and_prepopulate(
        school_id, ks, years, stored, all_years, actor, now)
    leaders = await approval.senior_leaders(school_id) if pending else []
    if pending:
        await approval.tell_senior_leaders(school, leaders, pending, actor)
    return SaveResult(
        [SavedSettings(ks, y, saved_now[y], saved=True, updated_at=now) for y in years], written,
        tuple(pending), len(leaders),
    )


@run_again_if_rolled_back
async def _save_and_prepopulate(
    school_id: int, ks: KeyStage, years: tuple[int, ...], stored: TargetSettings,
    all_years: bool, actor: Actor, now: datetime,
) -> tuple[dict[int, TargetSettings], list, int]:
    """One transaction: the settings rows, their audit, sharing held for approval, and the
    pre-population; the senior leaders are told only once it has committed."""
    actor_id = actor.account.id if actor.account else None
    written = 0
    async with in_transaction() as connection:
        await YearGroupSettings.bulk_create(
            [YearGroupSettings(school_id=school_id, key_stage=ks, year_group=y) for y in years],
            ignore_conflicts=True,
            using_db=connection,
        )
        rows = await (
            YearGroupSettings.filter(school_id=school_id, key_stage=ks, year_group__in=years)
            .select_for_update()
            .using_db(connection)
        )
        before = {row.year_group: _from_row(row).snapshot() for row in rows}
        sharing_now, pending = await approval.hold_widening(
            connection, school_id, ks,
            {row.year_group: approval.sharing_of(row) for row in rows},
            approval.sharing_of(asdict(stored)), actor, now,
        )
        saved_now = {y: replace(stored, **sharing_now[y]) for y in years}
        for sharing in {tuple(v.items()) for v in sharing_now.values()}:
            chosen = [y for y in years if tuple(sharing_now[y].items()) == sharing]
            await (
                YearGroupSettings.filter(school_id=school_id, key_stage=ks, year_group__in=chosen)
                .using_db(connection)
                .update(**{**asdict(stored), **dict(sharing), "updated_by_id": actor_id,
                           "updated_at": now})
            )
        for y in years:
            await audit.record(
                actor,
                "target_settings.saved",
                school_id,
                "year_group",
                audit.year_group_key(ks.value, y),
                before=before.get(y),
                after=saved_now[y].snapshot(),
                detail={"allYears": all_years, "sharingPendingApproval": any(
                    c.year_group == y for c in pending)},
                connection=connection,
            )
        for y in years:
            written += (await run_prepopulation(connection, school_id, ks, y, actor)).written
    return saved_now, pending, written


# -- Manage subjects -----------------------------------------------------------------------


async def subject_list(
    school_id: int, key_stage: KeyStage | str, year_group: int
) -> list[SubjectChoice]:
    ks = year_group_of(key_stage, year_group)
    return list((await subject_choices(school_id, ks, year_group)).values())


def check_subject_codes(
    key_stage: KeyStage | str, codes: Iterable[str], known: Sequence[str], field: str = "subjects"
) -> list[str]:
    wanted = list(dict.fromkeys(codes))
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise UserInputError(
            f"{', '.join(unknown)} is not a {KeyStage(key_stage).value} subject",
            field=field,
            code=TargetSettingsErrorCode.UNKNOWN_SUBJECT,
        )
    return wanted


@run_again_if_rolled_back
async def save_subjects(
    school_id: int,
    key_stage: KeyStage | str,
    year_group: int,
    included: Iterable[str],
    actor: Actor,
) -> tuple[list[SubjectChoice], int]:
    """Tick exactly `included` for the year group; pre-populate newly ticked subjects."""
    ks = year_group_of(key_stage, year_group)
    await require_school(school_id)
    current = await subject_choices(school_id, ks, year_group)
    chosen = set(check_subject_codes(ks, included, list(current)))
    subjects = await ensure_subjects()
    async with in_transaction() as connection:
        await SubjectSettings.bulk_create(
            [
                SubjectSettings(
                    school_id=school_id,
                    key_stage=ks,
                    year_group=year_group,
                    subject_id=subjects[(ks, code)].id,
                    included=code in chosen,
                )
                for code in current
            ],
            on_conflict=["school_id", "key_stage", "year_group", "subject_id"],
            update_fields=["included"],
            using_db=connection,
        )
        before = sorted(c for c, choice in current.items() if choice.included)
        after = sorted(chosen)
        if before != after:
            await audit.record(
                actor,
                "target_subjects.saved",
                school_id,
                "year_group",
                audit.year_group_key(ks.value, year_group),
                before={"included": before},
                after={"included": after},
                connection=connection,
            )
        written = (await run_prepopulation(connection, school_id, ks, year_group, actor)).written
    return await subject_list(school_id, ks, year_group), written
