"""Root fields of the accounts domain."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from server.resolvers import accounts as resolve
from server.schema import accounts as t


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="Roles and pupil data access an administrator may give.")
    def person_options(self, info: Info) -> t.PersonOptions:
        return resolve.person_options(info.context)

    @strawberry.field(description="Problems with a new person's name and email, without adding.")
    async def check_new_person(
        self, info: Info, kind: t.AccountKind, input: t.NewPersonInput
    ) -> t.CheckNewPersonResult:
        return await resolve.check_new_person(info.context, kind, input)

    @strawberry.field(description="The organisation's pending users and administrators.")
    async def pending_accounts(self, info: Info) -> list[t.PendingAccount]:
        return await resolve.pending_accounts(info.context)

    @strawberry.field(description="Welcome letters of pending accounts (at most 100).")
    async def welcome_letters(self, info: Info, ids: list[strawberry.ID]) -> list[t.WelcomeLetter]:
        return await resolve.welcome_letters(info.context, ids)

    @strawberry.field(description="Users I manage: active and deactivated users.")
    async def managed_users(
        self,
        info: Info,
        search: str | None = None,
        role: str | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> t.ManagedAccountConnection:
        return await resolve.managed_users(info.context, search, role, 50 if first is None else first, after)

    @strawberry.field
    async def managed_account(self, info: Info, id: strawberry.ID) -> t.ManagedAccount | None:
        return await resolve.managed_account(info.context, id)

    @strawberry.field
    async def administrators(self, info: Info) -> list[t.ManagedAccount]:
        return await resolve.administrators(info.context)

    @strawberry.field(description="How many administrators the organisation has and may have.")
    async def administrator_slots(self, info: Info) -> t.AdministratorSlots:
        return await resolve.administrator_slots(info.context)

    @strawberry.field(description="The organisation's audit log, newest first.")
    async def audit_events(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> t.AuditEntryConnection:
        return await resolve.audit_events(info.context, 50 if first is None else first, after)

    @strawberry.field
    def organisation_requires_mfa(self, info: Info) -> bool:
        return resolve.organisation_requires_mfa(info.context)

    @strawberry.field(description="The questions a person chooses three of at sign-up.")
    def security_questions(self) -> list[t.SecurityQuestion]:
        return resolve.security_questions()

    @strawberry.field(description="Whether a sign-up link can be used.")
    async def sign_up_link(self, token: str) -> t.SignUpLink:
        return await resolve.sign_up_link(token)

    @strawberry.field(description="The viewer's two-step sign-in, also while a code is awaited.")
    async def account_security(self, info: Info) -> t.AccountSecurity:
        return await resolve.account_security(info.context)

    @strawberry.field(description="Whether a password reset link can be used.")
    async def password_reset_link_valid(self, token: str, area: t.RecoveryArea) -> bool:
        return await resolve.password_reset_link(token, area)


@strawberry.type
class AccountsMutation:
    @strawberry.mutation
    async def add_user(self, info: Info, input: t.AddUserInput) -> t.AddUserPayload:
        return await resolve.add_user(info.context, input)

    @strawberry.mutation
    async def add_administrator(self, info: Info, input: t.NewPersonInput) -> t.AddAdministratorPayload:
        return await resolve.add_administrator(info.context, input)

    @strawberry.mutation(description="A fresh sign-up link by email; the old link stops working.")
    async def resend_verification(self, info: Info, id: strawberry.ID) -> t.ResendVerificationPayload:
        return await resolve.resend_verification(info.context, id)

    @strawberry.mutation(description="A new activation code; tries start again, a lock is lifted.")
    async def reissue_activation_code(self, info: Info, id: strawberry.ID) -> t.ReissueActivationCodePayload:
        return await resolve.reissue_activation_code(info.context, id)

    @strawberry.mutation
    async def delete_pending_account(self, info: Info, id: strawberry.ID) -> t.DeletePendingAccountPayload:
        return await resolve.delete_pending_account(info.context, id)

    @strawberry.mutation
    async def update_user_access(self, info: Info, input: t.UpdateUserAccessInput) -> t.UpdateUserAccessPayload:
        return await resolve.update_user_access(info.context, input)

    @strawberry.mutation
    async def update_administrator(self, info: Info, input: t.UpdateAdministratorInput) -> t.UpdateAdministratorPayload:
        return await resolve.update_administrator(info.context, input)

    @strawberry.mutation(description="Signs the person out everywhere at once.")
    async def deactivate_account(self, info: Info, id: strawberry.ID) -> t.DeactivateAccountPayload:
        return await resolve.deactivate_account(info.context, id)

    @strawberry.mutation
    async def reactivate_account(self, info: Info, id: strawberry.ID) -> t.ReactivateAccountPayload:
        return await resolve.reactivate_account(info.context, id)

    @strawberry.mutation(description="Emails the person a reset link; nobody else sees a password.")
    async def send_password_reset(self, info: Info, id: strawberry.ID) -> t.SendPasswordResetPayload:
        return await resolve.send_password_reset(info.context, id)

    @strawberry.mutation
    async def set_require_mfa(self, info: Info, required: bool) -> t.SetRequireMfaPayload:
        return await resolve.set_require_mfa(info.context, required)

    @strawberry.mutation(description="Sign-up step 1: the activation code of a sign-up link.")
    async def verify_activation_code(self, info: Info, input: t.ActivationCodeInput) -> t.VerifyActivationCodePayload:
        return await resolve.verify_activation_code(info.context, input)

    @strawberry.mutation(description="Sign-up step 2: the password.")
    async def choose_sign_up_password(
        self, info: Info, input: t.ChooseSignUpPasswordInput
    ) -> t.ChooseSignUpPasswordPayload:
        return await resolve.choose_sign_up_password(info.context, input)

    @strawberry.mutation(description="Sign-up step 3: three security questions; the account is active.")
    async def complete_sign_up(self, info: Info, input: t.CompleteSignUpInput) -> t.CompleteSignUpPayload:
        return await resolve.complete_sign_up(info.context, input)

    @strawberry.mutation(description="Forgotten password: which characters of the answers to give.")
    async def start_password_recovery(
        self, info: Info, input: t.StartPasswordRecoveryInput
    ) -> t.StartPasswordRecoveryPayload:
        return await resolve.start_password_recovery(info.context, input)

    @strawberry.mutation(description="Forgotten password: the characters; right ones email a link.")
    async def answer_password_recovery(
        self, info: Info, input: t.AnswerPasswordRecoveryInput
    ) -> t.AnswerPasswordRecoveryPayload:
        return await resolve.answer_password_recovery(info.context, input)

    @strawberry.mutation
    async def reset_password(
        self, info: Info, input: t.ResetPasswordInput, area: t.RecoveryArea
    ) -> t.ResetPasswordPayload:
        return await resolve.reset_password(info.context, input, area)

    @strawberry.mutation(description="Two-step sign-in: a new key, in use once a code is confirmed.")
    async def start_totp_setup(self, info: Info) -> t.StartTotpSetupPayload:
        return await resolve.start_totp_setup(info.context)

    @strawberry.mutation(description="Two-step sign-in: the first code turns it on.")
    async def confirm_totp(self, info: Info, input: t.TotpCodeInput) -> t.ConfirmTotpPayload:
        return await resolve.confirm_totp(info.context, input)

    @strawberry.mutation(description="Two-step sign-in off (not where the organisation requires it).")
    async def disable_totp(self, info: Info, input: t.TotpCodeInput) -> t.DisableTotpPayload:
        return await resolve.disable_totp(info.context, input)

    @strawberry.mutation(description="The second step of signing in: the code.")
    async def verify_mfa(self, info: Info, input: t.TotpCodeInput) -> t.VerifyMfaPayload:
        return await resolve.verify_mfa(info.context, input)
