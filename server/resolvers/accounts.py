"""Accounts: check who is asking, call a service, return a type."""

from __future__ import annotations

from server.base_url import public_base_url
from server.models import Account, Activation
from server.models.enums import AccountKind as StoredKind
from server.permissions.checks import require_administrator
from server.schema import accounts as types
from server.schema.enums import PupilAccess
from server.schema.error_codes import field_errors
from server.schema.errors import NotFound, Unauthenticated
from server.schema.pagination import PageInfo, edges_for, encode_cursor, page_window
from server.services import audit_wording
from server.services.accounts import activation as signups
from server.services.accounts import manage, mfa, people, recovery
from server.services.accounts.credentials import SECURITY_QUESTIONS
from server.services.accounts.errors import AccountErrorCode
from server.services.errors import UserInputError

MAX_LETTERS = 100



def _ip(context) -> str | None:
    return context.viewer.ip_address


def _access(value) -> PupilAccess | None:
    return PupilAccess(value.value) if value is not None else None


def pending_of(account: Account, activation: Activation | None) -> types.PendingAccount:
    code = None
    if activation is not None:
        try:
            code = signups.plain_code(activation)
        except Exception:  # a code sealed with an old key: show nothing rather than fail the list
            code = None
    has_link = bool(activation and activation.link_reference)
    return types.PendingAccount(
        id=str(account.id),
        kind=types.AccountKind(account.kind.value),
        forename=account.forename,
        surname=account.surname,
        username=account.login_name,
        email=account.email,
        role=account.role.value if account.role else None,
        pupil_access=_access(account.pupil_access),
        organisation_name=account.organisation.name,
        activation_code=code,
        link_expires_at=activation.link_expires_at if has_link else None,
        link_reference=activation.link_reference if has_link else None,
        link_expired=bool(has_link and signups.link_expired(activation)),
        email_sent_at=activation.email_sent_at if activation else None,
        email_error=activation.email_error if activation else None,
        tries=activation.tries if activation else 0,
        locked=bool(activation and activation.locked),
        created_by=account.created_by.login_name if account.created_by_id and account.created_by else None,
    )


def managed_of(account: Account) -> types.ManagedAccount:
    return types.ManagedAccount(
        id=str(account.id),
        kind=types.AccountKind(account.kind.value),
        forename=account.forename,
        surname=account.surname,
        email=account.email,
        username=account.login_name,
        role=account.role.value if account.role else None,
        pupil_access=_access(account.pupil_access),
        status=types.AccountStatus(account.status.value),
        created_at=account.created_at,
        activated_at=account.activated_at,
        last_login_at=account.last_login_at,
        deactivated_at=account.deactivated_at,
        totp_enabled=account.totp_enabled,
    )


async def _pending(context, account_id) -> types.PendingAccount:
    admin = require_administrator(context)
    for account, activation in await signups.pending_accounts(admin.organisation_id):
        if str(account.id) == str(account_id):
            return pending_of(account, activation)
    raise NotFound("There is no pending account with this id in your organisation.")


# Queries -----------------------------------------------------------------------------


def person_options(context) -> types.PersonOptions:
    admin = require_administrator(context)
    kind = admin.organisation.kind
    return types.PersonOptions(
        roles=[role.value for role in people.roles_for(kind)],
        pupil_access=[
            types.PupilAccessOption(value=PupilAccess(a.value), label=people.PUPIL_ACCESS_LABELS[a])
            for a in people.pupil_access_for(kind)
        ],
        governor_full_access_warning=people.GOVERNOR_FULL_ACCESS_WARNING,
    )


async def check_new_person(context, kind: types.AccountKind, input) -> types.CheckNewPersonResult:
    admin = require_administrator(context)
    problems = await people.validate_person(
        admin.organisation,
        StoredKind(kind.value),
        input.forename,
        input.surname,
        input.email,
        role=None,
        pupil_access=None,
    )
    if kind == types.AccountKind.USER:
        problems = [p for p in problems if p.field not in ("role", "pupilAccess")]
    error = people.PersonInputError(problems) if problems else None
    return types.CheckNewPersonResult(errors=field_errors(types.CheckNewPersonError, error) if error else [])


async def pending_accounts(context) -> list[types.PendingAccount]:
    admin = require_administrator(context)
    return [pending_of(a, act) for a, act in await signups.pending_accounts(admin.organisation_id)]


async def welcome_letters(context, ids: list[str]) -> list[types.WelcomeLetter]:
    admin = require_administrator(context)
    wanted = [str(i) for i in ids][:MAX_LETTERS]
    letters = []
    for account, activation in await signups.pending_accounts(admin.organisation_id):
        if str(account.id) in wanted and activation is not None:
            letters.append(
                types.WelcomeLetter(
                    id=str(account.id),
                    forename=account.forename,
                    surname=account.surname,
                    username=account.login_name,
                    is_administrator=account.is_administrator,
                    organisation_name=account.organisation.name,
                    activation_code=signups.plain_code(activation),
                    sign_up_url=f"{public_base_url()}/sign-up",
                    link_expires_at=activation.link_expires_at if activation.link_reference else None,
                )
            )
    letters.sort(key=lambda letter: wanted.index(letter.id))
    return letters


async def managed_users(context, search, role, first, after) -> types.ManagedAccountConnection:
    admin = require_administrator(context)
    start, size = page_window(first, after)
    parsed_role = people.parse_role(role) if role else None
    if role and parsed_role is None:
        return types.ManagedAccountConnection(
            edges=[], page_info=PageInfo(has_next_page=False, end_cursor=None), total_count=0
        )
    query = manage.users_query(admin.organisation_id, (search or "")[:200], parsed_role)
    total = await query.count()
    rows = await query.offset(start).limit(size)
    return types.ManagedAccountConnection(
        edges=edges_for([managed_of(r) for r in rows], start),
        page_info=PageInfo(
            has_next_page=start + len(rows) < total,
            end_cursor=encode_cursor(start + len(rows) - 1) if rows else None,
        ),
        total_count=total,
    )


async def managed_account(context, account_id) -> types.ManagedAccount | None:
    admin = require_administrator(context)
    try:
        account = await manage.account_in(admin.organisation_id, account_id)
    except UserInputError:
        return None
    return managed_of(account)


async def administrators(context) -> list[types.ManagedAccount]:
    admin = require_administrator(context)
    return [managed_of(a) for a in await manage.administrators(admin.organisation_id)]


async def administrator_slots(context) -> types.AdministratorSlots:
    admin = require_administrator(context)
    limit, used = await people.administrator_slots(admin.organisation_id)
    return types.AdministratorSlots(limit=limit, used=used, available=max(limit - used, 0))


async def audit_events(context, first, after) -> types.AuditEntryConnection:
    admin = require_administrator(context)
    start, size = page_window(first, after)
    total, events, names = await manage.audit_page(admin.organisation_id, start, size)
    entries = []
    for e in events:
        described = audit_wording.describe(e, names)
        entries.append(types.AuditEntry(
            id=str(e.id),
            at=e.created_at,
            action=e.action,
            actor=names.people.get(e.actor_id) if e.actor_id else None,
            via=e.via.value,
            subject=(
                names.people.get(int(e.subject_id), f"account {e.subject_id}")
                if e.subject_type == "account" and e.subject_id and e.subject_id.isdigit()
                else (f"{e.subject_type} {e.subject_id}" if e.subject_type else None)
            ),
            before=e.before,
            after=e.after,
            detail=e.detail,
            who=described.who,
            what=described.what,
            about=described.about,
            how=described.how,
        ))
    return types.AuditEntryConnection(
        edges=edges_for(entries, start),
        page_info=PageInfo(
            has_next_page=start + len(entries) < total,
            end_cursor=encode_cursor(start + len(entries) - 1) if entries else None,
        ),
        total_count=total,
    )


def security_questions() -> list[types.SecurityQuestion]:
    return [types.SecurityQuestion(key=k, text=t) for k, t in SECURITY_QUESTIONS.items()]


async def sign_up_link(token: str) -> types.SignUpLink:
    try:
        sign_up = await signups.open_link(token)
    except UserInputError as error:
        state = {
            AccountErrorCode.LINK_EXPIRED: types.SignUpLinkState.EXPIRED,
            AccountErrorCode.LINK_USED: types.SignUpLinkState.USED,
        }.get(error.code, types.SignUpLinkState.NOT_VALID)
        return types.SignUpLink(state=state, message=error.message, forename=None, locked=False)
    return types.SignUpLink(
        state=types.SignUpLinkState.VALID,
        message=None,
        forename=sign_up.account.forename,
        locked=sign_up.activation.locked,
    )


async def password_reset_link(token: str, area: types.RecoveryArea) -> bool:
    try:
        await recovery.open_reset_link(token, area.value)
    except UserInputError:
        return False
    return True


# Mutations: administrators -----------------------------------------------------------


async def add_user(context, input) -> types.AddUserPayload:
    admin = require_administrator(context)
    try:
        account, _ = await people.add_pending_person(
            admin.organisation,
            StoredKind.USER,
            input.forename,
            input.surname,
            input.email,
            input.role,
            input.pupil_access.value if input.pupil_access else None,
            admin,
            input.governor_full_access_confirmed,
            actor=context.actor,
        )
    except UserInputError as error:
        return types.AddUserPayload(account=None, errors=field_errors(types.AddUserError, error))
    await signups.send_verification(account.id)
    return types.AddUserPayload(account=await _pending(context, account.id), errors=[])


async def add_administrator(context, input) -> types.AddAdministratorPayload:
    admin = require_administrator(context)
    try:
        account, _ = await people.add_pending_person(
            admin.organisation,
            StoredKind.ADMINISTRATOR,
            input.forename,
            input.surname,
            input.email,
            None,
            None,
            admin,
            False,
            actor=context.actor,
        )
    except UserInputError as error:
        return types.AddAdministratorPayload(account=None, errors=field_errors(types.AddAdministratorError, error))
    await signups.send_verification(account.id)
    return types.AddAdministratorPayload(account=await _pending(context, account.id), errors=[])


async def resend_verification(context, account_id) -> types.ResendVerificationPayload:
    admin = require_administrator(context)
    try:
        await signups.resend_verification(context.actor, admin.organisation_id, int(account_id))
    except (UserInputError, ValueError) as error:
        if isinstance(error, ValueError):
            raise NotFound() from error
        return types.ResendVerificationPayload(
            account=None, errors=field_errors(types.ResendVerificationError, error)
        )
    return types.ResendVerificationPayload(account=await _pending(context, account_id), errors=[])


async def reissue_activation_code(context, account_id) -> types.ReissueActivationCodePayload:
    admin = require_administrator(context)
    try:
        await signups.reissue_code(context.actor, admin.organisation_id, int(account_id))
    except (UserInputError, ValueError) as error:
        if isinstance(error, ValueError):
            raise NotFound() from error
        return types.ReissueActivationCodePayload(
            account=None, errors=field_errors(types.ReissueActivationCodeError, error)
        )
    return types.ReissueActivationCodePayload(account=await _pending(context, account_id), errors=[])


async def delete_pending_account(context, account_id) -> types.DeletePendingAccountPayload:
    admin = require_administrator(context)
    try:
        await signups.delete_pending(context.actor, admin.organisation_id, int(account_id))
    except (UserInputError, ValueError) as error:
        if isinstance(error, ValueError):
            raise NotFound() from error
        return types.DeletePendingAccountPayload(
            deleted_id=None, errors=field_errors(types.DeletePendingAccountError, error)
        )
    return types.DeletePendingAccountPayload(deleted_id=str(account_id), errors=[])


async def update_user_access(context, input) -> types.UpdateUserAccessPayload:
    admin = require_administrator(context)
    try:
        account = await manage.update_user_access(
            context.actor,
            admin.organisation,
            input.id,
            input.role,
            input.pupil_access.value if input.pupil_access else None,
            input.governor_full_access_confirmed,
        )
    except UserInputError as error:
        return types.UpdateUserAccessPayload(account=None, errors=field_errors(types.UpdateUserAccessError, error))
    return types.UpdateUserAccessPayload(account=managed_of(account), errors=[])


async def update_administrator(context, input) -> types.UpdateAdministratorPayload:
    admin = require_administrator(context)
    try:
        account = await manage.update_administrator(
            context.actor,
            admin.organisation,
            input.id,
            input.forename,
            input.surname,
            input.email,
        )
    except UserInputError as error:
        return types.UpdateAdministratorPayload(
            account=None, errors=field_errors(types.UpdateAdministratorError, error)
        )
    return types.UpdateAdministratorPayload(account=managed_of(account), errors=[])


async def deactivate_account(context, account_id) -> types.DeactivateAccountPayload:
    admin = require_administrator(context)
    try:
        account = await manage.deactivate(context.actor, admin.organisation, account_id)
    except UserInputError as error:
        return types.DeactivateAccountPayload(account=None, errors=field_errors(types.DeactivateAccountError, error))
    return types.DeactivateAccountPayload(account=managed_of(account), errors=[])


async def reactivate_account(context, account_id) -> types.ReactivateAccountPayload:
    admin = require_administrator(context)
    try:
        account = await manage.reactivate(context.actor, admin.organisation, account_id)
    except UserInputError as error:
        return types.ReactivateAccountPayload(account=None, errors=field_errors(types.ReactivateAccountError, error))
    return types.ReactivateAccountPayload(account=managed_of(account), errors=[])


async def send_password_reset(context, account_id) -> types.SendPasswordResetPayload:
    admin = require_administrator(context)
    try:
        account = await manage.account_in(admin.organisation_id, account_id)
        await recovery.send_reset_by_administrator(context.actor, account)
    except UserInputError as error:
        return types.SendPasswordResetPayload(sent=False, errors=field_errors(types.SendPasswordResetError, error))
    return types.SendPasswordResetPayload(sent=True, errors=[])


async def set_require_mfa(context, required: bool) -> types.SetRequireMfaPayload:
    admin = require_administrator(context)
    value = await manage.set_require_mfa(context.actor, admin.organisation, required)
    return types.SetRequireMfaPayload(require_mfa=value, errors=[])


def organisation_requires_mfa(context) -> bool:
    admin = require_administrator(context)
    return bool(admin.organisation.require_mfa)


# Mutations: the person signing up or recovering a password (no session needed) -------


async def verify_activation_code(context, input) -> types.VerifyActivationCodePayload:
    try:
        await signups.check_code(input.token, input.code)
    except UserInputError as error:
        return types.VerifyActivationCodePayload(
            sign_up=None, errors=field_errors(types.VerifyActivationCodeError, error)
        )
    return types.VerifyActivationCodePayload(sign_up=await sign_up_link(input.token), errors=[])


async def choose_sign_up_password(context, input) -> types.ChooseSignUpPasswordPayload:
    try:
        await signups.choose_password(input.token, input.code, input.password, input.password_confirmation)
    except UserInputError as error:
        return types.ChooseSignUpPasswordPayload(
            done=False, errors=field_errors(types.ChooseSignUpPasswordError, error)
        )
    return types.ChooseSignUpPasswordPayload(done=True, errors=[])


async def complete_sign_up(context, input) -> types.CompleteSignUpPayload:
    chosen = [(a.question, a.answer) for a in input.answers[:3]]
    try:
        account = await signups.choose_questions(input.token, input.code, chosen)
    except UserInputError as error:
        return types.CompleteSignUpPayload(account=None, errors=field_errors(types.CompleteSignUpError, error))
    return types.CompleteSignUpPayload(
        account=types.SignedUp(
            username=account.login_name,
            forename=account.forename,
            is_administrator=account.kind == StoredKind.ADMINISTRATOR,
        ),
        errors=[],
    )


async def start_password_recovery(context, input) -> types.StartPasswordRecoveryPayload:
    try:
        challenge = await recovery.start(input.login_name, input.area.value, _ip(context))
    except UserInputError as error:
        return types.StartPasswordRecoveryPayload(
            challenge=None, errors=field_errors(types.StartPasswordRecoveryError, error)
        )
    return types.StartPasswordRecoveryPayload(
        challenge=types.RecoveryChallenge(
            login_name=challenge.login_name,
            characters=[
                types.RecoveryCharacter(question=recovery.question_text(q), position=p) for q, p in challenge.characters
            ],
        ),
        errors=[],
    )


async def answer_password_recovery(context, input) -> types.AnswerPasswordRecoveryPayload:
    try:
        await recovery.answer(input.login_name, input.area.value, input.characters, _ip(context))
    except UserInputError as error:
        return types.AnswerPasswordRecoveryPayload(
            sent=False, errors=field_errors(types.AnswerPasswordRecoveryError, error)
        )
    return types.AnswerPasswordRecoveryPayload(sent=True, errors=[])


async def reset_password(context, input, area: types.RecoveryArea) -> types.ResetPasswordPayload:
    try:
        await recovery.reset_password(input.token, area.value, input.password, input.password_confirmation)
    except UserInputError as error:
        return types.ResetPasswordPayload(done=False, errors=field_errors(types.ResetPasswordError, error))
    return types.ResetPasswordPayload(done=True, errors=[])


# Two-step sign-in (TOTP) ---------------------------------------------------------------


def _mfa_viewer(context):
    """Signed in, or half-way: password given, code still to come."""
    viewer = context.viewer
    if viewer.account is None or viewer.api_token is not None:
        raise Unauthenticated()
    return viewer.account, viewer.session


async def account_security(context) -> types.AccountSecurity:
    account, session = _mfa_viewer(context)
    setup = await mfa.pending_setup(account)
    return types.AccountSecurity(
        username=account.login_name,
        totp_enabled=account.totp_enabled,
        mfa_required=mfa.required_for(account),
        mfa_pending=bool(session and session.mfa_pending),
        setup=types.TotpSetup(secret=setup[0], uri=setup[1]) if setup else None,
    )


async def start_totp_setup(context) -> types.StartTotpSetupPayload:
    account, _ = _mfa_viewer(context)
    try:
        secret, uri = await mfa.start_setup(account)
    except UserInputError as error:
        return types.StartTotpSetupPayload(setup=None, errors=field_errors(types.StartTotpSetupError, error))
    return types.StartTotpSetupPayload(setup=types.TotpSetup(secret=secret, uri=uri), errors=[])


async def confirm_totp(context, input) -> types.ConfirmTotpPayload:
    account, session = _mfa_viewer(context)
    try:
        await mfa.confirm_setup(context.actor, account, input.code, session)
    except UserInputError as error:
        return types.ConfirmTotpPayload(security=None, errors=field_errors(types.ConfirmTotpError, error))
    if session is not None:
        session.mfa_pending = False
    return types.ConfirmTotpPayload(security=await account_security(context), errors=[])


async def disable_totp(context, input) -> types.DisableTotpPayload:
    account, session = _mfa_viewer(context)
    if session is not None and session.mfa_pending:
        raise Unauthenticated()
    try:
        await mfa.disable(context.actor, account, input.code)
    except UserInputError as error:
        return types.DisableTotpPayload(security=None, errors=field_errors(types.DisableTotpError, error))
    return types.DisableTotpPayload(security=await account_security(context), errors=[])


async def verify_mfa(context, input) -> types.VerifyMfaPayload:
    account, session = _mfa_viewer(context)
    if session is None:
        raise Unauthenticated()
    try:
        await mfa.verify_session(account, session, input.code)
    except UserInputError as error:
        return types.VerifyMfaPayload(verified=False, errors=field_errors(types.VerifyMfaError, error))
    return types.VerifyMfaPayload(verified=True, errors=[])
