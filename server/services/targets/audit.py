"""Audit entries for target-setting changes (the AuditEvent table, append-only).

One `record` for every audit entry (server/services/audit.py), so that they read alike.
"""

from __future__ import annotations

from server.services.audit import Actor, record

__all__ = ["Actor", "record", "year_group_key"]


def year_group_key(key_stage: str, year_group: int) -> str:
    """How an audit entry names a year group: "KS4-Y10"."""
    return f"{key_stage}-Y{year_group}"
