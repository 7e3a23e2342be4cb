"""Manage benchmarks: per subject the benchmark (Average 50, High 20, Very High 5, or the
school's own custom challenge level: services/estimates/challenge.py), the
"Your school" indicator, the intelligent benchmark offered until a choice is saved, the
grade format (KS4: 9-1 or A*-G) and the cohort's average estimated grade at each choice.

Every figure comes from the estimates engine through cohort.year_group_estimates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from server.models import SubjectSettings
from server.models.enums import BenchmarkLevel, GradeFormat, KeyStage
from server.services.accounts.audit import Actor
from server.services.catalogue import ensure_subjects
from server.services.errors import UserInputError
from server.services.estimates import model
from server.services.estimates.parameters import load_parameters
from server.services.estimates.subjects import subjects_for
from server.services.targets import audit
from server.services.targets.cohort import (
    CHOICES,
    SubjectChoice,
    grade_formats,
    year_group_estimates,
)
from server.services.targets.custom_levels import CustomLevelInput, check_custom_level
from server.services.targets.errors import TargetSettingsErrorCode
from server.services.targets.prepopulate import run_prepopulation
from server.services.targets.settings import check_subject_codes, require_school, year_group_of
from server.services.transactions import run_again_if_rolled_back


@dataclass(frozen=True)
class SubjectBenchmark:
    choice: SubjectChoice
    grade_formats: tuple[GradeFormat, ...]  # empty outside KS4
    averages: Mapping[tuple[BenchmarkLevel, str], str | None]  # (level, scale code) -> grade
    # (level, scale code) -> the mean points behind the grade (None without estimates)
    points: Mapping[tuple[BenchmarkLevel, str], float | None] = field(default_factory=dict)

    def average(
        self, level: BenchmarkLevel | None = None, grade_format: str | None = None
    ) -> str | None:
        """The cohort's average estimate at `level` in `grade_format` (default: the saved ones)."""
        lvl = BenchmarkLevel(level or self.choice.benchmark)
        fmt = grade_format or self.choice.scale.code
        return self.averages.get((lvl, fmt))


@dataclass(frozen=True)
class BenchmarkOverview:
    key_stage: KeyStage
    year_group: int
    model_version: str
    pupils: int
    pupils_with_estimates: int
    subjects: list[SubjectBenchmark]


async def benchmark_overview(
    school_id: int,
    key_stage: KeyStage | str,
    year_group: int,
    subject_codes: list[str] | None = None,
) -> BenchmarkOverview:
    ks = year_group_of(key_stage, year_group)
    if subject_codes is not None:
        check_subject_codes(ks, subject_codes, known_subjects(ks), field="subject")
    cohort = await year_group_estimates(school_id, ks, year_group, subject_codes)
    subjects = []
    for code in cohort.subjects:
        scales = grade_formats(ks, code)
        levels = [lvl for lvl in CHOICES
                  if lvl != BenchmarkLevel.CUSTOM or cohort.choices[code].custom is not None]
        means = {level: float(model.cohort_mean_points(cohort.points(code, level))) for level in levels}
        averages = {
            (level, scale.code): scale.format_average(means[level]) for level in levels for scale in scales
        }
        points = {
            (level, scale.code): None if means[level] != means[level] else round(means[level], 2)
            for level in levels
            for scale in scales
        }
        formats = tuple(GradeFormat(s.code) for s in scales) if ks == KeyStage.KS4 else ()
        subjects.append(SubjectBenchmark(cohort.choices[code], formats, averages, points))
    return BenchmarkOverview(
        key_stage=ks,
        year_group=year_group,
        model_version=cohort.model_version,
        pupils=len(cohort.pupil_ids),
        pupils_with_estimates=cohort.pupils_with_estimates,
        subjects=subjects,
    )


def known_subjects(key_stage: KeyStage) -> list[str]:
    return [
        s.code
        for s in subjects_for(key_stage.value)
        if s.code in load_parameters(key_stage.value).subjects
    ]


@dataclass(frozen=True)
class BenchmarkChoice:
    subject: str
    benchmark: BenchmarkLevel
    grade_format: GradeFormat | None = None
    # A new custom level for the subject (None: keep the saved one). Required with CUSTOM
    # when none is saved yet.
    custom: CustomLevelInput | None = None


def _check_formats(ks: KeyStage, choices: Iterable[BenchmarkChoice]) -> None:
    for choice in choices:
        if choice.grade_format is None:
            continue
        if ks != KeyStage.KS4:
            raise UserInputError(
                "Targets can be set as 9-1 or A*-G only at KS4",
                field=f"format-{choice.subject}",
                code=TargetSettingsErrorCode.GRADE_FORMAT_NOT_AVAILABLE,
            )
        allowed = {s.code for s in grade_formats(ks, choice.subject)}
        if choice.grade_format.value not in allowed:
            raise UserInputError(
                f"Choose 9-1 or A*-G for {choice.subject}",
                field=f"format-{choice.subject}",
                code=TargetSettingsErrorCode.GRADE_FORMAT_NOT_AVAILABLE,
            )


@run_again_if_rolled_back
async def save_benchmarks(
    school_id: int,
    key_stage: KeyStage | str,
    year_group: int,
    choices: Iterable[BenchmarkChoice],
    actor: Actor,
) -> tuple[BenchmarkOverview, int]:
    """Save benchmarks (and KS4 grade formats); pre-populated targets follow them."""
    ks = year_group_of(key_stage, year_group)
    await require_school(school_id)
    choices = list(choices)
    codes = check_subject_codes(
        ks, [c.subject for c in choices], known_subjects(ks), field="subject"
    )
    if len(codes) != len(choices):
        raise UserInputError(
            "Each subject can be given one benchmark", field="subject", code=TargetSettingsErrorCode.DUPLICATE_SUBJECT
        )
    _check_formats(ks, choices)
    current = (
        (await year_group_estimates(school_id, ks, year_group, codes)).choices if codes else {}
    )
    subjects = await ensure_subjects()
    before: dict[str, dict] = {}
    after: dict[str, dict] = {}
    rows = []
    customs = {}
    for choice in choices:
        was = current[choice.subject]
        custom = was.custom
        if choice.custom is not None:
            custom = check_custom_level(ks, choice.subject, was.name, choice.custom)
        if choice.benchmark == BenchmarkLevel.CUSTOM and custom is None:
            raise UserInputError(
                f"Describe the custom level for {was.name}: a percentile, the midpoint of two "
                "benchmarks, or a benchmark plus or minus fine grades",
                field=f"custom-kind-{choice.subject}",
                code=TargetSettingsErrorCode.CUSTOM_LEVEL_REQUIRED,
            )
        customs[choice.subject] = custom
    for choice in choices:
        was = current[choice.subject]
        custom = customs[choice.subject]
        fmt = choice.grade_format or was.grade_format
        old = {
            "benchmark": was.benchmark.value if was.saved else None,
            "gradeFormat": was.grade_format.value if was.grade_format else None,
        }
        new = {"benchmark": choice.benchmark.value, "gradeFormat": fmt.value if fmt else None}
        if was.custom or custom:  # recorded once a subject has a custom level
            old["customLevel"] = was.custom.code if was.custom else None
            new["customLevel"] = custom.code if custom else None
        if old != new:
            before[choice.subject], after[choice.subject] = old, new
        rows.append(
            SubjectSettings(
                school_id=school_id,
                key_stage=ks,
                year_group=year_group,
                subject_id=subjects[(ks, choice.subject)].id,
                benchmark=choice.benchmark,
                grade_format=fmt,
                custom_level=custom.code if custom else None,
                included=was.included,
            )
        )
    written = 0
    async with in_transaction() as connection:
        if rows:
            await SubjectSettings.bulk_create(
                rows,
                on_conflict=["school_id", "key_stage", "year_group", "subject_id"],
                update_fields=["benchmark", "grade_format", "custom_level"],
                using_db=connection,
            )
        if after:
            await audit.record(
                actor,
                "benchmarks.saved",
                school_id,
                "year_group",
                audit.year_group_key(ks.value, year_group),
                before=before,
                after=after,
                connection=connection,
            )
        written = (await run_prepopulation(connection, school_id, ks, year_group, actor)).written
    return await benchmark_overview(school_id, ks, year_group), written
