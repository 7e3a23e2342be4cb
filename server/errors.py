"""Deliberate refusals with the codes of API.md (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
BAD_USER_INPUT, RATE_LIMITED): plain exceptions, so that permission checks and services can
raise them without knowing GraphQL; the schema layer shows them with their code
(server/schema/errors.py) and masks everything else."""

from __future__ import annotations


class AspireError(Exception):
    code = "INTERNAL"
    default_message = "Something went wrong."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)
        self.extensions = {"code": self.code}


class Unauthenticated(AspireError):
    code = "UNAUTHENTICATED"
    default_message = "Sign in, or send an API token as 'Authorization: Bearer <token>'."


class Forbidden(AspireError):
    code = "FORBIDDEN"
    default_message = "You do not have permission to see this."


class NotFound(AspireError):
    code = "NOT_FOUND"
    default_message = "Not found."


class BadUserInput(AspireError):
    code = "BAD_USER_INPUT"
    default_message = "The request is not valid."


class RateLimited(AspireError):
    code = "RATE_LIMITED"
    default_message = "Too many requests. Wait a minute and try again."
