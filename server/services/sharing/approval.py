"""Approval of sharing changes (issue 15).

Rules:

- turning sharing on, or widening it (a new organisation or pupil-level detail), waits for
  a user of the school with the Head Teacher/Senior Leader role: the year group keeps what
  it shared before, narrowed to what was asked, and a pending change holds the rest;
- turning sharing off or narrowing it takes effect at once;
- a later save of the same year group supersedes its pending change;
- a decision is single-use: one conditional UPDATE (status still pending) decides it, and
  only the request whose UPDATE changed the row applies the sharing and audits it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from server.models import Account, SharingChange, YearGroupSettings
from server.models.enums import AccountKind, AccountStatus, KeyStage, Role
from server.services.audit import Actor, record
from server.services.errors import NotFoundError, UserInputError
from server.services.sharing.errors import DecideSharingChangeErrorCode

logger = logging.getLogger(__name__)

FLAGS = ("pupil_level_with_la", "aggregate_with_la", "aggregate_with_chain")
PENDING, APPROVED, REFUSED, SUPERSEDED = "pending", "approved", "refused", "superseded"

NO_SENIOR_LEADER = (
    "Nobody at your school has the Head Teacher/Senior Leader role, so nobody can approve "
    "this sharing change. In Manage users, give a senior leader's user account that role "
    "(or add one in Add users): they can then approve it on the main site under Sharing."
)


def sharing_of(values) -> dict[str, bool]:
    """The three sharing choices of a settings row, a change or a mapping."""
    get = values.get if isinstance(values, dict) else lambda f: getattr(values, f)
    return {f: bool(get(f)) for f in FLAGS}


def split_change(current: dict[str, bool], wanted: dict[str, bool]) -> tuple[dict[str, bool], bool]:
    """What takes effect now (what was shared and is still wanted) and whether the rest waits.

    >>> split_change({"pupil_level_with_la": False, "aggregate_with_la": True,
    ...               "aggregate_with_chain": False},
    ...              {"pupil_level_with_la": True, "aggregate_with_la": True,
    ...               "aggregate_with_chain": False})[1]
    True
    """
    now = {f: current[f] and wanted[f] for f in FLAGS}
    return now, now != wanted


def is_senior_leader(account: Account | None, school_id: int) -> bool:
    return bool(
        account is not None
        and account.kind == AccountKind.USER
        and account.organisation_id == school_id
        and account.role == Role.HEAD_TEACHER
        and account.status == AccountStatus.ACTIVE
    )


async def senior_leaders(school_id: int) -> list[Account]:
    return await Account.filter(
        organisation_id=school_id, kind=AccountKind.USER, role=Role.HEAD_TEACHER,
        status=AccountStatus.ACTIVE,
    ).order_by("id")


async def hold_widening(
    connection, school_id: int, key_stage: KeyStage, before: dict[int, dict[str, bool]],
    wanted: dict[str, bool], actor: Actor, now: datetime,
) -> tuple[dict[int, dict[str, bool]], list[SharingChange]]:
    """Inside the settings save: supersede pending changes of these year groups, and for
    each year group whose sharing would widen, keep only the narrowing and a pending change.

    Returns the sharing to store now per year group and the pending changes made.
    """
    years = list(before)
    await SharingChange.filter(
        school_id=school_id, key_stage=key_stage, year_group__in=years, status=PENDING
    ).using_db(connection).update(status=SUPERSEDED, decided_at=now)
    store: dict[int, dict[str, bool]] = {}
    pending: list[SharingChange] = []
    for year, current in before.items():
        store[year], waits = split_change(current, wanted)
        if waits:
            change = await SharingChange.create(
                school_id=school_id, key_stage=key_stage, year_group=year, **wanted,
                status=PENDING, requested_by_id=actor.account.id if actor.account else None,
                requested_at=now, using_db=connection,
            )
            change.requested_by = actor.account
            await record(
                actor, "sharing.requested", school_id, "sharing_change", str(change.id),
                before=current, after=wanted,
                detail={"keyStage": key_stage.value, "yearGroup": year}, connection=connection,
            )
            pending.append(change)
    return store, pending


async def decide(change_id: int, approve: bool, actor: Actor) -> SharingChange:
    """Approve or refuse a pending change: only a senior leader of the change's school."""
    account = actor.account
    change = await SharingChange.get_or_none(id=change_id)
    if change is None or account is None or account.organisation_id != change.school_id:
        raise NotFoundError("There is no such sharing change", field="id", code=DecideSharingChangeErrorCode.NOT_FOUND)
    if not is_senior_leader(account, change.school_id):
        raise PermissionError("Only the school's Head Teacher/Senior Leader users decide sharing")
    now = datetime.now(UTC)
    status = APPROVED if approve else REFUSED
    async with in_transaction() as connection:
        # Single use: the row is decided by whichever UPDATE finds it still pending.
        won = await SharingChange.filter(id=change.id, status=PENDING).using_db(connection).update(
            status=status, decided_by_id=account.id, decided_at=now
        )
        if won != 1:
            raise UserInputError(
                "This sharing change has already been decided or replaced by a later change",
                field="id", code=DecideSharingChangeErrorCode.ALREADY_DECIDED,
            )
        wanted = sharing_of(change)
        row = await YearGroupSettings.get_or_none(
            school_id=change.school_id, key_stage=change.key_stage, year_group=change.year_group
        ).using_db(connection)
        before = sharing_of(row) if row else dict.fromkeys(FLAGS, False)
        if approve:
            await YearGroupSettings.filter(
                school_id=change.school_id, key_stage=change.key_stage,
                year_group=change.year_group,
            ).using_db(connection).update(**wanted, updated_at=now)
        await record(
            actor, f"sharing.{status}", change.school_id, "sharing_change", str(change.id),
            before=before, after=wanted if approve else before,
            detail={"keyStage": change.key_stage.value, "yearGroup": change.year_group},
            connection=connection,
        )
    return await SharingChange.get(id=change.id).prefetch_related("requested_by", "decided_by")


async def changes(
    school_id: int, key_stage: KeyStage | None = None, year_group: int | None = None,
    limit: int = 200,
) -> list[SharingChange]:
    """Pending first, then decided ones, newest first."""
    query = SharingChange.filter(school_id=school_id)
    if key_stage is not None:
        query = query.filter(key_stage=key_stage)
    if year_group is not None:
        query = query.filter(year_group=year_group)
    rows = await query.order_by("-requested_at", "-id").limit(limit).prefetch_related(
        "requested_by", "decided_by"
    )
    return sorted(rows, key=lambda c: c.status != PENDING)


def describe(change) -> str:
    """One line in the school's words: "KS4 Year 10: pupil-level targets with the LA, ..."."""
    parts = []
    if change.pupil_level_with_la:
        parts.append("pupil-level targets with the local authority")
    elif change.aggregate_with_la:
        parts.append("aggregate targets with the local authority")
    if change.aggregate_with_chain:
        parts.append("aggregate targets with the academy chain")
    ks = KeyStage(change.key_stage).value
    return f"{ks} Year {change.year_group}: share {' and '.join(parts) or 'nothing'}"


async def tell_senior_leaders(school, leaders: list[Account], pending, actor: Actor) -> None:
    """One email to every senior leader; a broken mail set-up never undoes the save."""
    from server.mail.delivery import deliver
    from server.mail.messages import sharing_approval_email
    from server.settings import get_settings

    link = f"{get_settings().base_url}/sharing"
    who = actor.account.full_name if actor.account else "An administrator"
    for leader in leaders:
        message = sharing_approval_email(
            to=leader.email, forename=leader.forename, school=school.name, requested_by=who,
            changes=[describe(c) for c in pending], link=link,
        )
        try:
            await deliver(message)
        except Exception:  # the change stays pending and listed on the Sharing page
            logger.exception("sharing approval email to account %s not sent", leader.id)
