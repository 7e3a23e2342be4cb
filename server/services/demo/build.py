"""The demo data set as plain values: deterministic, computed without the database.

Pupils, value-added histories and targets come from seeded random draws (numpy's
default_rng) and the estimates engine: prior attainment from the parameter files' national
distributions, "Your school" indicators and intelligent benchmarks from
server.services.estimates.model, benchmark grades from model.estimate.
"""

from __future__ import annotations

import base64
import calendar
import functools
import hashlib
import hmac
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
from scipy.special import ndtri

from server.auth.tokens import TOKEN_PREFIX
from server.models.enums import (
    AccountKind,
    BenchmarkLevel,
    Editing,
    GradeFormat,
    KeyStage,
    PupilAccess,
    Role,
)
from server.services.demo import definitions as d
from server.services.estimates import model
from server.services.estimates.levels import BenchmarkLevel as EngineLevel
from server.services.estimates.parameters import load_parameters
from server.services.estimates.subjects import get_subject, subjects_for
from server.services.pupils_upn import upn_check_letter

SCHOOL_STAFF: tuple[tuple[Role, PupilAccess], ...] = (
    (Role.HEAD_TEACHER, PupilAccess.FULL),
    (Role.MIDDLE_LEADER, PupilAccess.FULL),
    (Role.MIDDLE_LEADER, PupilAccess.AGGREGATE),
    (Role.TEACHER, PupilAccess.FULL),
    (Role.TEACHER, PupilAccess.AGGREGATE),
    (Role.GOVERNOR, PupilAccess.AGGREGATE),
    (Role.DATA_MANAGER, PupilAccess.FULL),
)
LA_STAFF = ((Role.OFFICER, PupilAccess.FULL), (Role.OFFICER, PupilAccess.AGGREGATE))
CHAIN_STAFF = ((Role.OFFICER, PupilAccess.AGGREGATE),)  # academy chains: aggregate only

# "Your school" indicator bands the value-added histories are made to fall in.
INDICATOR_BANDS = {"above 50": (56.0, 80.0), "20 to 50": (24.0, 47.0), "below 20": (5.0, 17.0)}
# Share of pupils who arrived without prior attainment (e.g. from abroad).
NO_PRIOR_RATE = 0.03
SEN_RATE = 0.14


def demo_password(group: str, secret: str) -> str:
    """The password of every demo account of one kind of organisation: four words, two digits.

    `group` is the organisation kind ("school", "local_authority", ...): four passwords, so
    a first load costs four argon2 hashes. Derived from the secret key: the same on every
    run of one installation, unknown to anyone without the key (or the command's output).
    """
    raw = hmac.new(secret.encode(), f"demo-password:{group}".encode(), hashlib.sha256).digest()
    words = [d.PASSWORD_WORDS[b % len(d.PASSWORD_WORDS)] for b in raw[:4]]
    return "-".join(words) + f"-{10 + raw[4] % 90}"


def demo_api_token(login_name: str, secret: str) -> str:
    """A demo user's API token: TOKEN_PREFIX + urlsafe base64 of an HMAC of the login name."""
    raw = hmac.new(secret.encode(), f"demo-api-token:{login_name}".encode(),
                   hashlib.sha256).digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def stored_level(level: EngineLevel | int) -> BenchmarkLevel:
    return BenchmarkLevel[EngineLevel(int(level)).name]


def engine_level(level: BenchmarkLevel) -> EngineLevel:
    return EngineLevel[level.name]


@dataclass(frozen=True)
class AccountPlan:
    organisation_key: str
    kind: AccountKind
    forename: str
    surname: str
    email: str
    login_name: str
    role: Role | None
    pupil_access: PupilAccess | None
    created_by: str | None  # the login name of the administrator who added the account

    @property
    def password_group(self) -> str:
        """Accounts of the same kind of organisation share a password (see demo_password)."""
        return next(o.kind.value for o in d.ORGANISATIONS if o.key == self.organisation_key)


@dataclass(frozen=True)
class PupilPlan:
    school_key: str
    key_stage: KeyStage
    upn: str
    forename: str
    surname: str
    gender: str
    date_of_birth: date
    year_group: int
    prior_attainment: float | None
    disadvantaged: bool
    sen: bool
    eal: bool


@dataclass(frozen=True)
class SubjectSettingPlan:
    school_key: str
    key_stage: KeyStage
    year_group: int
    subject_code: str
    benchmark: BenchmarkLevel
    grade_format: GradeFormat | None
    included: bool
    indicator: int


@dataclass(frozen=True)
class ValueAddedPlan:
    school_key: str
    key_stage: KeyStage
    subject_code: str
    academic_year: int
    value_added: float
    pupils: int


@dataclass(frozen=True)
class TeacherChangePlan:
    """A pre-populated target a teacher moved one grade, with a reason."""

    school_key: str
    key_stage: KeyStage
    year_group: int
    upn: str
    subject_code: str
    up: bool  # one grade up, else one grade down
    reason: str
    teacher: str  # login name


@dataclass(frozen=True, eq=False)
class DemoPlan:
    pupils_per_year: int
    accounts: tuple[AccountPlan, ...]
    pupils: tuple[PupilPlan, ...]
    subject_settings: tuple[SubjectSettingPlan, ...]
    value_added: tuple[ValueAddedPlan, ...]
    teacher_changes: tuple[TeacherChangePlan, ...]

    @property
    def organisations(self) -> tuple[d.OrganisationPlan | d.SchoolPlan, ...]:
        return d.ORGANISATIONS

    @cached_property
    def administrators(self) -> dict[str, AccountPlan]:
        return {
            a.organisation_key: a for a in self.accounts if a.kind == AccountKind.ADMINISTRATOR
        }


# -- accounts -------------------------------------------------------------------------


def _email_part(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalpha() or c == "-")


def _people(organisation_key: str, count: int) -> Iterator[tuple[str, str]]:
    rng = random.Random(f"{d.SEED}:staff:{organisation_key}")
    seen: set[tuple[str, str]] = set()
    forenames = d.FEMALE_FORENAMES + d.MALE_FORENAMES
    while len(seen) < count:
        person = rng.choice(forenames), rng.choice(d.SURNAMES)
        if person not in seen:
            seen.add(person)
            yield person


def administrator_login_name(organisation_key: str) -> str:
    """Random-looking, not guessable from the person's name, and the same on every run."""
    rng = random.Random(f"{d.SEED}:administrator:{organisation_key}")
    return "adm" + "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(6))


@functools.cache
def demo_accounts() -> tuple[AccountPlan, ...]:
    """Every demo account, administrators first in each organisation."""
    out: list[AccountPlan] = []
    operator_login = administrator_login_name(d.OPERATOR.key)
    organisations: list[tuple[str, str, tuple[tuple[Role, PupilAccess], ...]]] = [
        (d.OPERATOR.key, d.OPERATOR.domain, ()),
        *((la.key, la.domain, LA_STAFF) for la in d.LOCAL_AUTHORITIES),
        (d.CHAIN.key, d.CHAIN.domain, CHAIN_STAFF),
        *((s.key, s.domain, SCHOOL_STAFF) for s in d.SCHOOLS),
    ]
    for key, domain, staff in organisations:
        people = _people(key, 1 + len(staff))
        forename, surname = next(people)
        admin_login = administrator_login_name(key)
        out.append(AccountPlan(
            key, AccountKind.ADMINISTRATOR, forename, surname,
            f"{_email_part(forename)}.{_email_part(surname)}@{domain}", admin_login,
            None, None, None if key == d.OPERATOR.key else operator_login,
        ))
        for (role, access), (forename, surname) in zip(staff, people, strict=True):
            email = f"{_email_part(forename)}.{_email_part(surname)}@{domain}"
            out.append(AccountPlan(
                key, AccountKind.USER, forename, surname, email, email, role, access, admin_login,
            ))
    logins = [a.login_name for a in out]
    if len(set(logins)) != len(logins) or len({a.email for a in out}) != len(out):
        raise AssertionError("demo login names and emails must be unique")
    return tuple(out)


# -- pupils ---------------------------------------------------------------------------

_PRIOR_DECIMALS = {KeyStage.KS2: 1, KeyStage.KS4: 1, KeyStage.KS5: 2}


def _school_index(school: d.SchoolPlan) -> int:
    return d.SCHOOLS.index(school)


def _cohort_size(rng: np.random.Generator, pupils_per_year: int) -> int:
    if pupils_per_year < 20:
        return pupils_per_year
    return int(pupils_per_year + rng.integers(-4, 5))


def _birth_dates(rng: np.random.Generator, year_group: int, n: int) -> list[date]:
    """Born in the school year that puts them in `year_group` in ACADEMIC_YEAR."""
    first_year = d.ACADEMIC_YEAR - year_group - 5  # Y11 in 2026/27: Sep 2010 - Aug 2011
    months = rng.integers(0, 12, n)  # September 0 ... August 11
    days = rng.random(n)
    out = []
    for m, fraction in zip(months.tolist(), days.tolist(), strict=True):
        month = (m + 8) % 12 + 1
        year = first_year if month >= 9 else first_year + 1
        day = 1 + int(fraction * calendar.monthrange(year, month)[1])
        out.append(date(year, month, day))
    return out


def _pupils(pupils_per_year: int) -> tuple[PupilPlan, ...]:
    out: list[PupilPlan] = []
    serials: dict[tuple[str, str, int], int] = {}
    la_codes = {la.key: la.la_code for la in d.LOCAL_AUTHORITIES}
    for school in d.SCHOOLS:
        for plan in school.years:
            rng = np.random.default_rng([d.SEED, _school_index(school), plan.year_group])
            n = _cohort_size(rng, pupils_per_year)
            prior_spec = load_parameters(plan.key_stage.value).prior
            prior = np.round(prior_spec.draw(rng, n), _PRIOR_DECIMALS[plan.key_stage])
            missing = rng.random(n) < NO_PRIOR_RATE
            female = rng.random(n) < 0.5
            births = _birth_dates(rng, plan.year_group, n)
            disadvantaged = rng.random(n) < school.disadvantaged_rate
            sen = rng.random(n) < SEN_RATE
            eal = rng.random(n) < school.eal_rate
            name_picks = rng.random((n, 2))
            feeders = d.FEEDER_PRIMARIES[school.la_key]
            allocators = (
                [school.establishment] * n if school.phase == "primary"
                else [feeders[i] for i in rng.integers(0, len(feeders), n).tolist()]
            )
            allocated = (d.ACADEMIC_YEAR - plan.year_group) % 100  # the reception year
            for i in range(n):
                forenames = d.FEMALE_FORENAMES if female[i] else d.MALE_FORENAMES
                key = (school.la_key, allocators[i], allocated)
                serials[key] = serials.get(key, 0) + 1
                body = f"{la_codes[school.la_key]}{allocators[i]}{allocated:02d}{serials[key]:03d}"
                out.append(PupilPlan(
                    school.key, plan.key_stage, upn_check_letter(body) + body,
                    forenames[int(name_picks[i, 0] * len(forenames))],
                    d.SURNAMES[int(name_picks[i, 1] * len(d.SURNAMES))],
                    "F" if female[i] else "M", births[i], plan.year_group,
                    None if missing[i] else float(prior[i]),
                    bool(disadvantaged[i]), bool(sen[i]), bool(eal[i]),
                ))
    return tuple(out)


# -- value added, subject settings ----------------------------------------------------


def _school_key_stages(school: d.SchoolPlan) -> tuple[KeyStage, ...]:
    return tuple(dict.fromkeys(p.key_stage for p in school.years))


def _subject_codes(key_stage: KeyStage) -> tuple[str, ...]:
    parameters = load_parameters(key_stage.value)
    return tuple(s.code for s in subjects_for(key_stage.value) if s.code in parameters.subjects)


def _value_added(pupils_per_year: int) -> tuple[ValueAddedPlan, ...]:
    """Three years per school and subject whose indicator falls in a chosen band."""
    out: list[ValueAddedPlan] = []
    weights = model.YEAR_WEIGHTS
    bands = tuple(INDICATOR_BANDS.values())
    for school in d.SCHOOLS:
        for ks in _school_key_stages(school):
            rng = np.random.default_rng([d.SEED, _school_index(school), 100 + int(ks.value[2])])
            codes = _subject_codes(ks)
            parameters = load_parameters(ks.value)
            order = rng.permutation(len(codes))
            for position, i in enumerate(order.tolist()):
                code = codes[i]
                su = parameters[code].su
                low, high = bands[position % len(bands)]
                indicator = rng.uniform(low, high)
                va_w = su * float(ndtri(1 - indicator / 100))
                noise = rng.normal(0.0, 0.4 * su, 3)
                noise -= (noise @ weights) / weights.sum()
                values = [round(va_w + e, 3) for e in noise.tolist()]
                check = model.school_indicator(values, su)
                if check is None or not low - 1 <= check <= high + 1:
                    raise AssertionError(f"{school.key} {code}: indicator {check} off its band")
                sizes = rng.integers(max(1, pupils_per_year - 8), pupils_per_year + 9, 3)
                out.extend(
                    ValueAddedPlan(school.key, ks, code, year, value, int(size))
                    for year, value, size in zip(
                        d.VALUE_ADDED_YEARS, values, sizes.tolist(), strict=True
                    )
                )
    return tuple(out)


def _subject_settings(value_added: tuple[ValueAddedPlan, ...]) -> tuple[SubjectSettingPlan, ...]:
    history: dict[tuple[str, KeyStage, str], list[float]] = {}
    for row in value_added:  # oldest first
        history.setdefault((row.school_key, row.key_stage, row.subject_code), []).append(
            row.value_added
        )
    out: list[SubjectSettingPlan] = []
    for school in d.SCHOOLS:
        for plan in school.years:
            ks = plan.key_stage
            parameters = load_parameters(ks.value)
            for code in _subject_codes(ks):
                indicator = model.school_indicator(
                    history[(school.key, ks, code)], parameters[code].su
                )
                benchmark = stored_level(model.intelligent_benchmark(indicator))
                grade_format = None
                if ks == KeyStage.KS4:
                    grade_format = (
                        GradeFormat.A_STAR_TO_G if code in school.a_to_g_subjects
                        else GradeFormat.NINE_TO_ONE
                    )
                included = get_subject(ks.value, code).default and code not in school.not_offered
                out.append(SubjectSettingPlan(
                    school.key, ks, plan.year_group, code, benchmark, grade_format, included,
                    int(indicator) if indicator is not None else 0,
                ))
    return tuple(out)


# -- targets --------------------------------------------------------------------------
# The targets themselves are made by the application's own pre-population
# (server.services.targets.prepopulate) when the demo is loaded; the plan only says which
# few of them a teacher then changed, and why.


def _teacher(accounts: tuple[AccountPlan, ...], school_key: str) -> str:
    return next(
        a.login_name for a in accounts
        if a.organisation_key == school_key and a.role == Role.TEACHER
        and a.pupil_access == PupilAccess.FULL
    )


def _teacher_changes(
    pupils: tuple[PupilPlan, ...], settings: tuple[SubjectSettingPlan, ...],
    accounts: tuple[AccountPlan, ...],
) -> tuple[TeacherChangePlan, ...]:
    """A few targets per pre-populated year group that a teacher moved, as editing allows."""
    out: list[TeacherChangePlan] = []
    for school in d.SCHOOLS:
        for plan in school.years:
            if not plan.targets or plan.editing == Editing.NO:
                continue
            cohort = [p.upn for p in pupils if p.school_key == school.key
                      and p.year_group == plan.year_group and p.prior_attainment is not None]
            codes = [s.subject_code for s in settings if s.school_key == school.key
                     and s.year_group == plan.year_group and s.included]
            rng = np.random.default_rng([d.SEED, _school_index(school), 200 + plan.year_group])
            count = min(d.TEACHER_CHANGES, len(cohort) * len(codes))
            picks = rng.choice(len(cohort) * len(codes), size=count, replace=False).tolist()
            teacher = _teacher(accounts, school.key)
            for n, pick in enumerate(sorted(picks)):
                up = plan.editing == Editing.UPWARDS or n % 3 != 2
                reasons = d.TEACHER_REASONS_UP if up else d.TEACHER_REASONS_DOWN
                out.append(TeacherChangePlan(
                    school.key, plan.key_stage, plan.year_group, cohort[pick // len(codes)],
                    codes[pick % len(codes)], up, reasons[n % len(reasons)], teacher,
                ))
    return tuple(out)


def build_plan(pupils_per_year: int = d.PUPILS_PER_YEAR) -> DemoPlan:
    """The whole demo data set; the same values for the same size on every call."""
    accounts = demo_accounts()
    pupils = _pupils(pupils_per_year)
    value_added = _value_added(pupils_per_year)
    settings = _subject_settings(value_added)
    return DemoPlan(
        pupils_per_year=pupils_per_year,
        accounts=accounts,
        pupils=pupils,
        subject_settings=settings,
        value_added=value_added,
        teacher_changes=_teacher_changes(pupils, settings, accounts),
    )
