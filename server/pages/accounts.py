"""Administration pages of accounts: Add users, Pending users, welcome letters, Manage users.

Every action runs a named operation of server/operations/accounts.graphql.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.pages.home import signed_in
from server.pages.menus import add_admin_item, add_main_item
from server.pages.rendering import is_fragment_request, render, run

MAX_FIELD = 500  # longer form values are cut before they reach the schema (which refuses >50)

TABS = (
    ("Users", "/admin/users"),
    ("Pending users", "/admin/users/pending"),
    ("User batch files", "/admin/batches/users"),
    ("Administrator batch files", "/admin/batches/administrators"),
    ("Administrators", "/admin/administrators"),
)
PUPIL_ACCESS_VALUES = ("AGGREGATE", "FULL")


def manage_tabs(request: Request) -> list[tuple[str, str]]:
    """The guide's tabs; the batch-file tabs only when those pages exist in this app."""
    paths = {getattr(route, "path", None) for route in request.app.router.routes}
    return [(label, href) for label, href in TABS if href in paths]


def for_form(errors: list[dict]) -> tuple[list[dict], bool]:
    """(errors, asked): the Governor + full access confirmation is the guide's advisory with
    its tick box (amber), not an error, so it leaves the error list; `asked` says it was
    needed and not ticked."""
    asked = any(e.get("code") == "CONFIRMATION_REQUIRED" for e in errors)
    return [e for e in errors if e.get("code") != "CONFIRMATION_REQUIRED"], asked


def field(form, name: str) -> str:
    return str(form.get(name, ""))[:MAX_FIELD]


def _id(request: Request) -> str:
    return str(request.path_params["account_id"])


# Add a user (two steps) and add an administrator ----------------------------------------


@signed_in("admin")
async def add_user(request: Request) -> Response:
    data = await run(request, "PersonOptions")
    options = data["personOptions"]
    organisation = data["viewer"]["organisation"]["name"]
    if request.method == "GET":
        return render(
            request,
            "accounts/add_user.html",
            {"step": "details", "form": {}, "errors": [], "options": options, "organisation": organisation},
        )
    form = await request.form()
    values = {name: field(form, name) for name in ("forename", "surname", "email")}
    step = field(form, "step")
    if step == "back":
        return render(
            request,
            "accounts/add_user.html",
            {"step": "details", "form": values, "errors": [], "options": options, "organisation": organisation},
        )
    # Step 1 values travel in hidden fields and are checked again at every step.
    data = await run(request, "CheckNewPerson", {"kind": "USER", "input": values})
    errors = data["checkNewPerson"]["errors"]
    if errors or step != "access":
        return render(
            request,
            "accounts/add_user.html",
            {
                "step": "details" if errors else "access",
                "form": values,
                "errors": errors,
                "options": options,
                "organisation": organisation,
            },
            status_code=400 if errors else 200,
        )
    access = field(form, "pupilAccess")
    values.update(
        role=field(form, "role"),
        pupilAccess=access,
        governorFullAccessConfirmed=form.get("governorFullAccessConfirmed") == "yes",
    )
    data = await run(
        request, "AddUser", {"input": {**values, "pupilAccess": access if access in PUPIL_ACCESS_VALUES else None}}
    )
    payload = data["addUser"]
    if payload["errors"]:
        details_wrong = any(e["field"] in ("forename", "surname", "email") for e in payload["errors"])
        errors, asked = for_form(payload["errors"])
        return render(
            request,
            "accounts/add_user.html",
            {
                "step": "details" if details_wrong else "access",
                "form": values,
                "errors": errors,
                "governor_asked": asked,
                "options": options,
                "organisation": organisation,
            },
            status_code=400 if errors else 200,
        )
    return RedirectResponse(f"/admin/users/pending?added={payload['account']['id']}", status_code=303)


@signed_in("admin")
async def add_administrator(request: Request) -> Response:
    slots = (await run(request, "AdministratorSlots"))["administratorSlots"]
    if request.method == "GET":
        return render(request, "accounts/add_administrator.html", {"form": {}, "errors": [], "slots": slots})
    form = await request.form()
    values = {name: field(form, name) for name in ("forename", "surname", "email")}
    data = await run(request, "AddAdministrator", {"input": values})
    payload = data["addAdministrator"]
    if payload["errors"]:
        slots = (await run(request, "AdministratorSlots"))["administratorSlots"]
        return render(
            request,
            "accounts/add_administrator.html",
            {"form": values, "errors": payload["errors"], "slots": slots},
            status_code=400,
        )
    return RedirectResponse(f"/admin/users/pending?added={payload['account']['id']}", status_code=303)


# Pending users ---------------------------------------------------------------------------


async def _pending_page(
    request: Request,
    notice: str | None = None,
    errors=None,
    status_code: int = 200,
    done: str | None = None,
    about: str | None = None,
) -> Response:
    data = await run(request, "PendingAccounts")
    added = request.query_params.get("added")
    about = about or request.query_params.get("account")
    return render(
        request,
        "accounts/pending.html",
        {
            "accounts": data["pendingAccounts"],
            "tabs": manage_tabs(request),
            "added": added,
            "notice": notice,
            "done": done or request.query_params.get("done"),
            "about": about if about and about.isdigit() else None,
            "errors": errors or [],
        },
        status_code=status_code,
        fragment="accounts/_pending.html",
    )


@signed_in("admin")
async def pending(request: Request) -> Response:
    return await _pending_page(request)


def pending_action(operation: str, key: str):
    """Resend a sign-up link or reissue a code; the banner names the person (done + about)."""

    @signed_in("admin")
    async def endpoint(request: Request) -> Response:
        data = await run(request, operation, {"id": _id(request)})
        payload = data[key]
        if payload["errors"]:
            return await _pending_page(request, errors=payload["errors"], status_code=400)
        if is_fragment_request(request):
            return await _pending_page(request, done=operation, about=_id(request))
        return RedirectResponse(f"/admin/users/pending?done={operation}&account={_id(request)}", status_code=303)

    endpoint.__name__ = operation
    return endpoint


@signed_in("admin")
async def delete_pending(request: Request) -> Response:
    form = await request.form()
    account_id = _id(request)
    if form.get("confirm") != "yes":
        data = await run(request, "PendingAccounts")
        account = next((a for a in data["pendingAccounts"] if a["id"] == account_id), None)
        if account is None:
            return RedirectResponse("/admin/users/pending", status_code=303)
        return render(request, "accounts/delete_pending.html", {"account": account})
    data = await run(request, "DeletePendingAccount", {"id": account_id})
    payload = data["deletePendingAccount"]
    if payload["errors"]:
        return await _pending_page(request, errors=payload["errors"], status_code=400)
    if is_fragment_request(request):
        return await _pending_page(request, notice="The pending account has been deleted.")
    return RedirectResponse("/admin/users/pending?done=DeletePendingAccount", status_code=303)


@signed_in("admin")
async def letters(request: Request) -> Response:
    ids = [i for i in request.query_params.getlist("ids") if i.isdigit()][:100]
    if "account_id" in request.path_params:
        ids = [_id(request)]
    if not ids:
        return await _pending_page(
            request,
            status_code=400,
            errors=[
                {
                    "field": "pending-table",
                    "message": "Select at least one pending user to print a welcome letter for",
                    "code": "REQUIRED",
                }
            ],
        )
    data = await run(request, "WelcomeLetters", {"ids": ids})
    if not data["welcomeLetters"]:
        return render(
            request,
            "errors/error.html",
            {
                "title": "Page not found",
                "body": "There is no pending user with a welcome letter here. "
                "They may have signed up already or been deleted.",
            },
            status_code=404,
        )
    return render(request, "accounts/letters.html", {"letters": data["welcomeLetters"]})


# Users I manage ------------------------------------------------------------------------


@signed_in("admin")
async def users(request: Request) -> Response:
    search = request.query_params.get("q", "")[:200]
    role = request.query_params.get("role", "")[:100]
    after = request.query_params.get("after") or None
    data = await run(
        request,
        "ManagedUsers",
        {"search": search or None, "role": role or None, "first": 50, "after": after[:100] if after else None},
    )
    return render(
        request,
        "accounts/users.html",
        {"data": data, "q": search, "role": role, "tabs": manage_tabs(request)},
        fragment="accounts/_users_list.html",
    )


async def _account_page(
    request: Request,
    template: str,
    errors=None,
    form=None,
    notice: str | None = None,
    status_code: int = 200,
    governor_asked: bool = False,
) -> Response:
    data = await run(request, "ManagedAccount", {"id": _id(request)})
    account = data["managedAccount"]
    if account is None:
        return render(
            request,
            "errors/error.html",
            {"title": "Page not found", "body": "There is no such account in your organisation."},
            status_code=404,
        )
    return render(
        request,
        template,
        {
            "account": account,
            "options": data["personOptions"],
            "errors": errors or [],
            "form": form or {},
            "notice": notice,
            "governor_asked": governor_asked,
            "tabs": manage_tabs(request),
        },
        status_code=status_code,
    )


@signed_in("admin")
async def user(request: Request) -> Response:
    if request.method == "GET":
        return await _account_page(request, "accounts/user.html", notice=request.query_params.get("done"))
    form = await request.form()
    access = field(form, "pupilAccess")
    values = {
        "role": field(form, "role"),
        "pupilAccess": access,
        "governorFullAccessConfirmed": form.get("governorFullAccessConfirmed") == "yes",
    }
    data = await run(
        request,
        "UpdateUserAccess",
        {"input": {"id": _id(request), **values, "pupilAccess": access if access in PUPIL_ACCESS_VALUES else None}},
    )
    payload = data["updateUserAccess"]
    if payload["errors"]:
        errors, asked = for_form(payload["errors"])
        return await _account_page(
            request,
            "accounts/user.html",
            errors=errors,
            form=values,
            governor_asked=asked,
            status_code=400 if errors else 200,
        )
    return RedirectResponse("/admin/users?saved=" + _id(request), status_code=303)


def account_action(operation: str, key: str, message: str):
    @signed_in("admin")
    async def endpoint(request: Request) -> Response:
        data = await run(request, operation, {"id": _id(request)})
        payload = data[key]
        back = request.url.path.rsplit("/", 1)[0]
        template = "accounts/administrator.html" if back.startswith("/admin/administrators") else "accounts/user.html"
        if payload["errors"]:
            return await _account_page(request, template, errors=payload["errors"], status_code=400)
        return RedirectResponse(f"{back}?done={message}", status_code=303)

    endpoint.__name__ = operation
    return endpoint


@signed_in("admin")
async def deactivate(request: Request) -> Response:
    """Deactivate account asks first: a page naming the person and what deactivating does."""
    back = request.url.path.rsplit("/", 1)[0]
    template = "accounts/administrator.html" if back.startswith("/admin/administrators") else "accounts/user.html"
    form = await request.form() if request.method == "POST" else {}
    if form.get("confirm") != "yes":
        return await _account_page(request, "accounts/deactivate.html", form={"back": back})
    payload = (await run(request, "DeactivateAccount", {"id": _id(request)}))["deactivateAccount"]
    if payload["errors"]:
        return await _account_page(request, template, errors=payload["errors"], status_code=400)
    return RedirectResponse(f"{back}?done=deactivated", status_code=303)


# Administrators ------------------------------------------------------------------------


@signed_in("admin")
async def administrators(request: Request) -> Response:
    data = await run(request, "Administrators")
    return render(
        request,
        "accounts/administrators.html",
        {
            "administrators": data["administrators"],
            "tabs": manage_tabs(request),
            "saved": request.query_params.get("saved"),
        },
    )


@signed_in("admin")
async def administrator(request: Request) -> Response:
    if request.method == "GET":
        return await _account_page(request, "accounts/administrator.html", notice=request.query_params.get("done"))
    form = await request.form()
    values = {name: field(form, name) for name in ("forename", "surname", "email")}
    data = await run(request, "UpdateAdministrator", {"input": {"id": _id(request), **values}})
    payload = data["updateAdministrator"]
    if payload["errors"]:
        return await _account_page(
            request, "accounts/administrator.html", errors=payload["errors"], form=values, status_code=400
        )
    return RedirectResponse("/admin/administrators?saved=" + _id(request), status_code=303)


# Audit log -----------------------------------------------------------------------------


@signed_in("admin")
async def audit(request: Request) -> Response:
    after = request.query_params.get("after") or None
    data = await run(request, "AuditEvents", {"first": 50, "after": after[:100] if after else None})
    return render(request, "accounts/audit.html", {"data": data["auditEvents"]})


add_admin_item("Add users", "Add a user", "/admin/users/add")
add_admin_item("Add users", "Add an administrator", "/admin/administrators/add")
add_admin_item("Manage users", "Users I manage", "/admin/users")
add_admin_item("Manage users", "Pending users", "/admin/users/pending")
add_admin_item("Manage users", "Administrators", "/admin/administrators")
add_admin_item("Manage users", "Audit log", "/admin/audit")

routes = [
    Route("/admin/users/add", add_user, methods=["GET", "POST"]),
    Route("/admin/administrators/add", add_administrator, methods=["GET", "POST"]),
    Route("/admin/users/pending", pending),
    Route(
        "/admin/users/pending/{account_id:int}/resend",
        pending_action("ResendVerification", "resendVerification"),
        methods=["POST"],
    ),
    Route(
        "/admin/users/pending/{account_id:int}/reissue",
        pending_action("ReissueActivationCode", "reissueActivationCode"),
        methods=["POST"],
    ),
    Route("/admin/users/pending/{account_id:int}/delete", delete_pending, methods=["POST"]),
    Route("/admin/users/pending/{account_id:int}/letter", letters),
    Route("/admin/users/letters", letters),
    Route("/admin/users", users),
    Route("/admin/users/{account_id:int}", user, methods=["GET", "POST"]),
    Route("/admin/users/{account_id:int}/deactivate", deactivate, methods=["GET", "POST"]),
    Route(
        "/admin/users/{account_id:int}/reactivate",
        account_action("ReactivateAccount", "reactivateAccount", "reactivated"),
        methods=["POST"],
    ),
    Route(
        "/admin/users/{account_id:int}/send-reset",
        account_action("SendPasswordReset", "sendPasswordReset", "reset-sent"),
        methods=["POST"],
    ),
    Route("/admin/administrators", administrators),
    Route("/admin/administrators/{account_id:int}", administrator, methods=["GET", "POST"]),
    Route("/admin/administrators/{account_id:int}/deactivate", deactivate, methods=["GET", "POST"]),
    Route(
        "/admin/administrators/{account_id:int}/reactivate",
        account_action("ReactivateAccount", "reactivateAccount", "reactivated"),
        methods=["POST"],
    ),
    Route(
        "/admin/administrators/{account_id:int}/send-reset",
        account_action("SendPasswordReset", "sendPasswordReset", "reset-sent"),
        methods=["POST"],
    ),
    Route("/admin/audit", audit),
]


# Two-step sign-in ----------------------------------------------------------------------


def _area(request: Request) -> str:
    return "/admin" if request.url.path.startswith("/admin") else ""


def _safe_next(value: str | None, prefix: str) -> str:
    home = prefix or "/"
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return home
    return value[:500]


async def second_step(request: Request) -> Response:
    """After the password: the code, or setting up where the organisation requires it."""
    prefix = _area(request)
    viewer = request.state.viewer
    next_url = _safe_next(request.query_params.get("next"), prefix)
    if viewer.is_authenticated:
        return RedirectResponse(next_url, status_code=303)
    if viewer.account is None or viewer.session is None or not viewer.session.mfa_pending:
        return RedirectResponse(f"{prefix}/sign-in", status_code=303)
    errors: list = []
    if request.method == "POST":
        form = await request.form()
        code = field(form, "code")[:20]
        security = (await run(request, "AccountSecurity"))["accountSecurity"]
        if field(form, "action") == "start":
            data = await run(request, "StartTotpSetup")
            errors = data["startTotpSetup"]["errors"]
        elif security["totpEnabled"]:
            data = await run(request, "VerifyMfa", {"input": {"code": code}})
            errors = data["verifyMfa"]["errors"]
            if not errors:
                return RedirectResponse(next_url, status_code=303)
        else:
            data = await run(request, "ConfirmTotp", {"input": {"code": code}})
            errors = data["confirmTotp"]["errors"]
            if not errors:
                return RedirectResponse(next_url, status_code=303)
    security = (await run(request, "AccountSecurity"))["accountSecurity"]
    return render(
        request,
        "accounts/second_step.html",
        {"security": security, "errors": errors, "prefix": prefix, "next": next_url},
        status_code=400 if errors else 200,
    )


async def account_security(request: Request) -> Response:
    prefix = _area(request)
    viewer = request.state.viewer
    if not viewer.is_authenticated:
        return RedirectResponse(f"{prefix}/sign-in?next={request.url.path}", status_code=303)
    errors: list = []
    notice = None
    if request.method == "POST":
        form = await request.form()
        action = field(form, "action")
        code = field(form, "code")[:20]
        if action == "start":
            errors = (await run(request, "StartTotpSetup"))["startTotpSetup"]["errors"]
        elif action == "confirm":
            errors = (await run(request, "ConfirmTotp", {"input": {"code": code}}))["confirmTotp"]["errors"]
            notice = None if errors else "Two-step sign-in is now on."
        elif action == "disable":
            errors = (await run(request, "DisableTotp", {"input": {"code": code}}))["disableTotp"]["errors"]
            notice = None if errors else "Two-step sign-in is now off."
    security = (await run(request, "AccountSecurity"))["accountSecurity"]
    return render(
        request,
        "accounts/security.html",
        {"security": security, "errors": errors, "notice": notice, "prefix": prefix},
        status_code=400 if errors else 200,
    )


@signed_in("admin")
async def organisation_security(request: Request) -> Response:
    notice = None
    if request.method == "POST":
        form = await request.form()
        required = form.get("requireMfa") == "yes"
        await run(request, "SetRequireMfa", {"required": required})
        notice = "Saved."
    data = await run(request, "OrganisationSecurity")
    return render(
        request,
        "accounts/organisation_security.html",
        {
            "required": data["organisationRequiresMfa"],
            "notice": notice,
            "organisation": data["viewer"]["organisation"]["name"],
        },
    )


add_admin_item("Manage users", "Two-step sign-in", "/admin/security")
add_main_item("Two-step sign-in", "/account/security")

routes += [
    Route("/sign-in/code", second_step, methods=["GET", "POST"]),
    Route("/admin/sign-in/code", second_step, methods=["GET", "POST"]),
    Route("/account/security", account_security, methods=["GET", "POST"]),
    Route("/admin/account/security", account_security, methods=["GET", "POST"]),
    Route("/admin/security", organisation_security, methods=["GET", "POST"]),
]
