"""The person-creation rule: field limits, email uniqueness, roles, the amber rule, the limit."""

from __future__ import annotations

import asyncio

import pytest

from server.auth.secrets import decrypt
from server.models import Account, Activation, AdministratorSlot, AuditEvent
from server.models.enums import AccountKind, AccountStatus, PupilAccess, Role
from server.services.accounts.people import (
    CODE_PURPOSE,
    PersonInputError,
    add_pending_person,
    new_login_name,
    parse_pupil_access,
    parse_role,
    validate_person,
)
from tests.factories import (
    make_administrator,
    make_chain,
    make_local_authority,
    make_school,
    make_user,
)

USER = AccountKind.USER
ADMIN = AccountKind.ADMINISTRATOR


def fields_of(problems) -> dict[str, str]:
    return {p.field: p.code for p in problems}


async def add_user(
    school,
    email="john.smith@school.org.uk",
    role=Role.TEACHER,
    access=PupilAccess.FULL,
    confirmed=False,
    forename="John",
    surname="Smith",
):
    return await add_pending_person(
        school, USER, forename, surname, email, role, access, None, confirmed
    )


async def test_adds_a_pending_user_with_an_encrypted_code():
    school = await make_school()
    admin = await make_administrator(school)
    account, code = await add_pending_person(
        school,
        USER,
        "  John ",
        " Smith",
        " John.Smith@School.org.uk ",
        Role.TEACHER,
        PupilAccess.AGGREGATE,
        admin,
        False,
    )
    assert account.status == AccountStatus.PENDING
    assert account.login_name == "john.smith@school.org.uk"
    assert (account.forename, account.surname) == ("John", "Smith")
    assert len(code) == 8
    activation = await Activation.get(account=account)
    assert code not in activation.code_encrypted
    assert decrypt(activation.code_encrypted, CODE_PURPOSE) == code
    event = await AuditEvent.get(action="account.created")
    assert event.actor_id == admin.id and event.after["email"] == "John.Smith@School.org.uk"


@pytest.mark.parametrize(
    ("forename", "surname", "email", "expected"),
    [
        ("", "Smith", "a@b.org", {"forename": "REQUIRED"}),
        ("   ", "Smith", "a@b.org", {"forename": "REQUIRED"}),
        ("J" * 51, "Smith", "a@b.org", {"forename": "TOO_LONG"}),
        ("J" * 50, "S" * 51, "a@b.org", {"surname": "TOO_LONG"}),
        ("John", "Smith", "", {"email": "REQUIRED"}),
        ("John", "Smith", "a" * 40 + "@school.org.uk", {"email": "TOO_LONG"}),
        ("John", "Smith", "john.smith", {"email": "INVALID_EMAIL"}),
        ("John", "Smith", "john@localhost", {"email": "INVALID_EMAIL"}),
        ("John", "Smith", "john smith@school.org", {"email": "INVALID_EMAIL"}),
        ("", "", "nope", {"forename": "REQUIRED", "surname": "REQUIRED", "email": "INVALID_EMAIL"}),
    ],
)
async def test_field_limits(forename, surname, email, expected):
    school = await make_school()
    problems = await validate_person(
        school, USER, forename, surname, email, Role.TEACHER, PupilAccess.AGGREGATE
    )
    assert fields_of(problems) == expected
    with pytest.raises(PersonInputError) as raised:
        await add_user(school, email=email, forename=forename, surname=surname)
    assert fields_of(raised.value.problems) == expected
    assert await Account.all().count() == 0


async def test_fifty_characters_are_allowed():
    school = await make_school()
    email = "a" * 36 + "@school.org.uk"
    assert len(email) == 50
    account, _ = await add_user(school, email=email, forename="J" * 50, surname="S" * 50)
    assert account.forename == "J" * 50


async def test_user_email_unique_ignoring_case_and_across_organisations():
    school, other = await make_school(), await make_school()
    await add_user(school, email="john@school.org.uk")
    with pytest.raises(PersonInputError) as raised:
        await add_user(other, email="JOHN@School.org.uk")
    assert fields_of(raised.value.problems) == {"email": "DUPLICATE_EMAIL"}
    assert await Account.all().count() == 1


async def test_administrator_email_unique_among_live_administrators():
    school = await make_school()
    first, _ = await add_pending_person(
        school, ADMIN, "Ann", "Lee", "ann@school.org.uk", None, None, None, False
    )
    problems = await validate_person(school, ADMIN, "Ann", "Lee", "ANN@school.org.uk")
    assert fields_of(problems) == {"email": "DUPLICATE_EMAIL"}
    # the same person may also have a user account of the main site
    assert (
        await validate_person(
            school, USER, "Ann", "Lee", "ann@school.org.uk", Role.TEACHER, PupilAccess.FULL
        )
        == []
    )
    await Account.filter(id=first.id).update(status=AccountStatus.DEACTIVATED)
    await AdministratorSlot.filter(account_id=first.id).delete()
    assert await validate_person(school, ADMIN, "Ann", "Lee", "ann@school.org.uk") == []


async def test_roles_follow_the_organisation_kind():
    school, la, chain = await make_school(), await make_local_authority(), await make_chain()
    assert fields_of(
        await validate_person(la, USER, "A", "B", "a@b.org", Role.TEACHER, PupilAccess.FULL)
    ) == {"role": "INVALID"}
    assert (
        await validate_person(la, USER, "A", "B", "a@b.org", Role.OFFICER, PupilAccess.FULL) == []
    )
    assert fields_of(
        await validate_person(school, USER, "A", "B", "a@b.org", Role.OFFICER, PupilAccess.FULL)
    ) == {"role": "INVALID"}
    assert fields_of(
        await validate_person(chain, USER, "A", "B", "a@b.org", Role.OFFICER, PupilAccess.FULL)
    ) == {"pupilAccess": "INVALID"}
    assert (
        await validate_person(chain, USER, "A", "B", "a@b.org", Role.OFFICER, PupilAccess.AGGREGATE)
        == []
    )
    assert fields_of(await validate_person(school, USER, "A", "B", "a@b.org", None, "")) == {
        "role": "REQUIRED",
        "pupilAccess": "REQUIRED",
    }
    assert fields_of(await validate_person(school, USER, "A", "B", "a@b.org", "Head", "x")) == {
        "role": "INVALID",
        "pupilAccess": "INVALID",
    }


async def test_spreadsheet_words_are_understood():
    assert parse_role("head teacher/senior leader") == Role.HEAD_TEACHER
    assert parse_role("  Data   Manager ") == Role.DATA_MANAGER
    assert parse_role("Caretaker") is None
    assert parse_pupil_access("Full access to pupil data including suppressed/sensitive items") == (
        PupilAccess.FULL
    )
    assert parse_pupil_access("aggregate") == PupilAccess.AGGREGATE


async def test_governor_with_full_access_needs_confirmation():
    school = await make_school()
    problems = await validate_person(
        school, USER, "A", "B", "gov@b.org", Role.GOVERNOR, PupilAccess.FULL
    )
    assert fields_of(problems) == {"pupilAccess": "CONFIRMATION_REQUIRED"}
    assert "It is not usual practice to give pupil information" in problems[0].message
    with pytest.raises(PersonInputError):
        await add_user(school, email="gov@b.org", role=Role.GOVERNOR)
    account, _ = await add_user(school, email="gov@b.org", role=Role.GOVERNOR, confirmed=True)
    assert account.pupil_access == PupilAccess.FULL
    assert (
        await validate_person(
            school, USER, "A", "B", "gov2@b.org", Role.GOVERNOR, PupilAccess.AGGREGATE
        )
        == []
    )


async def test_generated_login_names_are_random_and_plain():
    names = {new_login_name() for _ in range(200)}
    assert len(names) == 200
    assert all(len(n) == 10 and n.isalnum() and n.islower() and n[0].isalpha() for n in names)


async def test_administrator_limit_counts_pending_and_active():
    school = await make_school()
    await make_administrator(school)
    pending, _ = await add_pending_person(
        school, ADMIN, "Ann", "Lee", "ann@school.org.uk", None, None, None, False
    )
    assert pending.login_name not in ("ann", "annlee") and "@" not in pending.login_name
    with pytest.raises(PersonInputError) as raised:
        await add_pending_person(
            school, ADMIN, "Bob", "Ray", "bob@school.org.uk", None, None, None, False
        )
    assert raised.value.code == "ADMINISTRATOR_LIMIT"
    assert "already has 2 administrators" in raised.value.message
    assert await Account.filter(kind=ADMIN).count() == 2
    # a different school has its own limit
    other = await make_school()
    await add_pending_person(
        other, ADMIN, "Bob", "Ray", "bob@school.org.uk", None, None, None, False
    )


async def test_concurrent_administrators_exactly_the_limit_survive():
    school = await make_school()
    attempts = [
        add_pending_person(
            school, ADMIN, "Admin", f"N{i}", f"admin{i}@school.org.uk", None, None, None, False
        )
        for i in range(6)
    ]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    made = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(made) == 2
    assert all(isinstance(r, PersonInputError) and r.code == "ADMINISTRATOR_LIMIT" for r in refused)
    assert await Account.filter(kind=ADMIN, organisation=school).count() == 2
    assert sorted(
        await AdministratorSlot.filter(organisation=school).values_list("slot", flat=True)
    ) == [1, 2]


async def test_concurrent_users_with_one_email_make_one_account():
    school = await make_school()
    results = await asyncio.gather(
        *[add_user(school, email="same@school.org.uk") for _ in range(4)], return_exceptions=True
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, PersonInputError) for r in results if isinstance(r, BaseException))
    assert await Account.all().count() == 1


async def test_inside_a_callers_transaction_a_refusal_leaves_it_usable():
    from tortoise.transactions import in_transaction

    school = await make_school()
    await make_user(school, email="taken@school.org.uk")
    async with in_transaction() as connection:
        await add_pending_person(
            school,
            USER,
            "A",
            "B",
            "one@school.org.uk",
            Role.TEACHER,
            PupilAccess.AGGREGATE,
            None,
            False,
            connection=connection,
        )
        with pytest.raises(PersonInputError):
            await add_pending_person(
                school,
                USER,
                "A",
                "B",
                "TAKEN@school.org.uk",
                Role.TEACHER,
                PupilAccess.AGGREGATE,
                None,
                False,
                connection=connection,
            )
        await add_pending_person(
            school,
            USER,
            "A",
            "B",
            "two@school.org.uk",
            Role.TEACHER,
            PupilAccess.AGGREGATE,
            None,
            False,
            connection=connection,
        )
    assert await Account.filter(status=AccountStatus.PENDING).count() == 2


async def test_concurrent_administrators_with_one_email_make_one():
    schools = [await make_school() for _ in range(4)]
    results = await asyncio.gather(
        *[
            add_pending_person(school, ADMIN, "Ann", "Lee", f"{'ANN' if i % 2 else 'ann'}@x.org.uk",
                               None, None, None, False)
            for i, school in enumerate(schools)
        ],
        return_exceptions=True,
    )
    made = [r for r in results if not isinstance(r, BaseException)]
    assert len(made) == 1, results
    assert all(isinstance(r, PersonInputError) and r.code == "DUPLICATE_EMAIL"
               for r in results if isinstance(r, BaseException))
    assert await Account.filter(kind=ADMIN).count() == 1
