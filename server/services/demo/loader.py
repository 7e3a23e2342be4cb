"""Loading the demo data set: create what is missing, put back what drifted, nothing else.

Idempotent: every demo row has a natural key (URN, LA code, login name, UPN, ...); a run
reads the demo's rows (one query per table), creates the missing ones and updates the ones
whose demo-defined fields differ, in one transaction. Rows the demo does not define are
never touched or deleted. A second run finds nothing to do and writes nothing.

Targets are made by the application's own services, as a school's would be: pre-population
(server.services.targets.prepopulate) for the year groups whose settings ask for it, then a
few changes by a teacher with a reason (set_target). Both write nothing when there is
nothing to do, so they keep the load idempotent too.

A database that holds other organisations but no demo is refused (DemoRefused): the demo's
accounts are never mixed into real data.

Passwords: one per kind of organisation (demo_password), hashed once and shared by those
accounts, so a first load costs four argon2 hashes, not sixty-five. A password is set again
only when an account has none, was changed since the demo set it, or
the secret key changed (a fingerprint of it is kept in the demo's audit event).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.timezone import now
from tortoise.transactions import in_transaction

from server.auth.secrets import digest
from server.auth.tokens import PREFIX_LENGTH
from server.models import (
    Account,
    AdministratorSlot,
    ApiToken,
    AuditEvent,
    Organisation,
    Pupil,
    SchoolValueAdded,
    Session,
    SubjectSettings,
    Target,
    YearGroupSettings,
)
from server.models.enums import (
    AccessVia,
    AccountKind,
    AccountStatus,
    OrganisationKind,
)
from server.services.accounts.audit import Actor
from server.services.catalogue import ensure_subjects
from server.services.demo import definitions as d
from server.services.demo.build import (
    AccountPlan,
    DemoPlan,
    build_plan,
    demo_accounts,
    demo_api_token,
    demo_password,
)
from server.services.estimates.subjects import get_subject
from server.services.targets.prepopulate import run_prepopulation
from server.services.targets.pupil_targets import set_target
from server.settings import get_settings

log = logging.getLogger("aspire.demo")

AUDIT_ACTION = "demo.loaded"
TOKEN_NAME = "demo"  # noqa: S105 (the API token's label, not a secret)


class DemoConflict(RuntimeError):
    """The database holds something else under a demo key: nothing was written."""


class DemoRefused(RuntimeError):
    """The database holds other organisations and no demo yet: the demo is not added.

    Demo accounts have passwords anyone who can run the command can print, so the demo is
    only ever put into an empty database (or checked in one that already has it), never
    mixed into a database with real schools.
    """


def _same(a: Any, b: Any) -> bool:
    if a == b:
        return True
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, Enum):
        a = a.value
    if isinstance(b, Enum):
        b = b.value
    return a == b


@dataclass
class _Sync:
    """Counts rows created and updated per table during one run."""

    created: Counter
    updated: Counter

    async def rows(
        self,
        model: type[Model],
        key_fields: tuple[str, ...],
        wanted: Mapping[tuple, Mapping[str, Any]],
        existing: Iterable[Mapping[str, Any]],
    ) -> None:
        """Create the missing rows and update the fields that differ from `wanted`."""
        table = model._meta.db_table
        by_key = {tuple(row[k] for k in key_fields): row for row in existing}
        missing: list[Model] = []
        for key, values in wanted.items():
            row = by_key.get(key)
            if row is None:
                missing.append(model(**dict(zip(key_fields, key, strict=True)), **values))
                continue
            diff = {f: v for f, v in values.items() if not _same(row[f], v)}
            if diff:
                await model.filter(id=row["id"]).update(**diff)
                self.updated[table] += 1
        if missing:
            await model.bulk_create(missing, batch_size=500)
            self.created[table] += len(missing)


@dataclass(frozen=True)
class DemoResult:
    plan: DemoPlan
    organisation_ids: Mapping[str, int]
    secret: str = field(repr=False)
    created: Mapping[str, int]
    updated: Mapping[str, int]
    base_url: str
    targets: int  # current targets in the demo schools

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()))

    def password(self, account: AccountPlan) -> str:
        return demo_password(account.password_group, self.secret)

    def as_json(self) -> dict[str, Any]:
        """Every demo account with its password and API token, and every school's sharing."""
        organisations = {o.key: o for o in self.plan.organisations}
        la_codes = {la.key: la.la_code for la in d.LOCAL_AUTHORITIES}
        accounts = []
        for a in self.plan.accounts:
            org = organisations[a.organisation_key]
            is_user = a.kind == AccountKind.USER
            accounts.append({
                "username": a.login_name,
                "password": self.password(a),
                "kind": a.kind.value,
                "organisation": {
                    "id": str(self.organisation_ids[org.key]),
                    "kind": org.kind.name,
                    "name": org.name,
                    "urn": getattr(org, "urn", None),
                    "laCode": getattr(org, "la_code", None),
                },
                "role": a.role.value if is_user and a.role else None,
                "pupilAccess": a.pupil_access.name if is_user and a.pupil_access else None,
                "apiToken": demo_api_token(a.login_name, self.secret) if is_user else None,
            })
        schools = [
            {
                "urn": s.urn,
                "name": s.name,
                "laCode": la_codes[s.la_key],
                "academyChainId": (
                    str(self.organisation_ids[s.chain_key]) if s.chain_key else None
                ),
                "sharing": [
                    {
                        "keyStage": y.key_stage.value,
                        "yearGroup": y.year_group,
                        "pupilLevelWithLa": y.sharing.pupil_level_with_la,
                        "aggregateWithLa": y.sharing.aggregate_with_la,
                        "aggregateWithChain": y.sharing.aggregate_with_chain,
                    }
                    for y in s.years
                ],
            }
            for s in d.SCHOOLS
        ]
        return {"accounts": accounts, "schools": schools}

    def summary(self) -> str:
        """A short human summary for the terminal: counts and a few logins to start with."""
        plan = self.plan
        admins = plan.administrators
        users = [a for a in plan.accounts if a.kind == AccountKind.USER]
        names = {o.key: o.name for o in plan.organisations}

        def officer(la_key: str, access: str) -> Any:
            return next(u for u in users if u.organisation_key == la_key
                        and u.pupil_access is not None and u.pupil_access.name == access)

        school = d.SCHOOLS[2]  # Kingsbridge Academy: shares everything, has targets
        la = d.LOCAL_AUTHORITIES[0]
        head = next(u for u in users if u.organisation_key == school.key)
        rows = [
            ("Administration pages", f"{self.base_url}/admin/sign-in", [
                (f"operator administrator ({names[d.OPERATOR.key]})", admins[d.OPERATOR.key]),
                (f"school administrator ({school.name})", admins[school.key]),
                (f"LA administrator ({la.name})", admins[la.key]),
            ]),
            ("Main site", f"{self.base_url}/sign-in", [
                (f"LA officer, full pupil access ({la.name})", officer(la.key, "FULL")),
                (f"LA officer, aggregate only ({la.name})", officer(la.key, "AGGREGATE")),
                (f"{head.role.value if head.role else 'User'} ({school.name})", head),
            ]),
        ]
        lines = [
            f"Demo data set: {len(plan.organisations)} organisations (1 operator, "
            f"{len(d.LOCAL_AUTHORITIES)} local authorities, 1 academy chain, "
            f"{len(d.SCHOOLS)} schools), {len(plan.accounts)} accounts ({len(admins)} "
            f"administrators, {len(users)} users, all active), {len(plan.pupils)} pupils, "
            f"{self.targets} targets.",
        ]
        for title, url, people in rows:
            lines.append(f"{title} ({url}):")
            width = max(len(label) for label, _ in people)
            login_width = max(len(a.login_name) for _, a in people)
            lines.extend(
                f"  {label:<{width}}  {a.login_name:<{login_width}}  "
                f"{self.password(a)}"
                for label, a in people
            )
        lines.append("Every account with its password and API token: aspire demo --json")
        return "\n".join(lines)


def credentials_fingerprint(secret: str) -> str:
    """Tells whether the passwords were set under this secret key, without revealing it."""
    return hmac.new(secret.encode(), b"demo-credentials", hashlib.sha256).hexdigest()[:16]


def _matches(org: d.OrganisationPlan | d.SchoolPlan, row: Mapping[str, Any]) -> bool:
    if isinstance(org, d.SchoolPlan):
        return row["urn"] == org.urn
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        return row["la_code"] == org.la_code
    return row["kind"] == org.kind and row["name"] == org.name


async def _organisation_rows() -> dict[str, dict[str, Any]]:
    """The demo's organisations found in the database, by demo key (one query)."""
    fields = ("id", "kind", "name", "urn", "la_code", "phase", "local_authority_id",
              "academy_chain_id", "current_academic_year")
    rows = await Organisation.filter(
        Q(urn__in=[s.urn for s in d.SCHOOLS])
        | Q(la_code__in=[la.la_code for la in d.LOCAL_AUTHORITIES])
        | Q(kind__in=[OrganisationKind.OPERATOR, OrganisationKind.ACADEMY_CHAIN],
            name__in=[d.OPERATOR.name, d.CHAIN.name])
    ).values(*fields)
    found: dict[str, dict[str, Any]] = {}
    for org in d.ORGANISATIONS:
        for row in rows:
            if not _matches(org, row):
                continue
            if row["kind"] != org.kind or row["name"] != org.name:
                what = f"URN {org.urn}" if isinstance(org, d.SchoolPlan) else "LA code"
                raise DemoConflict(
                    f"{row['name']!r} already uses the demo's {what}: the demo is never "
                    "loaded over other organisations"
                )
            found.setdefault(org.key, row)
    return found


async def load_demo(pupils_per_year: int = d.PUPILS_PER_YEAR) -> DemoResult:
    """Load (or check and repair) the demo data set in the open database.

    Two runs at once: the one that loses a race on a unique key (URN, login name, UPN...)
    has rolled back everything; it looks again, finds the other's rows and checks them.
    """
    try:
        return await _load(pupils_per_year)
    except IntegrityError:
        log.info("demo data: another run wrote it at the same time; checking again")
        return await _load(pupils_per_year)


async def _load(pupils_per_year: int) -> DemoResult:
    started = time.perf_counter()
    settings = get_settings()
    secret = str(settings.secret_key)
    accounts = demo_accounts()

    # Cheap look first: the demo's organisations and accounts, and whether the passwords
    # were set under this secret key.
    found = await _organisation_rows()
    if not found and await Organisation.exists():
        raise DemoRefused(
            "the database already holds organisations and no demo data: the demo is only "
            "loaded into an empty database"
        )
    logins = [a.login_name for a in accounts]
    account_fields = ("id", "kind", "organisation_id", "forename", "surname", "email",
                      "login_name", "role", "pupil_access", "status", "password_hash",
                      "password_changed_at", "activated_at", "deactivated_at", "created_by_id",
                      "failed_logins", "locked_until")
    existing_accounts = {
        row["login_name"]: row
        for row in await Account.filter(login_name__in=logins).values(*account_fields)
    }
    for account in accounts:
        row = existing_accounts.get(account.login_name)
        org = found.get(account.organisation_key)
        if row is not None and (org is None or row["organisation_id"] != org["id"]):
            raise DemoConflict(
                f"the login name {account.login_name!r} belongs to an account outside the demo"
            )
    latest = await AuditEvent.filter(action=AUDIT_ACTION).order_by("-id").first().values(
        "detail"
    )
    fingerprint = credentials_fingerprint(secret)
    same_secret = bool(latest and (latest.get("detail") or {}).get("credentials") == fingerprint)

    def intact(row: Mapping[str, Any] | None) -> bool:
        return bool(
            row is not None and same_secret and row["password_hash"]
            and row["password_changed_at"] == d.PASSWORDS_SET_AT
        )

    # One hash per password: reuse an intact one of the accounts sharing it, else make one.
    hashes: dict[str, str] = {}
    for a in accounts:
        row = existing_accounts.get(a.login_name)
        if intact(row):
            hashes.setdefault(a.password_group, row["password_hash"])
    reset = {a.login_name for a in accounts if not intact(existing_accounts.get(a.login_name))}
    to_hash = sorted({a.password_group for a in accounts
                      if a.login_name in reset and a.password_group not in hashes})
    hashing = None
    if to_hash:
        # Imported only when needed: the module makes an argon2 hash as it loads.
        from server.auth.passwords import hash_password

        # Hashed in threads while the plan is built and the pupils are written.
        hashing = asyncio.gather(*(hash_password(demo_password(k, secret)) for k in to_hash))
        await asyncio.sleep(0)  # lets the hashes start before the plan is built

    try:
        plan = build_plan(pupils_per_year)
        sync = _Sync(Counter(), Counter())
        async with in_transaction() as connection:
            subjects = await ensure_subjects()
            subject_ids = {(ks, code): s.id for (ks, code), s in subjects.items()}
            org_ids = await _sync_organisations(sync, plan, found)
            school_ids = {s.key: org_ids[s.key] for s in d.SCHOOLS}
            await _sync_pupils(sync, plan, school_ids)
            if hashing is not None:
                hashes.update(zip(to_hash, await hashing, strict=True))
            account_ids = await _sync_accounts(
                sync, plan, org_ids, existing_accounts, hashes, reset
            )
            await _sync_administrator_slots(sync, plan, org_ids, account_ids)
            await _sync_api_tokens(sync, plan, account_ids, secret)
            await _sync_settings(sync, plan, school_ids, subject_ids, account_ids)
            await _make_targets(sync, plan, school_ids, account_ids, connection)
            targets = await _count_targets(school_ids.values())
            if sync.created or sync.updated:
                await AuditEvent.create(
                    action=AUDIT_ACTION, via=AccessVia.COMMAND_LINE,
                    detail={"created": dict(sync.created), "updated": dict(sync.updated),
                            "pupilsPerYear": pupils_per_year, "credentials": fingerprint},
                )
    finally:
        if hashing is not None and not hashing.done():
            hashing.cancel()
    took = time.perf_counter() - started
    if sync.created or sync.updated:
        log.info("demo data: created %s; updated %s (%.1f s)", dict(sync.created) or "nothing",
                 dict(sync.updated) or "nothing", took)
    else:
        log.info("demo data already present and unchanged (%.1f s)", took)
    return DemoResult(plan, org_ids, secret, dict(sync.created), dict(sync.updated),
                      settings.base_url, targets)


async def _sync_organisations(
    sync: _Sync, plan: DemoPlan, found: dict[str, dict[str, Any]]
) -> dict[str, int]:
    """Eleven rows, one at a time: local authorities and the chain before their schools."""
    ids: dict[str, int] = {}
    for org in plan.organisations:
        school = org if isinstance(org, d.SchoolPlan) else None
        values = {
            "kind": org.kind, "name": org.name,
            "urn": school.urn if school else None,
            "la_code": None if school else org.la_code,
            "phase": school.phase if school else None,
            "local_authority_id": ids[school.la_key] if school else None,
            "academy_chain_id": ids[school.chain_key] if school and school.chain_key else None,
            "current_academic_year": d.ACADEMIC_YEAR if school else None,
        }
        row = found.get(org.key)
        if row is None:
            ids[org.key] = (await Organisation.create(**values)).id
            sync.created["organisation"] += 1
            continue
        ids[org.key] = row["id"]
        diff = {f: v for f, v in values.items() if not _same(row[f], v)}
        if diff:
            await Organisation.filter(id=row["id"]).update(**diff)
            sync.updated["organisation"] += 1
    return ids


async def _sync_accounts(
    sync: _Sync, plan: DemoPlan, org_ids: Mapping[str, int],
    existing: Mapping[str, Mapping[str, Any]], hashes: Mapping[str, str], reset: set[str],
) -> dict[str, int]:
    ids = {login: row["id"] for login, row in existing.items()}
    repaired_passwords: list[int] = []
    operator_admin = plan.administrators[d.OPERATOR.key]
    # Each account names the administrator who added it, created in an earlier pass.
    passes = (
        [operator_admin],
        [a for a in plan.administrators.values() if a is not operator_admin],
        [a for a in plan.accounts if a.kind == AccountKind.USER],
    )
    for accounts in passes:
        wanted: dict[tuple, dict[str, Any]] = {}
        for a in accounts:
            values: dict[str, Any] = {
                "kind": a.kind, "organisation_id": org_ids[a.organisation_key],
                "forename": a.forename, "surname": a.surname, "email": a.email,
                "role": a.role, "pupil_access": a.pupil_access, "status": AccountStatus.ACTIVE,
                "activated_at": d.ACCOUNTS_CREATED_AT, "deactivated_at": None,
                "created_by_id": ids.get(a.created_by) if a.created_by else None,
                "failed_logins": 0, "locked_until": None,
            }
            if a.login_name in reset:
                values["password_hash"] = hashes[a.password_group]
                values["password_changed_at"] = d.PASSWORDS_SET_AT
                if a.login_name in existing:
                    repaired_passwords.append(existing[a.login_name]["id"])
            wanted[(a.login_name,)] = values
        await sync.rows(Account, ("login_name",), wanted, existing.values())
        created = [a.login_name for a in accounts if a.login_name not in ids]
        if created:
            for row in await Account.filter(login_name__in=created).values("id", "login_name"):
                ids[row["login_name"]] = row["id"]
    if repaired_passwords:
        # A password put back ends the account's sessions, as any password reset does.
        await Session.filter(account_id__in=repaired_passwords).delete()
    return ids


async def _sync_administrator_slots(
    sync: _Sync, plan: DemoPlan, org_ids: Mapping[str, int], account_ids: Mapping[str, int]
) -> None:
    admins = plan.administrators
    rows = await AdministratorSlot.filter(
        organisation_id__in=[org_ids[k] for k in admins]
    ).values("organisation_id", "slot", "account_id")
    held = {r["account_id"] for r in rows}
    limit = get_settings().administrator_limit
    new = []
    for key, admin in admins.items():
        account_id = account_ids[admin.login_name]
        if account_id in held:
            continue
        taken = {r["slot"] for r in rows if r["organisation_id"] == org_ids[key]}
        free = [s for s in range(1, limit + 1) if s not in taken]
        if not free:
            raise DemoConflict(f"{key}: no free administrator slot for the demo administrator")
        new.append(AdministratorSlot(
            organisation_id=org_ids[key], slot=free[0], account_id=account_id
        ))
    if new:
        await AdministratorSlot.bulk_create(new)
        sync.created["administrator_slot"] += len(new)


async def _sync_api_tokens(
    sync: _Sync, plan: DemoPlan, account_ids: Mapping[str, int], secret: str
) -> None:
    users = [a for a in plan.accounts if a.kind == AccountKind.USER]
    user_ids = [account_ids[u.login_name] for u in users]
    rows = await ApiToken.filter(account_id__in=user_ids).values(
        "id", "account_id", "name", "token_hash", "revoked_at"
    )
    by_hash = {r["token_hash"]: r for r in rows}
    expected = set()
    new = []
    for user in users:
        plain = demo_api_token(user.login_name, secret)
        token_hash = digest(plain)
        expected.add(token_hash)
        row = by_hash.get(token_hash)
        if row is None:
            new.append(ApiToken(
                account_id=account_ids[user.login_name], name=TOKEN_NAME,
                prefix=plain[:PREFIX_LENGTH], token_hash=token_hash,
            ))
        elif row["revoked_at"] is not None:
            await ApiToken.filter(id=row["id"]).update(revoked_at=None)
            sync.updated["api_token"] += 1
    if new:
        await ApiToken.bulk_create(new)
        sync.created["api_token"] += len(new)
    # Demo tokens made under another secret key no longer appear in the output: revoke them.
    stale = [r["id"] for r in rows if r["name"] == TOKEN_NAME and r["revoked_at"] is None
             and r["token_hash"] not in expected]
    if stale:
        await ApiToken.filter(id__in=stale).update(revoked_at=now())
        sync.updated["api_token"] += len(stale)


async def _sync_pupils(
    sync: _Sync, plan: DemoPlan, school_ids: Mapping[str, int]
) -> None:
    fields = ("forename", "surname", "gender", "date_of_birth", "year_group",
              "prior_attainment", "disadvantaged", "sen", "eal", "left_at")
    wanted = {
        (school_ids[p.school_key], p.upn): {
            "forename": p.forename, "surname": p.surname, "gender": p.gender,
            "date_of_birth": p.date_of_birth, "year_group": p.year_group,
            "prior_attainment": p.prior_attainment, "disadvantaged": p.disadvantaged,
            "sen": p.sen, "eal": p.eal, "left_at": None,
        }
        for p in plan.pupils
    }
    ids = list(school_ids.values())
    existing = await Pupil.filter(school_id__in=ids).values("id", "school_id", "upn", *fields)
    await sync.rows(Pupil, ("school_id", "upn"), wanted, existing)


async def _sync_settings(
    sync: _Sync, plan: DemoPlan, school_ids: Mapping[str, int],
    subject_ids: Mapping[tuple, int], account_ids: Mapping[str, int],
) -> None:
    ids = list(school_ids.values())
    admins = plan.administrators
    year_groups = {
        (school_ids[s.key], y.key_stage, y.year_group): {
            "use_target_setting": y.use_target_setting, "prepopulate": y.prepopulate,
            "editing": y.editing, "pupil_level_with_la": y.sharing.pupil_level_with_la,
            "aggregate_with_la": y.sharing.aggregate_with_la,
            "aggregate_with_chain": y.sharing.aggregate_with_chain,
            "updated_by_id": account_ids[admins[s.key].login_name],
        }
        for s in d.SCHOOLS for y in s.years
    }
    existing = await YearGroupSettings.filter(school_id__in=ids).values(
        "id", "school_id", "key_stage", "year_group", "use_target_setting", "prepopulate",
        "editing", "pupil_level_with_la", "aggregate_with_la", "aggregate_with_chain",
        "updated_by_id",
    )
    await sync.rows(
        YearGroupSettings, ("school_id", "key_stage", "year_group"), year_groups, existing
    )

    subjects = {
        (school_ids[s.school_key], s.key_stage, s.year_group,
         subject_ids[(s.key_stage, s.subject_code)]): {
            "benchmark": s.benchmark, "grade_format": s.grade_format, "included": s.included,
        }
        for s in plan.subject_settings
    }
    existing = await SubjectSettings.filter(school_id__in=ids).values(
        "id", "school_id", "key_stage", "year_group", "subject_id", "benchmark",
        "grade_format", "included",
    )
    await sync.rows(
        SubjectSettings, ("school_id", "key_stage", "year_group", "subject_id"), subjects,
        existing,
    )

    history = {
        (school_ids[v.school_key], subject_ids[(v.key_stage, v.subject_code)],
         v.academic_year): {"value_added": v.value_added, "pupils": v.pupils}
        for v in plan.value_added
    }
    existing = await SchoolValueAdded.filter(school_id__in=ids).values(
        "id", "school_id", "subject_id", "academic_year", "value_added", "pupils"
    )
    await sync.rows(
        SchoolValueAdded, ("school_id", "subject_id", "academic_year"), history, existing
    )


async def _make_targets(
    sync: _Sync, plan: DemoPlan, school_ids: Mapping[str, int],
    account_ids: Mapping[str, int], connection: Any,
) -> None:
    """Targets through the application's own services: pre-population, then a teacher's edits.

    Pre-population is idempotent (it inserts only missing targets, brings untouched
    pre-populated ones up to date and fills deleted ones again); set_target writes nothing
    when the target already holds the grade.
    """
    formats = {(s.school_key, s.year_group, s.subject_code): s.grade_format
               for s in plan.subject_settings}
    for school in d.SCHOOLS:
        school_id = school_ids[school.key]
        for year in school.years:
            if not year.targets:
                continue
            admin = await Account.get(id=account_ids[plan.administrators[school.key].login_name])
            result = await run_prepopulation(
                connection, school_id, year.key_stage, year.year_group,
                Actor(account=admin, via=AccessVia.COMMAND_LINE),
            )
            if result.created:
                sync.created["target"] += result.created
            if result.refreshed:
                sync.updated["target"] += result.refreshed
            changes = [c for c in plan.teacher_changes
                       if c.school_key == school.key and c.year_group == year.year_group]
            if not changes:
                continue
            current = {
                (r["pupil__upn"], r["subject__code"]): r
                for r in await Target.filter(
                    school_id=school_id, year_group=year.year_group, deleted_at=None,
                    history_academic_year=None, subject__key_stage=year.key_stage,
                ).values("pupil__upn", "subject__code", "grade", "prepopulated_grade")
            }
            for change in changes:
                row = current.get((change.upn, change.subject_code))
                if row is None or row["prepopulated_grade"] is None:
                    continue
                fmt = formats[(school.key, year.year_group, change.subject_code)]
                scale = get_subject(year.key_stage.value, change.subject_code).scale_for(
                    fmt.value if fmt else None
                )
                position = scale.index_of(row["prepopulated_grade"]) + (1 if change.up else -1)
                if not 0 <= position < len(scale.grades):
                    continue  # already the top (or lowest) grade: nothing to move
                grade = scale.grades[position]
                if grade not in scale.target_grades or row["grade"] == grade:
                    continue
                await set_target(
                    school_id, account_ids[change.teacher], None, change.upn,
                    change.subject_code, grade, change.reason,
                )
                sync.updated["target"] += 1


async def _count_targets(school_ids: Iterable[int]) -> int:
    return await Target.filter(
        school_id__in=list(school_ids), deleted_at=None, history_academic_year=None
    ).count()
