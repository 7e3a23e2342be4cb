"""The error codes of the estimates domain: grades typed by a person (scales.py, shared by
targets and tracking) and versions of the national estimates (versions.py)."""

from __future__ import annotations

from enum import StrEnum


class GradeErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    INVALID_GRADE = "INVALID_GRADE"


class EstimatesVersionErrorCode(StrEnum):
    UNKNOWN_VERSION = "UNKNOWN_VERSION"
    ALREADY_APPLIED = "ALREADY_APPLIED"
    NOTHING_TO_ROLL_BACK = "NOTHING_TO_ROLL_BACK"
    CHANGED_MEANWHILE = "CHANGED_MEANWHILE"
    INVALID_PARAMETERS = "INVALID_PARAMETERS"
    DUPLICATE_VERSION = "DUPLICATE_VERSION"
    LABEL_REQUIRED = "LABEL_REQUIRED"
