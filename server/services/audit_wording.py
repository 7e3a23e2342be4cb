"""Audit entries in people's words: who (a person, and the LA or chain by name when the
reader is outside the school), what, about what (key stage, year group, subject names) and
how (a page, an export, an API token by its name), never the stored codes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from server.models import Account, ApiToken, AuditEvent, Organisation, Subject
from server.models.enums import AccessVia

ACTIONS = {
    "account.created": "Account added (pending)",
    "account.verification_resent": "Sign-up email resent",
    "account.code_reissued": "Activation code reissued",
    "account.pending_deleted": "Pending account deleted",
    "account.signed_up": "Signed up",
    "account.access_changed": "Role or pupil data access changed",
    "account.details_changed": "Administrator details changed",
    "account.deactivated": "Account deactivated",
    "account.reactivated": "Account reactivated",
    "account.password_reset_sent": "Password reset link sent by an administrator",
    "account.password_reset": "Password reset",
    "account.recovery_locked": "Password reset locked after 3 wrong tries",
    "account.mfa_enabled": "Two-step sign-in turned on",
    "account.mfa_disabled": "Two-step sign-in turned off",
    "organisation.require_mfa_changed": "Two-step sign-in requirement changed",
    "organisation.created": "Organisation created",
    "pupils.standardised_score": "Pupil's standardised score (fallback baseline) changed",
    "targets.pupil_read": "Read pupils' targets",
    "targets.export": "Downloaded pupils' targets",
    "targets.prepopulate": "Target setting saved",
    "targets.prepopulated": "Targets pre-populated",
    "targets.deleted": "Targets deleted",
    "targets.restored": "Deleted targets restored",
    "targets.purged": "Deleted targets removed for good",
    "upkeep.ran": "Scheduled upkeep",
}
VIA = {
    AccessVia.SESSION: "Signed in on the site",
    AccessVia.TOKEN: "API token",
    AccessVia.COMMAND_LINE: "Command line",
    AccessVia.SYSTEM: "Automatically",
}
KEY_STAGE_NAMES = {"KS2": "Key stage 2", "KS4": "Key stage 4", "KS5": "Key stage 5"}
_YEAR_GROUP = re.compile(r"^(KS[245])-Y(\d{1,2})$")
PUPIL_READS = {"targets.pupil_read", "targets.export"}


@dataclass(frozen=True)
class Described:
    who: str
    what: str
    about: str | None
    how: str


@dataclass(frozen=True)
class Names:
    """The names an audit page needs, read in one query each."""

    people: dict[int, str]
    organisations: dict[int, str]
    tokens: dict[int, str]
    subjects: dict[str, str]


async def names_for(events: Iterable[AuditEvent]) -> Names:
    events = list(events)
    people = {e.actor_id for e in events if e.actor_id}
    people |= {int(e.subject_id) for e in events
               if e.subject_type == "account" and e.subject_id and e.subject_id.isdigit()}
    organisations = {e.actor_organisation_id for e in events if e.actor_organisation_id}
    tokens = {e.api_token_id for e in events if e.api_token_id}
    codes = {code for e in events for code in (e.detail or {}).get("subjects", [])
             if isinstance(code, str)}
    return Names(
        people={a.id: f"{a.forename} {a.surname} ({a.login_name})"
                for a in await Account.filter(id__in=people)} if people else {},
        organisations={o.id: o.name for o in await Organisation.filter(id__in=organisations)}
        if organisations else {},
        tokens={t.id: t.name for t in await ApiToken.filter(id__in=tokens)} if tokens else {},
        subjects={s.code: s.name for s in await Subject.filter(code__in=codes)} if codes else {},
    )


def year_group_words(key: str) -> str:
    """"KS4-Y10" → "Key stage 4, Year 10"."""
    match = _YEAR_GROUP.match(key or "")
    if not match:
        return key
    return f"{KEY_STAGE_NAMES[match.group(1)]}, Year {int(match.group(2))}"


def describe(event: AuditEvent, names: Names) -> Described:
    return Described(who=_who(event, names), what=_what(event), about=_about(event, names),
                     how=_how(event, names))


def _who(event: AuditEvent, names: Names) -> str:
    if event.actor_id is None:
        return {AccessVia.COMMAND_LINE: "The command line",
                AccessVia.SYSTEM: "The system"}.get(event.via, "The person themself")
    person = names.people.get(event.actor_id, "A person no longer on the system")
    outside = (event.actor_organisation_id is not None
               and event.actor_organisation_id != event.organisation_id)
    if outside:
        return f"{person}, {names.organisations.get(event.actor_organisation_id, 'another organisation')}"
    return person


def _what(event: AuditEvent) -> str:
    what = ACTIONS.get(event.action) or event.action.replace("_", " ").replace(".", ": ")
    if event.action in PUPIL_READS:
        count = len((event.detail or {}).get("pupil_ids", []))
        what += f" ({count} pupil{'' if count == 1 else 's'})"
    return what


def _about(event: AuditEvent, names: Names) -> str | None:
    if event.subject_type == "account" and event.subject_id and event.subject_id.isdigit():
        return names.people.get(int(event.subject_id), "A person no longer on the system")
    if event.subject_type == "year_group":
        words = year_group_words(event.subject_id or "")
        codes = (event.detail or {}).get("subjects") or []
        if codes:
            words += ": " + ", ".join(names.subjects.get(c, c) for c in codes)
        elif event.action in PUPIL_READS:
            words += ": every subject"
        return words
    if event.subject_type:
        return f"{event.subject_type.replace('_', ' ')} {event.subject_id or ''}".strip()
    return None


def _how(event: AuditEvent, names: Names) -> str:
    if event.via == AccessVia.TOKEN:
        name = names.tokens.get(event.api_token_id)
        return f"API token “{name}”" if name else "API token (since revoked)"
    if event.action == "targets.export":
        return "Export file, signed in on the site"
    if event.action == "targets.pupil_read":
        return "Page, signed in on the site"
    return VIA.get(event.via, str(event.via))


# Who read what (issue 15): an outside read in the same words as the audit log.
READ_DOORS = {
    "page": "Page, signed in on the site",
    "export": "Export file, signed in on the site",
    "token": "API token",
    "api": "GraphQL API, signed in on the site",
}


def describe_read(read, organisations: dict[int, str], subjects: dict[str, str]) -> Described:
    """An OutsideRead: the person and their LA or chain, aggregates or pupil rows (how many),
    the key stage, year group and subjects, and the door."""
    organisation = organisations.get(read.reader_organisation_id, "another organisation")
    if read.level == "pupil":
        count = read.pupils or 0
        what = f"Pupils' targets ({count} pupil{'' if count == 1 else 's'})"
    else:
        what = "Targets summary (aggregates)"
    about = year_group_words(f"{getattr(read.key_stage, 'value', read.key_stage)}-Y{read.year_group}")
    codes = list(read.subjects or [])
    about += ": " + (", ".join(subjects.get(c, c) for c in codes) if codes else "every subject")
    return Described(who=f"{read.reader_name}, {organisation}", what=what, about=about,
                     how=READ_DOORS.get(read.via, read.via))


async def subject_names(codes: Iterable[str]) -> dict[str, str]:
    codes = set(codes)
    return {s.code: s.name for s in await Subject.filter(code__in=list(codes))} if codes else {}
