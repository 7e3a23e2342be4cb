"""Accounts: adding people, pending users, sign-up, managing users, password recovery, MFA."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Optional

import strawberry
from strawberry.scalars import JSON

from server.schema.enums import PupilAccess
from server.schema.error_codes import error_codes
from server.schema.pagination import Edge, PageInfo
from server.services.accounts.errors import AccountErrorCode, PersonErrorCode

error_codes(AccountErrorCode, accepts=(PersonErrorCode,))


def _error_type(name: str) -> type:
    """`<Mutation>Error`: field (the input's field name), message and code."""
    cls = type(
        name,
        (),
        {
            "__annotations__": {
                "field": Optional[str],  # noqa: UP045 (evaluated by strawberry at runtime)
                "message": str,
                "code": AccountErrorCode,
            },
            "__module__": __name__,
            "__doc__": f"A problem with the input of {name.removesuffix('Error')}.",
        },
    )
    return strawberry.type(cls)


AddUserError = _error_type("AddUserError")
AddAdministratorError = _error_type("AddAdministratorError")
CheckNewPersonError = _error_type("CheckNewPersonError")
ResendVerificationError = _error_type("ResendVerificationError")
ReissueActivationCodeError = _error_type("ReissueActivationCodeError")
DeletePendingAccountError = _error_type("DeletePendingAccountError")
UpdateUserAccessError = _error_type("UpdateUserAccessError")
UpdateAdministratorError = _error_type("UpdateAdministratorError")
DeactivateAccountError = _error_type("DeactivateAccountError")
ReactivateAccountError = _error_type("ReactivateAccountError")
SendPasswordResetError = _error_type("SendPasswordResetError")
VerifyActivationCodeError = _error_type("VerifyActivationCodeError")
ChooseSignUpPasswordError = _error_type("ChooseSignUpPasswordError")
CompleteSignUpError = _error_type("CompleteSignUpError")
StartPasswordRecoveryError = _error_type("StartPasswordRecoveryError")
AnswerPasswordRecoveryError = _error_type("AnswerPasswordRecoveryError")
ResetPasswordError = _error_type("ResetPasswordError")
StartTotpSetupError = _error_type("StartTotpSetupError")
ConfirmTotpError = _error_type("ConfirmTotpError")
DisableTotpError = _error_type("DisableTotpError")
VerifyMfaError = _error_type("VerifyMfaError")
SetRequireMfaError = _error_type("SetRequireMfaError")



@strawberry.enum
class AccountKind(Enum):
    ADMINISTRATOR = "administrator"
    USER = "user"


@strawberry.enum
class AccountStatus(Enum):
    PENDING = "pending"
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


@strawberry.type
class PupilAccessOption:
    value: PupilAccess
    label: str


@strawberry.type
class PersonOptions:
    roles: list[str]
    pupil_access: list[PupilAccessOption]
    governor_full_access_warning: str


@strawberry.type(description="Administrator places in the organisation: pending and active ones count.")
class AdministratorSlots:
    limit: int
    used: int
    available: int = strawberry.field(description="How many more administrators may be added now")


@strawberry.type(description="A pending account as the Pending users page shows it.")
class PendingAccount:
    id: strawberry.ID
    kind: AccountKind
    forename: str
    surname: str
    username: str
    email: str
    role: str | None
    pupil_access: PupilAccess | None
    organisation_name: str
    activation_code: str | None
    link_expires_at: datetime | None
    link_reference: str | None
    link_expired: bool
    email_sent_at: datetime | None
    email_error: str | None
    tries: int
    locked: bool
    created_by: str | None = strawberry.field(description="The creator's login name")


@strawberry.type
class WelcomeLetter:
    id: strawberry.ID
    forename: str
    surname: str
    username: str
    is_administrator: bool
    organisation_name: str
    activation_code: str
    sign_up_url: str
    link_expires_at: datetime | None


@strawberry.type
class ManagedAccount:
    id: strawberry.ID
    kind: AccountKind
    forename: str
    surname: str
    email: str
    username: str
    role: str | None
    pupil_access: PupilAccess | None
    status: AccountStatus
    created_at: datetime
    activated_at: datetime | None
    last_login_at: datetime | None
    deactivated_at: datetime | None
    totp_enabled: bool


@strawberry.type
class ManagedAccountConnection:
    edges: list[Edge[ManagedAccount]]
    page_info: PageInfo
    total_count: int


@strawberry.type
class AuditEntry:
    id: strawberry.ID
    at: datetime
    action: str
    actor: str | None
    via: str
    subject: str | None
    before: JSON | None
    after: JSON | None
    detail: JSON | None
    who: str = strawberry.field(description="In people's words: the person, with their LA or "
                                "chain by name when they are outside the organisation")
    what: str = strawberry.field(description="In people's words, e.g. \"Read pupils' targets "
                                 "(28 pupils)\"")
    about: str | None = strawberry.field(description="In people's words, e.g. \"Key stage 4, "
                                         "Year 10: Mathematics\"")
    how: str = strawberry.field(description="A page, an export or an API token by its name")


@strawberry.type
class AuditEntryConnection:
    edges: list[Edge[AuditEntry]]
    page_info: PageInfo
    total_count: int


@strawberry.type
class SecurityQuestion:
    key: str
    text: str


@strawberry.enum
class SignUpLinkState(Enum):
    VALID = "VALID"
    NOT_VALID = "NOT_VALID"
    EXPIRED = "EXPIRED"
    USED = "USED"


@strawberry.type
class SignUpLink:
    state: SignUpLinkState
    message: str | None
    forename: str | None
    locked: bool


@strawberry.type
class SignedUp:
    username: str
    forename: str
    is_administrator: bool


@strawberry.type
class RecoveryCharacter:
    question: str
    position: int = strawberry.field(description="1-based, ignoring spaces")


@strawberry.type
class RecoveryChallenge:
    login_name: str
    characters: list[RecoveryCharacter]


@strawberry.type
class TotpSetup:
    secret: str = strawberry.field(description="The key to type into an authenticator app")
    uri: str = strawberry.field(description="The same key as an otpauth:// URI")


@strawberry.type
class AccountSecurity:
    username: str
    totp_enabled: bool
    mfa_required: bool = strawberry.field(description="The organisation requires it for you")
    mfa_pending: bool = strawberry.field(description="Signed in with a password, code still needed")
    setup: TotpSetup | None = strawberry.field(description="A set-up waiting for its first code")


# Inputs ------------------------------------------------------------------------------


@strawberry.input
class NewPersonInput:
    forename: str
    surname: str
    email: str


@strawberry.input
class AddUserInput:
    forename: str
    surname: str
    email: str
    role: str
    pupil_access: PupilAccess | None
    governor_full_access_confirmed: bool = False


@strawberry.input
class UpdateUserAccessInput:
    id: strawberry.ID
    role: str
    pupil_access: PupilAccess | None
    governor_full_access_confirmed: bool = False


@strawberry.input
class UpdateAdministratorInput:
    id: strawberry.ID
    forename: str
    surname: str
    email: str


@strawberry.input
class ActivationCodeInput:
    token: str
    code: str


@strawberry.input
class ChooseSignUpPasswordInput:
    token: str
    code: str
    password: str
    password_confirmation: str


@strawberry.input
class SecurityAnswerInput:
    question: str
    answer: str


@strawberry.input
class CompleteSignUpInput:
    token: str
    code: str
    answers: list[SecurityAnswerInput]


@strawberry.enum
class RecoveryArea(Enum):
    ADMIN = "admin"
    MAIN = "main"


@strawberry.input
class StartPasswordRecoveryInput:
    login_name: str
    area: RecoveryArea


@strawberry.input
class AnswerPasswordRecoveryInput:
    login_name: str
    area: RecoveryArea
    characters: list[str]


@strawberry.input
class ResetPasswordInput:
    token: str
    password: str
    password_confirmation: str


# Payloads ----------------------------------------------------------------------------


@strawberry.type
class CheckNewPersonResult:
    errors: list[CheckNewPersonError]


@strawberry.type
class AddUserPayload:
    account: PendingAccount | None
    errors: list[AddUserError]


@strawberry.type
class AddAdministratorPayload:
    account: PendingAccount | None
    errors: list[AddAdministratorError]


@strawberry.type
class ResendVerificationPayload:
    account: PendingAccount | None
    errors: list[ResendVerificationError]


@strawberry.type
class ReissueActivationCodePayload:
    account: PendingAccount | None
    errors: list[ReissueActivationCodeError]


@strawberry.type
class DeletePendingAccountPayload:
    deleted_id: strawberry.ID | None
    errors: list[DeletePendingAccountError]


@strawberry.type
class UpdateUserAccessPayload:
    account: ManagedAccount | None
    errors: list[UpdateUserAccessError]


@strawberry.type
class UpdateAdministratorPayload:
    account: ManagedAccount | None
    errors: list[UpdateAdministratorError]


@strawberry.type
class DeactivateAccountPayload:
    account: ManagedAccount | None
    errors: list[DeactivateAccountError]


@strawberry.type
class ReactivateAccountPayload:
    account: ManagedAccount | None
    errors: list[ReactivateAccountError]


@strawberry.type
class SendPasswordResetPayload:
    sent: bool
    errors: list[SendPasswordResetError]


@strawberry.type
class VerifyActivationCodePayload:
    sign_up: SignUpLink | None
    errors: list[VerifyActivationCodeError]


@strawberry.type
class ChooseSignUpPasswordPayload:
    done: bool
    errors: list[ChooseSignUpPasswordError]


@strawberry.type
class CompleteSignUpPayload:
    account: SignedUp | None
    errors: list[CompleteSignUpError]


@strawberry.type
class StartPasswordRecoveryPayload:
    challenge: RecoveryChallenge | None
    errors: list[StartPasswordRecoveryError]


@strawberry.type
class AnswerPasswordRecoveryPayload:
    sent: bool
    errors: list[AnswerPasswordRecoveryError]


@strawberry.type
class ResetPasswordPayload:
    done: bool
    errors: list[ResetPasswordError]


@strawberry.input
class TotpCodeInput:
    code: str


@strawberry.type
class StartTotpSetupPayload:
    setup: TotpSetup | None
    errors: list[StartTotpSetupError]


@strawberry.type
class ConfirmTotpPayload:
    security: AccountSecurity | None
    errors: list[ConfirmTotpError]


@strawberry.type
class DisableTotpPayload:
    security: AccountSecurity | None
    errors: list[DisableTotpError]


@strawberry.type
class VerifyMfaPayload:
    verified: bool
    errors: list[VerifyMfaError]


@strawberry.type
class SetRequireMfaPayload:
    require_mfa: bool
    errors: list[SetRequireMfaError]
