"""Targets: aggregates per school and subject, pupils' targets, setting a target, exports."""

from __future__ import annotations

from enum import Enum

import strawberry
from graphql import GraphQLSchema
from strawberry.types import Info

from server.models import Pupil as PupilModel
from server.models import Subject as SubjectModel
from server.schema.challenge import CustomLevel, custom_level_of_code, custom_level_type
from server.schema.enums import BenchmarkLevel, KeyStage, PriorAttainmentSource
from server.schema.error_codes import error_codes
from server.schema.estimates import ESTIMATES_VERSION, EstimatesVersion, version_of
from server.schema.execution import pure_resolver
from server.schema.organisations import School
from server.schema.pagination import Edge, PageInfo
from server.services.estimates.errors import GradeErrorCode
from server.services.estimates.rounding import whole_percentages
from server.services.targets.aggregates import grade_threshold
from server.services.targets.errors import SetTargetErrorCode
from server.services.targets.pupil_targets import EstimateValue, PupilTargetRow


@strawberry.type
class Subject:
    code: str
    name: str
    key_stage: KeyStage

    @classmethod
    def from_model(cls, model: SubjectModel) -> Subject:
        return cls(code=model.code, name=model.name, key_stage=KeyStage(model.key_stage.value))


@strawberry.type(description="One school's targets against benchmarks in one subject.")
class TargetAggregate:
    key_stage: KeyStage
    year_group: int
    pupils: int = strawberry.field(
        description="Pupils in the year group with an estimate: prior attainment, or a "
        "standardised score in its place"
    )
    pupils_on_standardised_score: int | None = strawberry.field(
        description="Of `pupils`, those estimated from a standardised score (a fallback "
        "baseline: no prior attainment of their own); null when suppressed"
    )
    suppressed: bool = strawberry.field(
        description="True: too few pupils to disclose; targetsSet, the averages and "
        "targetsAtOrAbove are null"
    )
    targets_set: int | None
    average_target_points: float | None = strawberry.field(
        description="Null also when no target is set"
    )
    benchmark: BenchmarkLevel = strawberry.field(
        description="The school's chosen benchmark for the subject"
    )
    tracking_suppressed: bool = strawberry.field(
        description="True: suppressed, or a handful of pupils tracked (1 to the threshold "
        "less one) to a viewer without full access; trackedPupils and the shares are null"
    )
    tracked_pupils: int | None = strawberry.field(
        description="Pupils tracked at the school's latest assessment point today: a "
        "working-at grade there and a live target in the subject"
    )
    on_track: float | None = strawberry.field(
        description="Share (0 to 1) of trackedPupils on track at the latest point; null when "
        "trackingSuppressed or nobody is tracked"
    )
    above_track: float | None = strawberry.field(
        description="Share (0 to 1) of trackedPupils above their flight path, as onTrack"
    )
    below_track: float | None = strawberry.field(
        description="Share (0 to 1) of trackedPupils below their flight path, as onTrack"
    )
    school: School
    subject: Subject
    school_id: strawberry.Private[int]
    subject_id: strawberry.Private[int]
    subject_code: strawberry.Private[str]
    estimates: strawberry.Private[dict]
    scale: strawberry.Private[object] = None  # the school's grade format for the subject
    custom_level: CustomLevel | None = strawberry.field(
        default=None, description="The school's custom challenge level for the subject "
        "(benchmark CUSTOM uses it; averageEstimatePoints(benchmark: CUSTOM) is the mean at it)"
    )
    estimates_version: EstimatesVersion | None = strawberry.field(
        default=None, description=ESTIMATES_VERSION + " (the school's applied version)")

    @strawberry.field(description="Mean estimate in points; default: the school's benchmark")
    def average_estimate_points(self, benchmark: BenchmarkLevel | None = None) -> float | None:
        return self.estimate_at(benchmark)

    @strawberry.field(description='averageEstimatePoints as a grade on the school\'s grade '
                      'format: a fine letter on A*-G and A level ("B+"), else as fine grades show')
    def average_estimate_grade(self, benchmark: BenchmarkLevel | None = None) -> str | None:
        return self.grade_of(self.estimate_at(benchmark))

    @strawberry.field(description="averageTargetPoints as a grade, as averageEstimateGrade")
    def average_target_grade(self) -> str | None:
        return self.grade_of(self.average_target_points)

    def grade_of(self, points: float | None) -> str | None:
        if points is None or self.scale is None:
            return None
        return self.scale.format_average(points)

    def estimate_at(self, benchmark: BenchmarkLevel | str | None) -> float | None:
        if self.suppressed:
            return None
        level = self.benchmark if benchmark is None else benchmark
        # The stored levels are str enums with the same values: the value string finds them.
        return self.estimates.get(getattr(level, "value", level))

    @strawberry.field(
        description='Targets at or above a grade on the subject\'s scale, e.g. "4", "C"'
    )
    async def targets_at_or_above(self, info: Info, grade: str) -> int | None:
        threshold = grade_threshold(self.key_stage.stored(), self.subject_code, grade[:20])
        if self.suppressed:
            return None
        return await info.context.loaders.targets_at_or_above_by_threshold.load(
            (self.year_group, self.school_id, self.subject_id, threshold)
        )


@strawberry.type
class Pupil:
    upn: str
    forename: str
    surname: str
    year_group: int
    id: strawberry.ID
    standardised_score: float | None = strawberry.field(
        description="The fallback baseline (mean 100, SD 15), used only without prior attainment")

    @classmethod
    def from_model(cls, model: PupilModel) -> Pupil:
        return cls(upn=model.upn, forename=model.forename, surname=model.surname,
                   year_group=model.year_group, id=strawberry.ID(str(model.id)),
                   standardised_score=model.standardised_score)


@strawberry.type
class Estimate:
    benchmark: BenchmarkLevel
    fine_points: float
    grade: str
    fine_grade: str = strawberry.field(
        description="The fine grade as shown: 5.4 on 9–1, a letter on A*–G and A level, a "
        "whole score at KS2"
    )
    custom_level: CustomLevel | None = strawberry.field(
        default=None, description="With benchmark CUSTOM: the level the estimate is at"
    )

    @classmethod
    def from_value(cls, value: EstimateValue) -> Estimate:
        return cls(benchmark=BenchmarkLevel(value.benchmark.value), fine_points=value.fine_points,
                   grade=value.grade, fine_grade=value.fine_grade,
                   custom_level=custom_level_type(value.custom))


@strawberry.type
class GradeChance:
    grade: str
    probability: float
    percent: int = strawberry.field(description="The chance as a whole percentage; a pupil's "
                                    "percentages add up to exactly 100 (largest remainder)")


@strawberry.type
class TargetChangeRecord:
    kind: str
    old_grade: str | None
    new_grade: str | None
    reason: str | None
    benchmark: BenchmarkLevel | None = strawberry.field(
        description="A pre-populated value: the benchmark its estimate was taken at")
    custom_level: CustomLevel | None = strawberry.field(
        description="With benchmark CUSTOM: the custom level the target was pre-populated at"
    )
    model_version: str | None = strawberry.field(
        description="A pre-populated value: the version of the model parameters it came from")
    changed_by: str | None
    changed_at: str


@strawberry.type
class PupilTarget:
    row: strawberry.Private[PupilTargetRow]

    @strawberry.field
    def pupil(self) -> Pupil:
        return Pupil.from_model(self.row.pupil)

    @strawberry.field
    def subject(self) -> Subject:
        return Subject.from_model(self.row.subject)

    @strawberry.field(description="Null when none is set")
    def target_grade(self) -> str | None:
        return self.row.target.grade if self.row.target else None

    @strawberry.field
    def target_points(self) -> float | None:
        return float(self.row.target.points) if self.row.target else None

    @strawberry.field
    def prepopulated(self) -> bool:
        return bool(self.row.target and self.row.target.prepopulated)

    @strawberry.field(description="The pre-populated target, if the target was pre-populated")
    def prepopulated_grade(self) -> str | None:
        return self.row.target.prepopulated_grade if self.row.target else None

    @strawberry.field(
        description="Which baseline the estimate (and a pre-populated target) comes from: "
        "STANDARDISED_SCORE flags a fallback baseline; NONE: no estimate"
    )
    def prior_attainment_source(self) -> PriorAttainmentSource:
        return PriorAttainmentSource(self.row.cohort.source(self.row.column).value)

    @strawberry.field(description="Default: the school's choice; null without prior attainment "
                      "or a standardised score")
    def estimate(self, benchmark: BenchmarkLevel | None = None) -> Estimate | None:
        value = self.row.estimate(benchmark.stored() if benchmark else None)
        return Estimate.from_value(value) if value else None

    @strawberry.field(description=ESTIMATES_VERSION + " (the school's applied version)")
    def estimates_version(self) -> EstimatesVersion:
        return version_of(self.row.cohort.key_stage, self.row.cohort.model_version)

    @strawberry.field(description="The school's chosen benchmark for the subject")
    def school_benchmark(self) -> BenchmarkLevel:
        return BenchmarkLevel(self.row.choice.benchmark.value)

    @strawberry.field(description="The school's custom challenge level for the subject, if any")
    def custom_level(self) -> CustomLevel | None:
        return custom_level_type(self.row.choice.custom)

    @strawberry.field(description="The grades a target may be set at (the subject's format)")
    def target_grades(self) -> list[str]:
        return list(self.row.scale.target_grades)

    @strawberry.field(description="Chance of each grade at the benchmark, lowest grade first")
    def chances(self, benchmark: BenchmarkLevel | None = None) -> list[GradeChance]:
        level = benchmark.stored() if benchmark else None
        chances = self.row.chances(level)
        shown = whole_percentages([p for _, p in chances])
        return [GradeChance(grade=g, probability=p, percent=whole)
                for (g, p), whole in zip(chances, shown, strict=True)]

    @strawberry.field(description="Likelihood of reaching the target nationally, at the benchmark")
    def likelihood(self, benchmark: BenchmarkLevel | None = None) -> float | None:
        return self.row.likelihood(benchmark.stored() if benchmark else None)

    @strawberry.field(description="Likelihood of reaching the target at this school's past rate")
    def likelihood_at_school_rate(self) -> float | None:
        return self.row.likelihood_at_school_rate()

    @strawberry.field(description="Every change to the target, oldest first")
    async def history(self, info: Info) -> list[TargetChangeRecord]:
        if self.row.target is None:
            return []
        changes = await info.context.loaders.target_changes_by_target_id.load(self.row.target.id)
        return [
            TargetChangeRecord(
                kind=c.kind.value, old_grade=c.old_grade, new_grade=c.new_grade, reason=c.reason,
                benchmark=BenchmarkLevel(c.benchmark.value) if c.benchmark else None,
                custom_level=custom_level_of_code(c.custom_level),
                model_version=c.model_version, changed_by=who,
                changed_at=c.changed_at.isoformat(),
            )
            for c, who in changes
        ]


@strawberry.type
class PupilTargetConnection:
    edges: list[Edge[PupilTarget]]
    page_info: PageInfo
    total_count: int


@strawberry.enum
class Editing(Enum):
    NO = "no"
    YES = "yes"
    UPWARDS = "upwards"


@strawberry.type
class TargetSubject:
    subject: Subject
    included: bool
    benchmark: BenchmarkLevel
    grade_format: str = strawberry.field(description="The scale targets are set on")
    target_grades: list[str]
    custom_level: CustomLevel | None = strawberry.field(
        default=None, description="The school's custom challenge level for the subject, if any"
    )


@strawberry.type(description="A school's target settings for one key stage and year group")
class TargetYearGroup:
    school: School
    key_stage: KeyStage
    year_group: int
    use_target_setting: bool
    editing: Editing
    can_set_targets: bool = strawberry.field(
        description="True when the viewer may set targets here now"
    )
    sees_pupils: bool = strawberry.field(description="True when the viewer may read pupil rows")
    shares_pupil_level_with_la: bool
    shares_aggregate_with_la: bool
    shares_aggregate_with_chain: bool
    subjects: list[TargetSubject]
    baselines: YearGroupBaselines | None = strawberry.field(
        default=None, description="Pupils without prior attainment of their own; null unless "
        "the viewer may read pupil rows")
    estimates_version: EstimatesVersion | None = strawberry.field(
        default=None, description=ESTIMATES_VERSION + " (the school's applied version)")


@strawberry.type(description="A year group's current pupils without prior attainment")
class YearGroupBaselines:
    on_standardised_score: list[Pupil] = strawberry.field(
        description="Estimated from their standardised score (flagged as a fallback baseline)")
    without_baseline: list[Pupil] = strawberry.field(
        description="Neither prior attainment nor a standardised score: no estimate and no "
        "pre-populated target until one is entered")


@strawberry.type(description="What a school shares with the viewer, per key stage and year group")
class SharingEntry:
    key_stage: KeyStage
    year_group: int
    pupil_level_with_la: bool
    aggregate_with_la: bool
    aggregate_with_chain: bool
    viewer_reads: str = strawberry.field(description="NONE, AGGREGATE or PUPIL")


@strawberry.type
class SchoolSharingSummary:
    school: School
    entries: list[SharingEntry]


@strawberry.type
class SchoolSharingConnection:
    edges: list[Edge[SchoolSharingSummary]]
    page_info: PageInfo
    total_count: int


@strawberry.input
class SetTargetInput:
    pupil_id: strawberry.ID | None = None
    upn: str | None = None
    subject_code: str
    grade: str
    reason: str | None = None


error_codes(SetTargetErrorCode, accepts=(GradeErrorCode,))


@strawberry.type
class SetTargetError:
    field: str | None
    message: str
    code: SetTargetErrorCode


@strawberry.type
class SetTargetPayload:
    target: PupilTarget | None
    changed: bool
    errors: list[SetTargetError]


@strawberry.type(description="One pupil's export rows: one per subject, cells as text")
class TargetExportPupil:
    rows: list[list[str]]


@strawberry.type
class TargetExportConnection:
    columns: list[str]
    edges: list[Edge[TargetExportPupil]]
    page_info: PageInfo
    total_count: int


@strawberry.type
class ExportFile:
    file_name: str
    content_type: str
    content_base64: str


def lean_resolvers(schema: GraphQLSchema) -> None:
    """averageEstimatePoints runs once per row of targetAggregates (1,200 for a large LA):
    a pure function of the row and the argument, without Strawberry's per-call argument
    conversion. The argument arrives as the enum's value.
    """
    fields = schema.type_map["TargetAggregate"].fields
    pure_resolver(fields["averageEstimatePoints"],
                  lambda row, benchmark=None: row.estimate_at(benchmark))
    pure_resolver(fields["averageEstimateGrade"],
                  lambda row, benchmark=None: row.grade_of(row.estimate_at(benchmark)))
    pure_resolver(fields["averageTargetGrade"], lambda row: row.grade_of(row.average_target_points))
