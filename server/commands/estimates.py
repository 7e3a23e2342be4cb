"""`aspire estimates load|list|apply|rollback`: versions of the national estimates (operator).

Loading a version changes no school; `apply` makes it a school's (or every school's)
national estimates, each school in its own transaction as its administrators would.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from pathlib import Path

from server.commands.model import _key_stage


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    estimates = subparsers.add_parser("estimates", help="versions of the national estimates")
    commands = estimates.add_subparsers(dest="estimates_command", required=True)

    load = commands.add_parser("load", help="load a parameters file as a new version "
                               "(applied to no school)")
    load.add_argument("file", type=Path, help="model parameters (JSON, as parameters/ks4.json)")
    load.add_argument("--label", required=True, help='e.g. "2026 national data"')
    load.set_defaults(func=load_command)

    listing = commands.add_parser("list", help="the versions loaded per key stage")
    listing.set_defaults(func=list_command)

    for name, what in (("apply", "apply a loaded version"), ("rollback", "roll back the last apply")):
        command = commands.add_parser(name, help=f"{what} for one school or every school")
        command.add_argument("--key-stage", type=_key_stage, required=True)
        if name == "apply":
            command.add_argument("--version", dest="model_version", required=True)
        which = command.add_mutually_exclusive_group(required=True)
        which.add_argument("--school", metavar="URN", help="the school's URN")
        which.add_argument("--all-schools", action="store_true")
        command.set_defaults(func=change_command, rolling_back=name == "rollback")


def load_command(args: argparse.Namespace) -> int:
    from server.cli import with_database
    from server.services.errors import UserInputError
    from server.services.estimates import versions

    try:
        data = json.loads(args.file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"error: {args.file}: {error}", file=sys.stderr)
        return 1
    try:
        loaded = asyncio.run(with_database(
            lambda: versions.load_version(data, args.label, f"{getpass.getuser()} (command line)")))
    except UserInputError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    print(f"Loaded {loaded.key_stage.value} national estimates {loaded.title}; no school's "
          "estimates changed until it is applied.")
    return 0


def list_command(args: argparse.Namespace) -> int:
    from server.cli import with_database
    from server.models.enums import KeyStage
    from server.services.estimates import versions

    async def work():
        return [v for ks in KeyStage for v in await versions.list_versions(ks)]

    for v in asyncio.run(with_database(work)):
        when = v.loaded_at.isoformat(timespec="seconds") if v.loaded_at else "shipped"
        print(f"{v.key_stage.value}\t{v.version}\t{v.label}\t{when}")
    return 0


def change_command(args: argparse.Namespace) -> int:
    from server.cli import with_database
    from server.models import Organisation
    from server.models.enums import AccessVia, KeyStage, OrganisationKind
    from server.services.accounts.audit import Actor
    from server.services.errors import UserInputError
    from server.services.targets import estimate_versions

    ks = KeyStage(args.key_stage.value)
    actor = Actor(account=None, via=AccessVia.COMMAND_LINE)

    async def work() -> int:
        schools = Organisation.filter(kind=OrganisationKind.SCHOOL).order_by("urn")
        if args.school:
            schools = schools.filter(urn=args.school)
        found = await schools
        if not found:
            print(f"error: no school with URN {args.school}", file=sys.stderr)
            return 1
        failed = 0
        for school in found:
            try:
                if args.rolling_back:
                    done = await estimate_versions.roll_back(school.id, ks, actor)
                else:
                    done = await estimate_versions.apply_version(school.id, ks,
                                                                 args.model_version, actor)
            except UserInputError as error:
                failed += 1
                print(f"{school.urn} {school.name}: {error.message}", file=sys.stderr)
                continue
            print(f"{school.urn} {school.name}: {ks.value} national estimates "
                  f"{done.school_version.applied.title}, {done.prepopulated} targets "
                  "pre-populated again")
        return 1 if failed == len(found) else 0

    return asyncio.run(with_database(work))
