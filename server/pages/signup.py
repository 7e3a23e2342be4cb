"""Public pages: sign-up from the emailed link, forgotten password and password reset.

Sign-up: link → activation code → password → three security questions → done. The code
travels between steps in a hidden field and is checked again at every step.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.pages.rendering import render, run

MAX_FIELD = 2000  # passwords may be long; the schema refuses over 1,024 bytes with a message
AREAS = {"admin": "ADMIN", "main": "MAIN"}


def _field(form, name: str, limit: int = 200) -> str:
    return str(form.get(name, ""))[:limit]


def _token(request: Request) -> str:
    return str(request.path_params.get("token", ""))[:200]


async def sign_up_start(request: Request) -> Response:
    return render(request, "signup/index.html", {})


async def _questions(request: Request) -> list:
    return (await run(request, "SecurityQuestions"))["securityQuestions"]


def _step(request, template: str, token: str, code: str, errors=None, form=None, status=200, **extra) -> Response:
    return render(
        request,
        f"signup/{template}.html",
        {"token": token, "code": code, "errors": errors or [], "form": form or {}, **extra},
        status_code=status,
    )


async def sign_up(request: Request) -> Response:
    token = _token(request)
    link = (await run(request, "SignUpLink", {"token": token}))["signUpLink"]
    if link["state"] != "VALID":
        return render(request, "signup/link_problem.html", {"link": link}, status_code=400)
    if request.method == "GET":
        return _step(request, "code", token, "", forename=link["forename"], locked=link["locked"])
    form = await request.form()
    step = _field(form, "step")
    code = _field(form, "code", 40)
    if step == "code":
        data = await run(request, "VerifyActivationCode", {"input": {"token": token, "code": code}})
        errors = data["verifyActivationCode"]["errors"]
        if errors:
            return _step(request, "code", token, "", errors, {"code": code}, 400, forename=link["forename"])
        return _step(request, "password", token, code)
    if step == "password":
        password = _field(form, "password", MAX_FIELD)
        confirmation = _field(form, "passwordConfirmation", MAX_FIELD)
        data = await run(
            request,
            "ChooseSignUpPassword",
            {"input": {"token": token, "code": code, "password": password, "passwordConfirmation": confirmation}},
        )
        errors = data["chooseSignUpPassword"]["errors"]
        if errors:
            return _code_problem(request, token, link, errors) or _step(
                request, "password", token, code, errors, status=400
            )
        return _step(request, "questions", token, code, questions=await _questions(request))
    if step == "questions":
        answers = [
            {"question": _field(form, f"question{i}", 40), "answer": _field(form, f"answer{i}", 400)} for i in (1, 2, 3)
        ]
        data = await run(request, "CompleteSignUp", {"input": {"token": token, "code": code, "answers": answers}})
        payload = data["completeSignUp"]
        if payload["errors"]:
            form_values = {f"question{i}": a["question"] for i, a in enumerate(answers, start=1)}
            form_values.update({f"answer{i}": a["answer"] for i, a in enumerate(answers, start=1)})
            return _code_problem(request, token, link, payload["errors"]) or _step(
                request,
                "questions",
                token,
                code,
                payload["errors"],
                form_values,
                400,
                questions=await _questions(request),
            )
        return render(request, "signup/done.html", {"account": payload["account"]})
    return _step(request, "code", token, "", forename=link["forename"])


def _code_problem(request, token, link, errors) -> Response | None:
    """A wrong or locked code at a later step starts again at the code."""
    if any(e["field"] == "code" for e in errors):
        return _step(request, "code", token, "", errors, status=400, forename=link["forename"])
    if any(e["code"] in ("LINK_USED", "LINK_EXPIRED", "LINK_NOT_VALID") for e in errors):
        return render(request, "signup/link_problem.html", {"link": {"message": errors[0]["message"]}}, status_code=400)
    return None


def forgotten_password(area: str):
    async def endpoint(request: Request) -> Response:
        context = {
            "form": {},
            "errors": [],
            "challenge": None,
            "sent": False,
            "prefix": "/admin" if area == "admin" else "",
        }
        if request.method == "GET":
            return render(request, "signup/forgotten.html", context)
        form = await request.form()
        login_name = _field(form, "loginName", 300)
        context["form"] = {"loginName": login_name}
        data = await run(request, "StartPasswordRecovery", {"input": {"loginName": login_name, "area": AREAS[area]}})
        start = data["startPasswordRecovery"]
        if start["errors"]:
            context["errors"] = start["errors"]
            return render(request, "signup/forgotten.html", context, status_code=400)
        context["challenge"] = start["challenge"]
        if _field(form, "step") != "characters":
            return render(request, "signup/forgotten.html", context)
        characters = [_field(form, f"character{i}", 10) for i in (1, 2, 3)]
        data = await run(
            request,
            "AnswerPasswordRecovery",
            {"input": {"loginName": login_name, "area": AREAS[area], "characters": characters}},
        )
        answer = data["answerPasswordRecovery"]
        if answer["errors"]:
            context["errors"] = answer["errors"]
            return render(request, "signup/forgotten.html", context, status_code=400)
        context["sent"] = True
        return render(request, "signup/forgotten.html", context)

    endpoint.__name__ = f"forgotten_password_{area}"
    return endpoint


def reset_password(area: str):
    async def endpoint(request: Request) -> Response:
        token = _token(request)
        prefix = "/admin" if area == "admin" else ""
        valid = (await run(request, "PasswordResetLink", {"token": token, "area": AREAS[area]}))[
            "passwordResetLinkValid"
        ]
        context = {"token": token, "prefix": prefix, "errors": [], "valid": valid, "done": False}
        if not valid:
            return render(request, "signup/reset.html", context, status_code=400)
        if request.method == "GET":
            return render(request, "signup/reset.html", context)
        form = await request.form()
        data = await run(
            request,
            "ResetPassword",
            {
                "area": AREAS[area],
                "input": {
                    "token": token,
                    "password": _field(form, "password", MAX_FIELD),
                    "passwordConfirmation": _field(form, "passwordConfirmation", MAX_FIELD),
                },
            },
        )
        payload = data["resetPassword"]
        if payload["errors"]:
            context["errors"] = payload["errors"]
            return render(request, "signup/reset.html", context, status_code=400)
        context["done"] = True
        return render(request, "signup/reset.html", context)

    endpoint.__name__ = f"reset_password_{area}"
    return endpoint


routes = [
    Route("/sign-up", sign_up_start),
    Route("/sign-up/{token}", sign_up, methods=["GET", "POST"]),
    Route("/forgotten-password", forgotten_password("main"), methods=["GET", "POST"]),
    Route("/admin/forgotten-password", forgotten_password("admin"), methods=["GET", "POST"]),
    Route("/reset-password/{token}", reset_password("main"), methods=["GET", "POST"]),
    Route("/admin/reset-password/{token}", reset_password("admin"), methods=["GET", "POST"]),
]
