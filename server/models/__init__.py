"""Tortoise models only."""

from server.models.accounts import (
    Account,
    Activation,
    AdministratorSlot,
    ApiToken,
    PasswordReset,
    SecurityAnswer,
    Session,
    ThrottleCounter,
)
from server.models.audit import AuditEvent
from server.models.batches import Batch, BatchRow
from server.models.estimates import EstimatesVersion, SchoolEstimatesVersion
from server.models.organisations import Organisation
from server.models.pupils import Pupil, PupilImport, SchoolValueAdded, Subject
from server.models.sharing import OutsideRead, SharingChange
from server.models.summaries import EstimateSummary, PupilRevision, TargetSummaryGrade
from server.models.target_settings import SubjectSettings, YearGroupSettings
from server.models.targets import Target, TargetChange, TargetDeletion, TargetSummary
from server.models.tracking import (
    AssessmentPoint,
    ExpectedGrade,
    WorkingAtGrade,
    WorkingAtUpload,
)
from server.models.upkeep import UpkeepClaim
from server.models.webhooks import SharedTargetsRevision, Webhook, WebhookDelivery

__models__ = [
    Organisation,
    Account,
    AdministratorSlot,
    Activation,
    SecurityAnswer,
    PasswordReset,
    Session,
    ApiToken,
    ThrottleCounter,
    Batch,
    BatchRow,
    Subject,
    Pupil,
    SchoolValueAdded,
    PupilImport,
    YearGroupSettings,
    SubjectSettings,
    Target,
    TargetChange,
    TargetDeletion,
    TargetSummary,
    TargetSummaryGrade,
    PupilRevision,
    EstimateSummary,
    AssessmentPoint,
    ExpectedGrade,
    WorkingAtGrade,
    WorkingAtUpload,
    AuditEvent,
    UpkeepClaim,
    SharingChange,
    OutsideRead,
    SharedTargetsRevision,
    Webhook,
    WebhookDelivery,
    EstimatesVersion,
    SchoolEstimatesVersion,
]

__all__ = [m.__name__ for m in __models__]
