"""Passwords and security questions: the rules a person's chosen secrets must keep."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from server.auth.passwords import MAX_PASSWORD_BYTES
from server.auth.secrets import decrypt, encrypt, same
from server.services.accounts.errors import AccountErrorCode
from server.services.errors import UserInputError

MIN_PASSWORD_LENGTH = 12
ANSWER_PURPOSE = "security-answer"
MIN_ANSWER_LENGTH = 3
MAX_ANSWER_LENGTH = 100

# Key (stored) → question (shown). Three different ones are chosen at sign-up.
SECURITY_QUESTIONS: dict[str, str] = {
    "first_school": "What was the name of your first school?",
    "first_pet": "What was the name of your first pet?",
    "birth_town": "In which town or city were you born?",
    "childhood_friend": "What was the first name of your childhood best friend?",
    "first_car": "What was the make of your first car?",
    "favourite_teacher": "What was the surname of your favourite teacher?",
    "mothers_birthplace": "In which town or city was your mother born?",
    "first_job": "What was your first job?",
    "favourite_book": "What is the title of your favourite book?",
}


@functools.cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value.casefold())


def password_problems(
    password: str, confirmation: str | None, login_name: str, organisation_name: str
) -> list[UserInputError]:
    """Length, common passwords, the login name or the organisation's name; no composition rules."""
    field = "password"
    if not password:
        return [UserInputError("Enter a password", field, AccountErrorCode.REQUIRED)]
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        return [UserInputError("Password must be 1,024 bytes or less", field, AccountErrorCode.TOO_LONG)]
    problems: list[UserInputError] = []
    squashed = _squash(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            UserInputError(
                f"Password must be {MIN_PASSWORD_LENGTH} characters or more", field, AccountErrorCode.TOO_SHORT
            )
        )
    elif squashed in common_passwords() or len(set(squashed)) <= 2:
        problems.append(
            UserInputError(
                "This password is too common: choose one that is harder to guess", field, AccountErrorCode.COMMON
            )
        )
    else:
        names = {_squash(login_name)}
        local_part = login_name.partition("@")[0]
        if "@" in login_name and len(local_part) >= 4:
            names.add(_squash(local_part))
        if any(name and name in squashed for name in names):
            problems.append(
                UserInputError(
                    "Password must not contain your login name", field, AccountErrorCode.CONTAINS_LOGIN_NAME
                )
            )
        elif organisation_name and _squash(organisation_name) in squashed:
            problems.append(
                UserInputError(
                    "Password must not contain the name of your organisation",
                    field,
                    AccountErrorCode.CONTAINS_ORGANISATION,
                )
            )
    if confirmation is not None and not problems and confirmation != password:
        problems.append(
            UserInputError(
                "The passwords do not match: type the same password twice",
                "passwordConfirmation",
                AccountErrorCode.MISMATCH,
            )
        )
    return problems


def normalise_answer(answer: str) -> str:
    """Answers ignore capitals and spaces, here and when characters are asked for."""
    return _squash(answer)


def question_problems(chosen: list[tuple[str, str]]) -> list[UserInputError]:
    """Three different questions from the list, each with an answer of 3 to 100 characters."""
    problems: list[UserInputError] = []
    seen: set[str] = set()
    for index, (question, answer) in enumerate(chosen, start=1):
        if not question:
            problems.append(
                UserInputError(f"Choose question {index}", f"question{index}", AccountErrorCode.REQUIRED)
            )
        elif question not in SECURITY_QUESTIONS:
            problems.append(
                UserInputError(
                    f"Choose question {index} from the list", f"question{index}", AccountErrorCode.INVALID
                )
            )
        elif question in seen:
            problems.append(
                UserInputError(
                    f"Question {index} is the same as another: choose three different questions",
                    f"question{index}",
                    AccountErrorCode.DUPLICATE,
                )
            )
        seen.add(question)
        normal = normalise_answer(answer or "")
        if not normal:
            problems.append(
                UserInputError(f"Enter an answer to question {index}", f"answer{index}", AccountErrorCode.REQUIRED)
            )
        elif len(normal) < MIN_ANSWER_LENGTH:
            problems.append(
                UserInputError(
                    f"Answer {index} must have at least {MIN_ANSWER_LENGTH} characters "
                    "(spaces are not counted)",
                    f"answer{index}",
                    AccountErrorCode.TOO_SHORT,
                )
            )
        elif len(answer) > MAX_ANSWER_LENGTH:
            problems.append(
                UserInputError(
                    f"Answer {index} must be {MAX_ANSWER_LENGTH} characters or less",
                    f"answer{index}",
                    AccountErrorCode.TOO_LONG,
                )
            )
    if len(chosen) != 3 and not problems:
        problems.append(UserInputError("Answer three security questions", "question1", AccountErrorCode.REQUIRED))
    return problems


def seal_answer(answer: str) -> str:
    return encrypt(normalise_answer(answer), ANSWER_PURPOSE)


def answer_character(sealed: str, index: int) -> str | None:
    """The index-th character (1-based) of a stored answer, or None when it is shorter."""
    answer = decrypt(sealed, ANSWER_PURPOSE)
    return answer[index - 1] if 0 < index <= len(answer) else None


def same_character(expected: str | None, given: str) -> bool:
    given = normalise_answer(given or "")
    return same(expected or "\x00", given if len(given) == 1 else "\x01") and expected is not None
