"""`aspire organisation create` and `aspire administrator invite`: the operator's set-up."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

KINDS = {"school": "school", "local-authority": "local_authority", "academy-chain": "academy_chain"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    organisation = subparsers.add_parser("organisation", help="organisations (operator set-up)")
    commands = organisation.add_subparsers(dest="organisation_command", required=True)
    create = commands.add_parser("create", help="create a school, local authority or academy chain")
    create.add_argument("--kind", required=True, choices=sorted(KINDS))
    create.add_argument("--name", required=True)
    create.add_argument("--urn", help="a school's 6-digit URN")
    create.add_argument("--la-code", help="a local authority's 3-digit LA code")
    create.add_argument(
        "--la", "--la-urn", dest="la", metavar="LA_CODE", help="a school's local authority, by its LA code"
    )
    create.add_argument("--chain", type=int, metavar="ID", help="a school's academy chain id")
    create.add_argument("--phase", help="a school's phase, e.g. primary or secondary")
    create.set_defaults(func=create_command)

    administrator = subparsers.add_parser("administrator", help="administrators (operator set-up)")
    admin_commands = administrator.add_subparsers(dest="administrator_command", required=True)
    invite = admin_commands.add_parser(
        "invite", help="add a pending administrator and print the login name, code and link"
    )
    invite.add_argument("organisation_id", type=int, metavar="ORGANISATION_ID")
    invite.add_argument("--forename", required=True)
    invite.add_argument("--surname", required=True)
    invite.add_argument("--email", required=True)
    invite.set_defaults(func=invite_command)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def create_command(args: argparse.Namespace) -> int:
    from server.cli import with_database

    kind = KINDS[args.kind]
    name = " ".join(args.name.split())
    if not name or len(name) > 200:
        return _fail("--name must be 1 to 200 characters")
    if kind == "school":
        if not args.urn or not re.fullmatch(r"\d{6}", args.urn):
            return _fail("a school needs --urn with 6 digits")
        if not args.la:
            return _fail("a school needs --la LA_CODE (its local authority)")
    elif args.urn or args.la or args.chain:
        return _fail("--urn, --la and --chain are for schools only")
    if kind == "local_authority" and (not args.la_code or not re.fullmatch(r"\d{3}", args.la_code)):
        return _fail("a local authority needs --la-code with 3 digits")
    if kind != "local_authority" and args.la_code:
        return _fail("--la-code is for local authorities only")

    async def work() -> int:
        from tortoise.transactions import in_transaction

        from server.models import Organisation
        from server.models.enums import OrganisationKind
        from server.services.accounts.audit import Actor, record

        values: dict = {"kind": OrganisationKind(kind), "name": name}
        if kind == "school":
            if await Organisation.filter(urn=args.urn).exists():
                return _fail(f"an organisation with URN {args.urn} already exists")
            la = await Organisation.filter(kind=OrganisationKind.LOCAL_AUTHORITY, la_code=args.la).first()
            if la is None:
                return _fail(f"no local authority with LA code {args.la}: create it first")
            values.update(urn=args.urn, local_authority=la, phase=args.phase)
            if args.chain is not None:
                chain = await Organisation.filter(id=args.chain, kind=OrganisationKind.ACADEMY_CHAIN).first()
                if chain is None:
                    return _fail(f"no academy chain with id {args.chain}")
                values["academy_chain"] = chain
        if kind == "local_authority":
            if await Organisation.filter(la_code=args.la_code).exists():
                return _fail(f"an organisation with LA code {args.la_code} already exists")
            values["la_code"] = args.la_code
        async with in_transaction() as connection:
            organisation = await Organisation.create(**values, using_db=connection)
            await record(
                Actor.command_line(),
                "organisation.created",
                organisation.id,
                after={"kind": kind, "name": name, "urn": values.get("urn"), "laCode": values.get("la_code")},
                connection=connection,
            )
        print(f"Created {args.kind} {organisation.name!r} with id {organisation.id}.")
        print(
            f"Invite its first administrator: aspire administrator invite {organisation.id} "
            "--forename F --surname S --email E"
        )
        return 0

    return asyncio.run(with_database(work))


def invite_command(args: argparse.Namespace) -> int:
    from server.cli import with_database

    async def work() -> int:
        from server.models import Activation, Organisation
        from server.models.enums import AccountKind, OrganisationKind
        from server.services.accounts.activation import deliver_verification
        from server.services.accounts.people import add_pending_person
        from server.services.errors import UserInputError

        organisation = await Organisation.filter(id=args.organisation_id).first()
        if organisation is None or organisation.kind == OrganisationKind.OPERATOR:
            return _fail(f"no school, local authority or academy chain with id {args.organisation_id}")
        try:
            account, code = await add_pending_person(
                organisation,
                AccountKind.ADMINISTRATOR,
                args.forename,
                args.surname,
                args.email,
                None,
                None,
                None,
                False,
            )
        except UserInputError as error:
            problems = getattr(error, "problems", [error])
            for problem in problems:
                print(f"error: {problem.field or 'administrator'}: {problem.message}", file=sys.stderr)
            return 1
        sent, link = await deliver_verification(account.id, keep_link_on_failure=True)
        activation = await Activation.get(account_id=account.id)
        print(f"Administrator {account.forename} {account.surname} added to {organisation.name}.")
        print(f"Login name:      {account.login_name}")
        print(f"Activation code: {code}")
        print(f"Sign-up link:    {link}")
        print(
            f"                 (also emailed to {account.email}; reference "
            f"{activation.link_reference}; expires {activation.link_expires_at:%d/%m/%Y %H:%M} UTC)"
        )
        if not sent:
            print(
                f"warning: the sign-up email was not sent ({activation.email_error}); "
                "an administrator can Resend it from Pending users",
                file=sys.stderr,
            )
        print(
            "Give the activation code to the person by another route (letter, phone or in "
            "person): it is not in the email."
        )
        return 0

    return asyncio.run(with_database(work))
