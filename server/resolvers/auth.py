from __future__ import annotations

from server.auth.sessions import COOKIE_NAMES, end_session, start_session
from server.resolvers.organisations import viewer_of
from server.schema.auth import SignInError, SignInErrorCode, SignInPayload, SignOutPayload
from server.schema.error_codes import field_errors
from server.schema.errors import Forbidden
from server.services.accounts.mfa import needs_second_step
from server.services.accounts.signin import authenticate
from server.services.errors import UserInputError


async def sign_in(context, input):
    if context.viewer.api_token is not None:
        raise Forbidden("Sign in through the pages; API tokens cannot start sessions.")
    errors = []
    if not input.login_name.strip():
        errors.append(SignInError(field="loginName", message="Enter your login name", code=SignInErrorCode.REQUIRED))
    if not input.password:
        errors.append(SignInError(field="password", message="Enter your password", code=SignInErrorCode.REQUIRED))
    if errors:
        return SignInPayload(viewer=None, errors=errors)
    area = input.area.value
    request = context.request
    try:
        account = await authenticate(
            input.login_name, input.password, area,
            request.client.host if request and request.client else None,
        )
    except UserInputError as error:
        return SignInPayload(
            viewer=None,
            errors=field_errors(SignInError, error),
        )
    old = request.cookies.get(COOKIE_NAMES[area]) if request else None
    await end_session(old)  # a new id at every sign-in
    cookie_value, _ = await start_session(
        account, area,
        request.client.host if request and request.client else None,
        request.headers.get("user-agent") if request else None,
        mfa_pending=needs_second_step(account),
    )
    context.set_cookies[COOKIE_NAMES[area]] = cookie_value
    return SignInPayload(viewer=viewer_of(account), errors=[])


async def sign_out(context):
    request = context.request
    ended = False
    if request is not None:
        for name in COOKIE_NAMES.values():
            value = request.cookies.get(name)
            if value:
                await end_session(value)
                context.set_cookies[name] = None
                ended = True
    return SignOutPayload(signed_out=ended)
