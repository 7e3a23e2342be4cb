"""The error codes of grades typed by a person (scales.py), shared by targets and tracking."""

from __future__ import annotations

from enum import StrEnum


class GradeErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    INVALID_GRADE = "INVALID_GRADE"
