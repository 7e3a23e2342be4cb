"""Red and amber rows: the person rules of the accounts service plus the batch's own."""

from __future__ import annotations

from server.models import Organisation
from server.models.enums import AccountKind, AccountStatus, BatchKind
from server.observability import count_sql
from server.services.accounts import people
from server.services.batches.checking import (
    AMBER,
    RED,
    check_rows,
    emails_in_use,
    is_amber,
    is_red,
)
from server.services.batches.store import remaining_rows
from tests.batches import files
from tests.batches.helpers import batch_of
from tests.factories import make_administrator, make_chain, make_school, make_user


async def problems_of(admin, rows, kind=BatchKind.USERS):
    batch = await batch_of(admin, rows, kind)
    organisation = await Organisation.get(id=admin.organisation_id)
    found = await remaining_rows(batch.id)
    checked = await check_rows(organisation, kind, found)
    return [checked[r.id] for r in found]


def codes(problems, severity=RED):
    return {(p.field, p.code) for p in problems if p.severity == severity}


async def test_valid_rows_have_no_problems_and_short_forms_are_accepted():
    admin = await make_administrator(await make_school())
    result = await problems_of(admin, [
        files.person(1, "Teacher", files.AGGREGATE),
        files.person(2, "head teacher/senior leader", "full"),
        files.person(3, "  Data   Manager ", "Aggregate"),
    ])
    assert result == [[], [], []]


async def test_red_fields_each_explained():
    admin = await make_administrator(await make_school())
    taken = await make_user(await admin.organisation, email="taken@school.example.org")
    result = await problems_of(admin, [
        ["A" * 51, "", "not-an-email", "Caretaker", "some"],
        ["Ann", "B" * 51, taken.email.upper(), "Officer", "full"],
        ["=HYPERLINK(\"x\")", "Lee", "a" * 40 + "@school.example.org", "", ""],
        ["Zoë", "Lee", "zoë@exämple.org", "Teacher", "full"],
    ])
    assert codes(result[0]) == {("forename", "TOO_LONG"), ("surname", "REQUIRED"),
                                ("email", "INVALID_EMAIL"), ("role", "INVALID"),
                                ("pupilAccess", "INVALID")}
    assert codes(result[1]) == {("surname", "TOO_LONG"), ("email", "DUPLICATE_EMAIL"),
                                ("role", "INVALID")}  # Officer is not a school role
    assert codes(result[2]) == {("forename", "FORMULA"), ("email", "TOO_LONG"),
                                ("role", "REQUIRED"), ("pupilAccess", "REQUIRED")}
    assert codes(result[3]) == {("email", "INVALID_EMAIL")}  # no SMTPUTF8 local parts
    for problems in result:
        assert is_red(problems)
        assert all(p.message for p in problems)


async def test_duplicates_in_the_file_are_red_on_every_copy():
    admin = await make_administrator(await make_school())
    result = await problems_of(admin, [
        ["Ann", "Lee", "same@school.example.org", "Teacher", "full"],
        ["Bo", "Khan", "other@school.example.org", "Teacher", "full"],
        ["Ann", "Lee", " SAME@school.example.org ", "Teacher", "full"],
    ])
    assert codes(result[0]) == {("email", "DUPLICATE_IN_FILE")}
    assert "row 4" in result[0][0].message
    assert result[1] == []
    assert "row 2" in result[2][0].message


async def test_governor_with_full_access_is_amber_not_red():
    admin = await make_administrator(await make_school())
    result = await problems_of(admin, [files.person(1, "Governor", files.FULL),
                                       files.person(2, "Governor", files.AGGREGATE)])
    assert codes(result[0], AMBER) == {("pupilAccess", "CONFIRMATION_REQUIRED")}
    assert is_amber(result[0]) and not is_red(result[0])
    assert "not usual practice" in result[0][0].message
    assert result[1] == []


async def test_roles_depend_on_the_organisation_kind():
    chain_admin = await make_administrator(await make_chain())
    result = await problems_of(chain_admin, [files.person(1, "Officer", "aggregate"),
                                             files.person(2, "Teacher", "aggregate"),
                                             files.person(3, "Officer", "full")])
    assert result[0] == []
    assert codes(result[1]) == {("role", "INVALID")}
    assert codes(result[2]) == {("pupilAccess", "INVALID")}  # chains are aggregate only


async def test_administrator_rows_beyond_the_limit_are_red():
    school = await make_school()
    admin = await make_administrator(school)
    rows = [["Ann", "Lee", "ann@school.example.org"], ["Bo", "Khan", "bad"],
            ["Cy", "Day", "cy@school.example.org"], ["Di", "Eve", "di@school.example.org"]]
    result = await problems_of(admin, rows, BatchKind.ADMINISTRATORS)
    assert result[0] == []  # one slot left of two
    assert codes(result[1]) == {("email", "INVALID_EMAIL")}  # red rows take no slot
    assert codes(result[2]) == {(None, "ADMINISTRATOR_LIMIT")}
    assert codes(result[3]) == {(None, "ADMINISTRATOR_LIMIT")}


async def test_emails_in_use_agrees_with_the_accounts_service():
    school = await make_school()
    admin = await make_administrator(school)
    await make_user(school, email="user@school.example.org")
    await make_user(school, email="gone@school.example.org", status=AccountStatus.DEACTIVATED)
    old_admin = await make_administrator(school)
    await old_admin.filter(id=old_admin.id).update(status=AccountStatus.DEACTIVATED)
    candidates = ["user@school.example.org", "USER@School.example.org", "gone@school.example.org",
                  admin.email, admin.email.upper(), old_admin.email, "new@school.example.org"]
    for kind in (AccountKind.USER, AccountKind.ADMINISTRATOR):
        found = await emails_in_use(kind, candidates)
        for address in candidates:
            expected = await people.email_in_use(kind, address)
            assert (address.lower() in found) == expected, (kind, address)


async def test_checking_a_full_batch_reads_the_database_a_fixed_number_of_times():
    admin = await make_administrator(await make_school())
    for kind, rows in ((BatchKind.USERS, files.rows_of_people(100)),
                       (BatchKind.ADMINISTRATORS, [r[:3] for r in files.rows_of_people(100)])):
        batch = await batch_of(admin, rows, kind)
        organisation = await Organisation.get(id=admin.organisation_id)
        found = await remaining_rows(batch.id)
        with count_sql() as counted:
            await check_rows(organisation, kind, found)
        assert counted.value <= 2, counted.value
