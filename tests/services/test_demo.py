"""The demo data set (`aspire demo`): its contents, idempotent loading, repair, the command."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from server.models import (
    Account,
    AdministratorSlot,
    ApiToken,
    Organisation,
    Pupil,
    SchoolValueAdded,
    Session,
    SubjectSettings,
    Target,
    TargetChange,
    YearGroupSettings,
)
from server.models.enums import (
    AccountKind,
    AccountStatus,
    Editing,
    KeyStage,
    OrganisationKind,
    Prepopulate,
    PupilAccess,
    Role,
    TargetChangeKind,
)
from server.services.accounts.credentials import password_problems
from server.services.accounts.people import check_email_syntax
from server.services.demo import definitions as d
from server.services.demo.build import (
    build_plan,
    demo_api_token,
    demo_password,
    engine_level,
    stored_level,
)
from server.services.demo.loader import DemoConflict, DemoRefused, load_demo
from server.services.estimates import model
from server.services.estimates.parameters import load_parameters
from server.services.pupils_upn import validate_upn
from tests.factories import graphql

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-key-" + "x" * 32  # tests/conftest.py
PLAN = build_plan()
SMALL = 8  # pupils per year group in the quick variant

TABLES = (Organisation, Account, AdministratorSlot, ApiToken, Pupil, YearGroupSettings,
          SubjectSettings, SchoolValueAdded, Target, TargetChange)


async def _counts() -> dict[str, int]:
    return {m.__name__: await m.all().count() for m in TABLES}


# -- the plan: no database ------------------------------------------------------------


def test_the_plan_is_the_same_on_every_build():
    again = build_plan()
    for name in ("accounts", "pupils", "subject_settings", "value_added", "teacher_changes"):
        assert getattr(again, name) == getattr(PLAN, name), name
    assert demo_api_token("a@b.sch.uk", SECRET) == demo_api_token("a@b.sch.uk", SECRET)
    assert demo_api_token("a@b.sch.uk", SECRET) != demo_api_token("a@b.sch.uk", SECRET + "y")


def test_organisations_and_the_six_sharing_patterns():
    assert len(d.LOCAL_AUTHORITIES) == 2
    assert all(len(la.la_code) == 3 and la.la_code.isdigit() for la in d.LOCAL_AUTHORITIES)
    assert len(d.SCHOOLS) >= 6
    assert all(len(s.urn) == 6 and s.urn.isdigit() for s in d.SCHOOLS)
    assert len({s.urn for s in d.SCHOOLS}) == len(d.SCHOOLS)
    chain_las = {s.la_key for s in d.SCHOOLS if s.chain_key == d.CHAIN.key}
    assert chain_las == {la.key for la in d.LOCAL_AUTHORITIES}  # the chain spans both LAs

    def pattern(s):
        return {(y.sharing.pupil_level_with_la, y.sharing.aggregate_with_la,
                 y.sharing.aggregate_with_chain) for y in s.years}

    patterns = [pattern(s) for s in d.SCHOOLS]
    assert {(True, True, False)} in patterns  # pupil-level with the LA
    assert {(False, True, False)} in patterns  # aggregate only with the LA
    assert {(False, False, True)} in patterns  # aggregate with the chain only
    assert {(False, False, False)} in patterns  # nothing
    assert {(True, True, True)} in patterns  # everything
    assert any(len(p) > 1 for p in patterns)  # differs by year group
    for s in d.SCHOOLS:
        stages = {y.key_stage for y in s.years}
        assert s.phase == {frozenset({KeyStage.KS2}): "primary",
                           frozenset({KeyStage.KS5}): "sixth form"}.get(frozenset(stages),
                                                                         "secondary")
        for y in s.years:
            assert not y.sharing.aggregate_with_chain or s.chain_key  # only with a chain


def test_accounts_cover_every_role_and_access_level():
    by_org = defaultdict(list)
    for a in PLAN.accounts:
        by_org[a.organisation_key].append(a)
    logins = [a.login_name for a in PLAN.accounts]
    assert len(set(logins)) == len(logins)
    assert len({a.email for a in PLAN.accounts}) == len(PLAN.accounts)
    for org in PLAN.organisations:
        people = by_org[org.key]
        admins = [a for a in people if a.kind == AccountKind.ADMINISTRATOR]
        assert len(admins) == 1
        assert len(admins[0].login_name) == 9 and admins[0].login_name.startswith("adm")
        assert admins[0].login_name[3:].isalnum()
        users = {(a.role, a.pupil_access) for a in people if a.kind == AccountKind.USER}
        if org.kind == OrganisationKind.SCHOOL:
            assert {r for r, _ in users} == {Role.HEAD_TEACHER, Role.MIDDLE_LEADER, Role.TEACHER,
                                             Role.GOVERNOR, Role.DATA_MANAGER}
            assert (Role.TEACHER, PupilAccess.FULL) in users
            assert (Role.TEACHER, PupilAccess.AGGREGATE) in users
            assert (Role.GOVERNOR, PupilAccess.AGGREGATE) in users
            assert all(a.email.endswith("@" + org.domain) for a in people)
        elif org.kind == OrganisationKind.LOCAL_AUTHORITY:
            assert users == {(Role.OFFICER, PupilAccess.FULL), (Role.OFFICER, PupilAccess.AGGREGATE)}
        elif org.kind == OrganisationKind.ACADEMY_CHAIN:
            assert users == {(Role.OFFICER, PupilAccess.AGGREGATE)}
        else:
            assert users == set()
        password = demo_password(org.kind.value, SECRET)
        for a in people:  # the application's own rules for passwords, names and emails
            assert password_problems(password, password, a.login_name, org.name) == []
            assert check_email_syntax(a.email) is None
            assert 1 <= len(a.forename) <= 50 and 1 <= len(a.surname) <= 50
    for a in PLAN.accounts:
        if a.kind == AccountKind.USER:
            assert a.login_name == a.email and a.email.count("@") == 1
            local, domain = a.email.split("@")
            assert local == f"{a.forename}.{a.surname}".lower().replace("'", "")


def test_pupils_upns_birthdays_prior_attainment_and_flags():
    assert all(validate_upn(p.upn) is None for p in PLAN.pupils), "every UPN has its check letter"
    assert len({p.upn for p in PLAN.pupils}) == len(PLAN.pupils)
    cohorts = defaultdict(list)
    for p in PLAN.pupils:
        cohorts[(p.school_key, p.year_group)].append(p)
    planned = {(s.key, y.year_group) for s in d.SCHOOLS for y in s.years}
    assert set(cohorts) == planned
    for (school_key, year_group), pupils in cohorts.items():
        assert 54 <= len(pupils) <= 66, (school_key, year_group, len(pupils))
        with_prior = [p.prior_attainment for p in pupils if p.prior_attainment is not None]
        assert len(with_prior) >= 50
        # Born in the school year that puts them in this year group in 2026/27.
        first = date(d.ACADEMIC_YEAR - year_group - 5, 9, 1)
        assert all(first <= p.date_of_birth < date(first.year + 1, 9, 1) for p in pupils)
        assert {p.gender for p in pupils} == {"F", "M"}
    for ks, year_groups in ((KeyStage.KS2, {6}), (KeyStage.KS4, {10, 11}), (KeyStage.KS5, {12})):
        pupils = [p for p in PLAN.pupils if p.key_stage == ks]
        assert {p.year_group for p in pupils} == year_groups
        prior_spec = load_parameters(ks.value).prior
        values = np.array([p.prior_attainment for p in pupils if p.prior_attainment is not None])
        assert values.min() >= prior_spec.low and values.max() <= prior_spec.high
        assert abs(values.mean() - prior_spec.mean) < 0.2 * prior_spec.sd
        assert abs(values.std() - prior_spec.sd) < 0.2 * prior_spec.sd
    months = Counter(p.date_of_birth.month for p in PLAN.pupils)
    assert set(months) == set(range(1, 13)) and min(months.values()) > 30
    n = len(PLAN.pupils)
    for flag, low, high in (("disadvantaged", 0.15, 0.35), ("sen", 0.08, 0.22),
                            ("eal", 0.08, 0.30)):
        share = sum(getattr(p, flag) for p in PLAN.pupils) / n
        assert low <= share <= high, (flag, share)


def test_indicators_differ_by_subject_and_set_the_benchmarks():
    history = defaultdict(list)
    for v in PLAN.value_added:
        assert v.academic_year in d.VALUE_ADDED_YEARS
        history[(v.school_key, v.key_stage, v.subject_code)].append(v.value_added)
    assert all(len(years) == 3 for years in history.values())
    for school in d.SCHOOLS:
        for ks in {y.key_stage for y in school.years}:
            parameters = load_parameters(ks.value)
            indicators = [
                model.school_indicator(values, parameters[code].su)
                for (key, stage, code), values in history.items()
                if key == school.key and stage == ks
            ]
            assert len(indicators) == len(parameters.subjects)
            assert any(i > 50 for i in indicators), (school.key, ks)
            assert any(20 < i <= 50 for i in indicators), (school.key, ks)
            assert any(i <= 20 for i in indicators), (school.key, ks)
    for s in PLAN.subject_settings:
        su = load_parameters(s.key_stage.value)[s.subject_code].su
        indicator = model.school_indicator(history[(s.school_key, s.key_stage, s.subject_code)], su)
        assert s.benchmark == stored_level(model.intelligent_benchmark(indicator))
    formats = Counter((s.school_key, s.grade_format) for s in PLAN.subject_settings
                      if s.key_stage == KeyStage.KS4)
    a_to_g = {key for key, fmt in formats if fmt is not None and fmt.value == "A*-G"}
    assert len(a_to_g) == 1  # one school grades a couple of subjects A*-G
    assert all(s.grade_format is None for s in PLAN.subject_settings
               if s.key_stage != KeyStage.KS4)


def test_a_teacher_changes_a_few_targets_as_editing_allows():
    plans = {(s.key, y.year_group): y for s in d.SCHOOLS for y in s.years}
    with_targets = {key for key, y in plans.items() if y.targets}
    assert len({school for school, _ in with_targets}) >= 2
    assert all(plans[key].key_stage == KeyStage.KS4 and key[1] == 11 for key in with_targets)
    changes = PLAN.teacher_changes
    assert {(c.school_key, c.year_group) for c in changes} == with_targets
    teachers = {a.login_name: a for a in PLAN.accounts}
    for c in changes:
        assert c.reason
        teacher = teachers[c.teacher]
        assert teacher.organisation_key == c.school_key and teacher.role == Role.TEACHER
        if plans[(c.school_key, c.year_group)].editing == Editing.UPWARDS:
            assert c.up
    assert any(not c.up for c in changes)  # some down where editing allows it


# -- loading: the database ------------------------------------------------------------


async def test_full_demo_loads_then_a_second_run_changes_nothing():
    first = await load_demo()
    assert first.changed
    counts = await _counts()
    assert counts["Organisation"] == 11 and counts["Account"] == len(PLAN.accounts)
    assert counts["Pupil"] == len(PLAN.pupils)
    assert counts["Target"] == first.targets > 0
    assert await Account.filter(status=AccountStatus.ACTIVE).count() == len(PLAN.accounts)
    assert await AdministratorSlot.filter(slot=1).count() == 11
    schools = await Organisation.filter(kind=OrganisationKind.SCHOOL).values(
        "current_academic_year", "local_authority_id", "phase")
    assert {s["current_academic_year"] for s in schools} == {2026}
    assert all(s["local_authority_id"] for s in schools)

    second = await load_demo()
    assert not second.changed, (second.created, second.updated)
    assert await _counts() == counts
    assert second.as_json() == first.as_json()
    assert second.summary() == first.summary()

    data = first.as_json()
    assert set(data) == {"accounts", "schools"}
    ids = {str(o.id): o for o in await Organisation.all()}
    for account in data["accounts"]:
        assert set(account) == {"username", "password", "kind", "organisation", "role",
                                "pupilAccess", "apiToken"}
        org = ids[account["organisation"]["id"]]
        assert account["organisation"] == {"id": str(org.id), "kind": org.kind.name,
                                           "name": org.name, "urn": org.urn,
                                           "laCode": org.la_code}
        if account["kind"] == "administrator":
            assert account["role"] is None and account["pupilAccess"] is None
            assert account["apiToken"] is None
        else:
            assert account["kind"] == "user" and account["pupilAccess"] in {"FULL", "AGGREGATE"}
            assert account["role"] in {r.value for r in Role}
            assert account["apiToken"].startswith("aspire_")
    assert len(data["schools"]) == len(d.SCHOOLS)
    for school in data["schools"]:
        org = await Organisation.get(urn=school["urn"]).prefetch_related(
            "local_authority", "academy_chain")
        assert school["name"] == org.name and school["laCode"] == org.local_authority.la_code
        assert school["academyChainId"] == (str(org.academy_chain.id) if org.academy_chain
                                            else None)
        with_pupils = await Pupil.filter(school=org).distinct().values_list("year_group",
                                                                             flat=True)
        assert sorted(s["yearGroup"] for s in school["sharing"]) == sorted(with_pupils)
        for entry in school["sharing"]:
            row = await YearGroupSettings.get(school=org, key_stage=entry["keyStage"],
                                              year_group=entry["yearGroup"])
            assert (row.pupil_level_with_la, row.aggregate_with_la, row.aggregate_with_chain) \
                == (entry["pupilLevelWithLa"], entry["aggregateWithLa"],
                    entry["aggregateWithChain"])


async def test_targets_are_the_benchmark_grades_with_a_teachers_few_changes():
    result = await load_demo(pupils_per_year=SMALL)
    parameters = load_parameters("KS4")
    plans = {s.key: s for s in d.SCHOOLS}
    targets = await Target.all().prefetch_related("pupil", "subject", "school")
    assert len(targets) == result.targets
    assert {(t.school.urn, t.key_stage, t.year_group) for t in targets} == {
        (plans[key].urn, y.key_stage, y.year_group)
        for key, s in plans.items() for y in s.years if y.targets
    }
    by_urn = {s.urn: s for s in d.SCHOOLS}
    settings = {(s.school_key, s.subject_code): s for s in PLAN.subject_settings
                if s.year_group == 11}
    for school_urn in {t.school.urn for t in targets}:
        school = by_urn[school_urn]
        year = next(y for y in school.years if y.year_group == 11)
        pupils = await Pupil.filter(school__urn=school_urn, year_group=11,
                                    prior_attainment__isnull=False)
        included = [code for (key, code), s in settings.items()
                    if key == school.key and s.included]
        mine = [t for t in targets if t.school.urn == school_urn]
        assert len(mine) == len(pupils) * len(included)  # everyone, every included subject
        for code in included:
            setting = settings[(school.key, code)]
            fmt = setting.grade_format.value
            est = model.estimate(
                parameters, [p.prior_attainment for p in pupils],
                [1.0 if p.gender == "F" else 0.0 for p in pupils],
                model.month_of_school_year([p.date_of_birth.month for p in pupils]),
                levels=engine_level(setting.benchmark), subjects=[code],
                grade_formats={code: fmt},
            )
            scale = est.scales[0]
            expected = {}
            for p, grade in zip(pupils, est.grades()[0], strict=True):
                if year.prepopulate == Prepopulate.BENCHMARK_PLUS_ONE:
                    grade = scale.plus_one(grade)
                expected[p.id] = grade if grade in scale.target_grades else scale.target_grades[0]
            for t in (t for t in mine if t.subject.code == code):
                assert t.prepopulated_grade == expected[t.pupil_id]
                assert t.prepopulated_points == scale.points_of(t.prepopulated_grade)
                assert t.benchmark == setting.benchmark and t.model_version == parameters.version
                assert t.prepopulated == (t.grade == t.prepopulated_grade)
    history = await TargetChange.all().prefetch_related("changed_by")
    prepopulated = [c for c in history if c.kind == TargetChangeKind.PREPOPULATED]
    assert len(prepopulated) == len(targets)
    assert all(c.benchmark and c.model_version == parameters.version for c in prepopulated)
    changed = [c for c in history if c.kind == TargetChangeKind.CHANGED]
    assert 2 <= len(changed) <= len(PLAN.teacher_changes)
    assert {c.reason for c in changed} <= {c.reason for c in PLAN.teacher_changes}
    assert all(c.changed_by.role == Role.TEACHER for c in changed)
    assert sum(not t.prepopulated for t in targets) == len(changed)


async def test_every_listed_api_token_works_for_its_user(client):
    result = await load_demo(pupils_per_year=SMALL)
    users = [a for a in result.as_json()["accounts"] if a["kind"] == "user"]
    assert len(users) == sum(1 for a in PLAN.accounts if a.kind == AccountKind.USER)
    for account in users:
        response = await graphql(client, "{ viewer { username } }", token=account["apiToken"])
        assert response.status_code == 200, response.text
        assert response.json() == {"data": {"viewer": {"username": account["username"]}}}
    assert await ApiToken.filter(name="demo", revoked_at=None).count() == len(users)


async def test_passwords_work_and_are_hashed_once_per_kind_of_organisation(client):
    from server.auth.passwords import verify_password

    result = await load_demo(pupils_per_year=SMALL)
    hashes = await Account.all().values_list("password_hash", flat=True)
    assert len(set(hashes)) == len(OrganisationKind)  # four hashes for 65 accounts
    account = next(a for a in result.as_json()["accounts"] if a["role"] == "Officer")
    row = await Account.get(login_name=account["username"])
    assert await verify_password(row.password_hash, account["password"])
    page = await client.get("/sign-in")
    assert page.status_code == 200
    response = await client.post("/sign-in", data={
        "csrftoken": client.cookies.get("csrftoken"), "loginName": account["username"],
        "password": account["password"]})
    assert response.status_code == 303, response.text


async def test_a_second_run_puts_back_what_drifted_and_keeps_other_rows():
    first = await load_demo(pupils_per_year=SMALL)
    counts = await _counts()
    school = await Organisation.get(urn=d.SCHOOLS[2].urn)
    la = await Organisation.get(la_code=d.LOCAL_AUTHORITIES[0].la_code)
    officer = await Account.filter(organisation=la, kind=AccountKind.USER).first()
    other = await Pupil.create(school=school, upn="B801200005001",
                               forename="Not", surname="Demo", gender="F",
                               date_of_birth=date(2011, 1, 1), year_group=11)
    await YearGroupSettings.filter(school=school, year_group=11).update(aggregate_with_chain=False)
    await Account.filter(id=officer.id).update(password_hash=None, status=AccountStatus.DEACTIVATED)
    await ApiToken.filter(account=officer).update(revoked_at=school.created_at)
    gone = await Pupil.filter(school=school, year_group=10).order_by("id").first()
    await gone.delete()
    target = await Target.filter(school=school, prepopulated=True).order_by("id").first()
    await Target.filter(id=target.id).update(deleted_at=school.created_at)

    second = await load_demo(pupils_per_year=SMALL)
    assert second.changed
    assert second.as_json() == first.as_json()
    assert await _counts() == {**counts, "Pupil": counts["Pupil"] + 1,
                               "TargetChange": counts["TargetChange"] + 1}
    assert await Pupil.filter(id=other.id).exists()  # not the demo's: left alone
    row = await YearGroupSettings.get(school=school, year_group=11)
    assert row.aggregate_with_chain
    officer = await Account.get(id=officer.id)
    assert officer.status == AccountStatus.ACTIVE and officer.password_hash
    assert await ApiToken.filter(account=officer, revoked_at=None).count() == 1
    target = await Target.get(id=target.id)  # pre-populated again, as the settings ask
    assert target.deleted_at is None and target.prepopulated
    again = await TargetChange.filter(target=target).order_by("-id").first()
    assert again.kind == TargetChangeKind.PREPOPULATED and again.new_grade == target.grade

    third = await load_demo(pupils_per_year=SMALL)
    assert not third.changed, (third.created, third.updated)


async def test_a_changed_password_is_put_back_and_its_sessions_end():
    from datetime import UTC, datetime, timedelta

    await load_demo(pupils_per_year=SMALL)
    admin = await Account.get(login_name=PLAN.administrators[d.SCHOOLS[0].key].login_name)
    old_hash = admin.password_hash
    moment = datetime.now(UTC)
    await Account.filter(id=admin.id).update(password_hash="x", password_changed_at=moment)
    await Session.create(id="s" * 64, account=admin, area="admin", csrf_token="c",
                         created_at=moment, last_seen_at=moment,
                         expires_at=moment + timedelta(hours=1))
    result = await load_demo(pupils_per_year=SMALL)
    assert result.updated == {"account": 1}
    admin = await Account.get(id=admin.id)
    assert admin.password_hash == old_hash and admin.password_changed_at == d.PASSWORDS_SET_AT
    assert not await Session.filter(account=admin).exists()


async def test_other_data_under_a_demo_key_stops_the_load():
    la = await Organisation.create(kind=OrganisationKind.LOCAL_AUTHORITY, name="Real LA",
                                   la_code=d.LOCAL_AUTHORITIES[1].la_code)
    await Organisation.create(kind=OrganisationKind.SCHOOL, name="A Real School",
                              urn=d.SCHOOLS[0].urn, local_authority=la)
    with pytest.raises(DemoConflict):
        await load_demo(pupils_per_year=SMALL)
    assert await Organisation.all().count() == 2
    assert await Account.all().count() == 0


async def test_a_database_with_other_organisations_and_no_demo_is_left_alone():
    await Organisation.create(kind=OrganisationKind.LOCAL_AUTHORITY, name="Real LA",
                              la_code="886")
    with pytest.raises(DemoRefused):
        await load_demo(pupils_per_year=SMALL)
    assert await Organisation.all().count() == 1
    assert await Account.all().count() == 0


async def test_with_the_demo_present_other_organisations_do_not_stop_a_check():
    await load_demo(pupils_per_year=SMALL)
    await Organisation.create(kind=OrganisationKind.LOCAL_AUTHORITY, name="Real LA",
                              la_code="886")
    again = await load_demo(pupils_per_year=SMALL)
    assert not again.changed


def _aspire(database: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASPIRE_DATABASE_URL": f"sqlite://{database}"}
    return subprocess.run(
        [str(Path(sys.executable).with_name("aspire")), "demo", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )


def test_the_command_prints_one_json_object_and_nothing_else(tmp_path):
    loaded = _aspire(tmp_path / "demo.sqlite3", "--json")
    assert loaded.returncode == 0, loaded.stderr
    data = json.loads(loaded.stdout)  # nothing but the JSON object on stdout
    assert len(data["accounts"]) == len(PLAN.accounts)
    assert {s["urn"] for s in data["schools"]} == {s.urn for s in d.SCHOOLS}
    assert "created" in loaded.stderr  # the log goes to stderr


async def test_the_summary_names_the_logins_to_start_with():
    result = await load_demo(pupils_per_year=SMALL)
    summary = result.summary()
    for org in (d.OPERATOR, d.SCHOOLS[2], d.LOCAL_AUTHORITIES[0]):
        assert PLAN.administrators[org.key].login_name in summary
        assert demo_password(org.kind.value, SECRET) in summary
    officers = [a for a in PLAN.accounts if a.organisation_key == d.LOCAL_AUTHORITIES[0].key
                and a.role == Role.OFFICER]
    assert len(officers) == 2 and all(a.login_name in summary for a in officers)
    assert "7 schools" in summary and f"{len(result.plan.pupils)} pupils" in summary
    assert f"{result.targets} targets" in summary and result.targets > 0
    assert "aspire demo --json" in summary


async def test_the_sharing_patterns_reach_the_api(client):
    """What LA and chain officers read through the API follows each school's sharing."""
    data = (await load_demo(pupils_per_year=SMALL)).as_json()

    def token(org_name: str, access: str) -> str:
        return next(a["apiToken"] for a in data["accounts"] if a["role"] == "Officer"
                    and a["organisation"]["name"] == org_name and a["pupilAccess"] == access)

    aggregates = "query($ks: KeyStage!, $y: Int!) { targetAggregates(keyStage: $ks, " \
        "yearGroup: $y) { school { urn } } }"
    pupils = "query($urn: String!) { pupilTargets(schoolUrn: $urn, keyStage: KS4, " \
        "yearGroup: 11) { totalCount } }"
    sharing = {(s["urn"], e["yearGroup"]): e for s in data["schools"] for e in s["sharing"]}
    la_of = {s["urn"]: s["laCode"] for s in data["schools"]}
    chain_schools = {s["urn"] for s in data["schools"] if s["academyChainId"]}
    shown = 0
    for who, access, allowed in (
        (d.LOCAL_AUTHORITIES[0], "AGGREGATE",
         lambda urn, e: la_of[urn] == "971" and e["aggregateWithLa"]),
        (d.LOCAL_AUTHORITIES[1], "FULL",
         lambda urn, e: la_of[urn] == "972" and e["aggregateWithLa"]),
        (d.CHAIN, "AGGREGATE", lambda urn, e: urn in chain_schools and e["aggregateWithChain"]),
    ):
        for ks, year in (("KS4", 11), ("KS4", 10), ("KS5", 12)):
            response = await graphql(client, aggregates, {"ks": ks, "y": year},
                                     token=token(who.name, access))
            assert "errors" not in response.json(), response.text
            seen = {row["school"]["urn"] for row in response.json()["data"]["targetAggregates"]}
            expected = {urn for (urn, y), e in sharing.items() if y == year and allowed(urn, e)}
            assert seen == expected, (who.name, ks, year)
            shown += len(seen)
    assert shown >= 6  # each officer sees some schools, never all of them
    # Pupil-level: the Northshire officer with full access reads Kingsbridge (shares
    # everything), never Thornton Park (shares nothing).
    full = token(d.LOCAL_AUTHORITIES[0].name, "FULL")
    kingsbridge = await graphql(client, pupils, {"urn": d.SCHOOLS[2].urn}, token=full)
    assert kingsbridge.json()["data"]["pupilTargets"]["totalCount"] > 0, kingsbridge.text
    thornton = await graphql(client, pupils, {"urn": d.SCHOOLS[5].urn}, token=full)
    assert thornton.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_another_secret_key_gives_new_passwords_and_tokens(monkeypatch, client):
    import dataclasses

    from starlette.datastructures import Secret

    import server.services.demo.loader as loader
    from server.auth.passwords import verify_password

    first = (await load_demo(pupils_per_year=SMALL)).as_json()
    other = dataclasses.replace(loader.get_settings(), secret_key=Secret("another-" + "y" * 40))
    monkeypatch.setattr(loader, "get_settings", lambda: other)
    result = await load_demo(pupils_per_year=SMALL)
    second = result.as_json()
    users = sum(1 for a in PLAN.accounts if a.kind == AccountKind.USER)
    assert result.updated == {"account": len(PLAN.accounts), "api_token": users}
    assert result.created == {"api_token": users}
    for old, new in zip(first["accounts"], second["accounts"], strict=True):
        assert old["username"] == new["username"] and old["password"] != new["password"]
        row = await Account.get(login_name=new["username"])
        assert await verify_password(row.password_hash, new["password"])
        if new["apiToken"]:
            assert new["apiToken"] != old["apiToken"]
    query = "{ viewer { username } }"
    user = next(a for a in second["accounts"] if a["apiToken"])
    old_token = next(a["apiToken"] for a in first["accounts"] if a["username"] == user["username"])
    assert (await graphql(client, query, token=user["apiToken"])).json()["data"]["viewer"]
    refused = await graphql(client, query, token=old_token)
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert not (await load_demo(pupils_per_year=SMALL)).changed


async def test_two_runs_at_once_load_the_demo_once():
    first, second = await asyncio.gather(load_demo(pupils_per_year=SMALL),
                                         load_demo(pupils_per_year=SMALL))
    assert first.as_json() == second.as_json()
    assert await Organisation.all().count() == len(PLAN.organisations)
    assert await Account.all().count() == len(PLAN.accounts)
    assert not (await load_demo(pupils_per_year=SMALL)).changed
