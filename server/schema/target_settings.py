"""Target-setting administration: Manage targets, benchmarks, subjects, Delete targets."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from server.schema.challenge import CustomLevel, CustomLevelInput
from server.schema.enums import BenchmarkLevel, KeyStage
from server.schema.error_codes import error_codes
from server.schema.estimates import ESTIMATES_VERSION, EstimatesVersion
from server.schema.sharing import SharingChange
from server.schema.targets import Editing
from server.services.targets.errors import TargetSettingsErrorCode


@strawberry.enum(description="Do you want to pre-populate targets? (BENCHMARK_PLUS_ONE: KS4, KS5)")
class PrepopulateOption(Enum):
    NO = "no"
    BENCHMARK = "benchmark"
    BENCHMARK_PLUS_ONE = "benchmark_plus_one"


@strawberry.enum(description="The scale a KS4 subject's targets are set on")
class GradeFormat(Enum):
    NINE_TO_ONE = "9-1"
    A_STAR_TO_G = "A*-G"


error_codes(TargetSettingsErrorCode)


@strawberry.type
class KeyStageYearGroups:
    key_stage: KeyStage
    year_groups: list[int]
    prepopulate_options: list[PrepopulateOption]


@strawberry.type(description="What the Target Setting pages of a school's administration need")
class TargetSettingsOverview:
    school_name: str
    key_stages: list[KeyStageYearGroups]
    has_academy_chain: bool
    school_id: strawberry.Private[int]

    @strawberry.field(description="At least one live target exists")
    async def has_targets(self) -> bool:
        from server.services.targets.deletion import has_live_targets

        return await has_live_targets(self.school_id)

    @strawberry.field(description="A deletion can still be restored")
    async def has_restorable_deletions(self) -> bool:
        from server.services.targets.deletion import has_restorable_deletions

        return await has_restorable_deletions(self.school_id)


@strawberry.type(description="Manage targets: one year group's answers (defaults until saved)")
class YearGroupTargetSettings:
    key_stage: KeyStage
    year_group: int
    saved: bool
    use_target_setting: bool
    prepopulate: PrepopulateOption
    editing: Editing
    share_targets: bool
    pupil_level_with_la: bool
    aggregate_with_la: bool = strawberry.field(
        description="Always true when pupil-level targets are shared with the LA"
    )
    aggregate_with_chain: bool
    updated_at: datetime | None


@strawberry.type
class CohortAverage:
    benchmark: BenchmarkLevel
    scale: str = strawberry.field(description="9-1, A*-G, A-level, KS2-scaled or KS2-band")
    average: str | None = strawberry.field(
        description="The cohort's average estimate: 9-1 to one decimal, a fine letter on A*-G "
        "and A level (B-, B, B+: the third of the grade reached), a KS2 score or band. Null "
        "when no pupil has an estimate"
    )
    points: float | None = strawberry.field(
        default=None, description="The mean points behind `average` (A*-G uses the 9-1 points)"
    )


@strawberry.type
class SubjectBenchmark:
    code: str
    name: str
    benchmark: BenchmarkLevel = strawberry.field(
        description="The saved benchmark, else the intelligent benchmark (see saved)"
    )
    custom_level: CustomLevel | None = strawberry.field(
        description="The school's custom challenge level for the subject, kept while another "
        "benchmark is chosen (benchmark CUSTOM uses it)"
    )
    saved: bool
    suggested: BenchmarkLevel = strawberry.field(description="The intelligent benchmark")
    indicator: int | None = strawberry.field(
        description="'Your school': percentile of progress over the last 3 years, 1 best"
    )
    grade_format: GradeFormat | None = strawberry.field(description="KS4 only")
    grade_formats: list[GradeFormat]
    scale: str
    included: bool
    average: str | None = strawberry.field(
        description="The cohort's average estimate at the benchmark, in the grade format"
    )
    averages: list[CohortAverage] = strawberry.field(
        description="At every benchmark and format; at CUSTOM too when there is a custom level"
    )


@strawberry.type
class YearGroupBenchmarks:
    key_stage: KeyStage
    year_group: int
    model_version: str
    pupils: int
    pupils_with_estimates: int
    subjects: list[SubjectBenchmark]
    estimates_version: EstimatesVersion | None = strawberry.field(
        default=None, description=ESTIMATES_VERSION)


@strawberry.type(description="Manage subjects: whether a subject appears and is pre-populated")
class ManagedSubject:
    code: str
    name: str
    included: bool
    default_included: bool


@strawberry.type
class SubjectTargetCount:
    code: str
    name: str
    targets: int
    prepopulated: int


@strawberry.type
class YearGroupTargetCounts:
    key_stage: KeyStage
    year_group: int
    targets: int
    prepopulated: int
    subjects: list[SubjectTargetCount]
    prepopulating: bool = strawberry.field(
        description="Pre-population is on: deleted targets are pre-populated again on the "
        "next save of the settings or pupil import"
    )


@strawberry.type(description="One use of Delete targets, restorable for 30 days")
class TargetDeletion:
    id: strawberry.ID
    key_stage: KeyStage
    year_group: int
    subject_code: str | None
    subject_name: str | None = strawberry.field(description="Null: all subjects")
    targets_deleted: int
    restorable: int = strawberry.field(description="Targets a restore would bring back now")
    deleted_by: str | None
    deleted_at: datetime
    purge_after: datetime
    restored_at: datetime | None


# -- inputs ------------------------------------------------------------------------------


@strawberry.input
class SaveTargetSettingsInput:
    school_id: strawberry.ID | None = None
    key_stage: KeyStage
    year_group: int
    all_years: bool = False
    use_target_setting: bool
    prepopulate: PrepopulateOption
    editing: Editing
    share_targets: bool
    pupil_level_with_la: bool = False
    aggregate_with_la: bool = False
    aggregate_with_chain: bool = False


@strawberry.input
class BenchmarkChoiceInput:
    subject: str
    benchmark: BenchmarkLevel
    grade_format: GradeFormat | None = None
    custom: CustomLevelInput | None = strawberry.field(
        default=None,
        description="A new custom challenge level for the subject (null: keep the saved one); "
        "needed with benchmark CUSTOM when none is saved",
    )


@strawberry.input
class SetCustomLevelInput:
    school_id: strawberry.ID | None = None
    key_stage: KeyStage
    year_group: int
    subject: str
    level: CustomLevelInput


@strawberry.input
class SaveBenchmarksInput:
    school_id: strawberry.ID | None = None
    key_stage: KeyStage
    year_group: int
    subjects: list[BenchmarkChoiceInput]


@strawberry.input
class SaveTargetSubjectsInput:
    school_id: strawberry.ID | None = None
    key_stage: KeyStage
    year_group: int
    included: list[str] = strawberry.field(description="Codes of the ticked subjects")


@strawberry.input
class DeleteTargetsInput:
    school_id: strawberry.ID | None = None
    key_stage: KeyStage
    year_group: int
    subject: str | None = strawberry.field(default=None, description="Null: all subjects")


@strawberry.input
class RestoreTargetsInput:
    school_id: strawberry.ID | None = None
    id: strawberry.ID


# -- payloads ----------------------------------------------------------------------------


@strawberry.type
class SaveTargetSettingsError:
    field: str | None
    message: str
    code: TargetSettingsErrorCode


@strawberry.type
class SaveTargetSettingsPayload:
    settings: list[YearGroupTargetSettings]
    prepopulated: int = strawberry.field(description="Targets pre-populated or brought up to date")
    pending_approval: list[SharingChange] = strawberry.field(
        description="Sharing turned on or widened: waits for a senior leader's approval "
        "(settings show what is shared now)"
    )
    senior_leaders: int = strawberry.field(
        description="Users who can approve pending_approval (0: nobody can, see the message)"
    )
    errors: list[SaveTargetSettingsError]


@strawberry.type
class SaveBenchmarksError:
    field: str | None
    message: str
    code: TargetSettingsErrorCode


@strawberry.type
class SaveBenchmarksPayload:
    benchmarks: YearGroupBenchmarks | None
    prepopulated: int
    errors: list[SaveBenchmarksError]


@strawberry.type
class SetCustomLevelError:
    field: str | None = strawberry.field(
        description="custom-kind|percentile|benchmark|other|fine-grades-<subject>, or subject"
    )
    message: str
    code: TargetSettingsErrorCode


@strawberry.type
class SetCustomLevelPayload:
    benchmarks: YearGroupBenchmarks | None
    prepopulated: int = strawberry.field(description="Targets pre-populated or brought up to date")
    errors: list[SetCustomLevelError]


@strawberry.type
class SaveTargetSubjectsError:
    field: str | None
    message: str
    code: TargetSettingsErrorCode


@strawberry.type
class SaveTargetSubjectsPayload:
    subjects: list[ManagedSubject]
    prepopulated: int
    errors: list[SaveTargetSubjectsError]


@strawberry.type
class DeleteTargetsError:
    field: str | None
    message: str
    code: TargetSettingsErrorCode


@strawberry.type
class DeleteTargetsPayload:
    deletion: TargetDeletion | None
    errors: list[DeleteTargetsError]


@strawberry.type
class RestoreTargetsError:
    field: str | None
    message: str
    code: TargetSettingsErrorCode


@strawberry.type
class RestoreTargetsPayload:
    deletion: TargetDeletion | None
    restored: int
    errors: list[RestoreTargetsError]
