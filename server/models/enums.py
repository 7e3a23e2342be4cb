"""Stored enumerations; their values are what the database holds."""

from enum import Enum


class OrganisationKind(str, Enum):
    SCHOOL = "school"
    LOCAL_AUTHORITY = "local_authority"
    ACADEMY_CHAIN = "academy_chain"
    OPERATOR = "operator"


class AccountKind(str, Enum):
    ADMINISTRATOR = "administrator"
    USER = "user"


class AccountStatus(str, Enum):
    PENDING = "pending"
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


class Role(str, Enum):
    HEAD_TEACHER = "Head Teacher/Senior Leader"
    MIDDLE_LEADER = "Middle Leader"
    TEACHER = "Teacher"
    GOVERNOR = "Governor"
    DATA_MANAGER = "Data Manager"
    OFFICER = "Officer"


class PupilAccess(str, Enum):
    AGGREGATE = "aggregate"
    FULL = "full"


class BatchKind(str, Enum):
    USERS = "users"
    ADMINISTRATORS = "administrators"


class BatchStatus(str, Enum):
    PARTIALLY_PROCESSED = "Partially processed"
    PROCESSED = "Processed"
    DELETED = "Deleted"


class PupilImportStatus(str, Enum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISCARDED = "discarded"


class KeyStage(str, Enum):
    KS2 = "KS2"
    KS4 = "KS4"
    KS5 = "KS5"


class BenchmarkLevel(str, Enum):
    AVERAGE = "AVERAGE"
    HIGH = "HIGH"
    VERY_HIGH = "VERY_HIGH"
    CUSTOM = "CUSTOM"  # the school's own level (subject_settings.custom_level)


class GradeFormat(str, Enum):
    NINE_TO_ONE = "9-1"
    A_STAR_TO_G = "A*-G"


class Prepopulate(str, Enum):
    NO = "no"
    BENCHMARK = "benchmark"
    BENCHMARK_PLUS_ONE = "benchmark_plus_one"


class Editing(str, Enum):
    NO = "no"
    YES = "yes"
    UPWARDS = "upwards"


class TargetChangeKind(str, Enum):
    PREPOPULATED = "prepopulated"
    SET = "set"
    CHANGED = "changed"
    DELETED = "deleted"
    RESTORED = "restored"


class AccessVia(str, Enum):
    SESSION = "session"
    TOKEN = "token"  # noqa: S105
    COMMAND_LINE = "command_line"
    SYSTEM = "system"


YEAR_GROUPS: dict[KeyStage, tuple[int, ...]] = {
    KeyStage.KS2: (3, 4, 5, 6),
    KeyStage.KS4: (7, 8, 9, 10, 11),
    KeyStage.KS5: (12, 13),
}

SCHOOL_ROLES = (
    Role.HEAD_TEACHER,
    Role.MIDDLE_LEADER,
    Role.TEACHER,
    Role.GOVERNOR,
    Role.DATA_MANAGER,
)


class PriorAttainmentSource(str, Enum):
    """Where a pupil's prior attainment comes from (docs/BASELINES.md)."""

    KS1 = "KS1"  # KS1 average point score, for KS2 pupils
    KS2 = "KS2"  # KS2 test scaled scores, for KS4 pupils
    KS4 = "KS4"  # mean GCSE point score, for KS5 pupils
    STANDARDISED_SCORE = "STANDARDISED_SCORE"  # a fallback baseline (e.g. CAT4 mean SAS)
    NONE = "NONE"  # neither: no estimate, no pre-populated target
