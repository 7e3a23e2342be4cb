"""`aspire pupils import|roll-forward` and `aspire value-added import`: a school's pupils,
school years and value-added history from the command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

MAX_PROBLEMS_SHOWN = 50


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    pupils = subparsers.add_parser("pupils", help="a school's pupils and school years")
    commands = pupils.add_subparsers(dest="pupils_command", required=True)

    do_import = commands.add_parser(
        "import", help="check a pupil file (CSV or .xlsx); --confirm to apply it")
    do_import.add_argument("urn", help="the school's 6-digit URN")
    do_import.add_argument("file", type=Path)
    do_import.add_argument("--confirm", action="store_true",
                           help="apply the rows without errors (otherwise only the check)")
    do_import.add_argument("--mark-left", action="store_true",
                           help="with --confirm: pupils missing from the file have left")
    do_import.set_defaults(func=import_command)

    do_ctf = commands.add_parser(
        "import-ctf", help="check a Common Transfer File (the CTF .xml an MIS exports); "
                           "--confirm to apply it")
    do_ctf.add_argument("file", type=Path)
    do_ctf.add_argument("--school", dest="urn", required=True, metavar="URN",
                        help="the school's 6-digit URN")
    do_ctf.add_argument("--confirm", action="store_true",
                        help="apply the pupils without errors (otherwise only the check)")
    do_ctf.add_argument("--mark-left", action="store_true",
                        help="with --confirm: pupils missing from the file have left")
    do_ctf.set_defaults(func=import_command, ctf=True)

    roll = commands.add_parser(
        "roll-forward", help="move the school to the next academic year")
    roll.add_argument("urn", help="the school's 6-digit URN")
    roll.add_argument("--from-year", type=int, metavar="YEAR",
                      help="the academic year to leave, e.g. 2026 for 2026/27; a repeated "
                           "run with the same year is refused (recommended in scripts)")
    roll.add_argument("--dry-run", action="store_true", help="only show what would happen")
    roll.set_defaults(func=roll_forward_command)

    value_added = subparsers.add_parser("value-added", help="a school's value-added history")
    va_commands = value_added.add_subparsers(dest="value_added_command", required=True)
    va_import = va_commands.add_parser(
        "import", help="import value added per subject and year from CSV or .xlsx (upsert)")
    va_import.add_argument("urn", help="the school's 6-digit URN")
    va_import.add_argument("file", type=Path)
    va_import.set_defaults(func=value_added_command)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _read(path: Path) -> bytes | None:
    try:
        with path.open("rb") as f:
            return f.read(5 * 1024 * 1024 + 1)
    except OSError as error:
        print(f"error: cannot read {path}: {error.strerror}", file=sys.stderr)
        return None


def import_command(args: argparse.Namespace) -> int:
    from server.cli import with_database

    data = _read(args.file)
    if data is None:
        return 1
    if args.mark_left and not args.confirm:
        return _fail("--mark-left needs --confirm")

    async def work() -> int:
        from server.services.accounts.audit import Actor
        from server.services.errors import UserInputError
        from server.services.pupils import ctf, importing

        actor = Actor.command_line()
        if getattr(args, "ctf", False) and not ctf.looks_like_xml(data):
            return _fail(f"{args.file} is not a Common Transfer File (an .xml file)")
        try:
            school = await importing.school_by_urn(args.urn)
            pending = await importing.upload_pupil_file(school.id, args.file.name, data, actor)
        except UserInputError as error:
            return _fail(error.message)
        check = await importing.check_import(pending)
        print(f"{school.name} (URN {school.urn}), "
              f"{importing.academic_year_label(pending.academic_year or 0)}: "
              f"{len(pending.rows)} rows in {pending.file_name}")
        print(f"  new pupils {check.new}, updated {check.updated}, unchanged "
              f"{check.unchanged}, rows with problems {check.with_problems}, with warnings "
              f"{check.with_warnings}, current pupils missing from the file {check.missing}")
        shown = 0
        for row in pending.rows:
            for problem in row["problems"]:
                if shown < MAX_PROBLEMS_SHOWN:
                    column = importing.COLUMN_NAMES.get(problem["field"], problem["field"])
                    print(f"  row {row['row']}, {column}: {problem['severity']}: "
                          f"{problem['message']}")
                shown += 1
        if shown > MAX_PROBLEMS_SHOWN:
            print(f"  ... and {shown - MAX_PROBLEMS_SHOWN} more problems")
        if not args.confirm:
            print(f"Nothing imported yet. Run again with --confirm to apply the "
                  f"{len(pending.rows) - check.with_problems} rows without errors.")
            return 0
        try:
            result = await importing.confirm_pupil_import(
                school.id, pending.id, args.mark_left, actor)
        except UserInputError as error:
            return _fail(error.message)
        print(f"Imported: {result.created} new, {result.updated} updated, {result.unchanged} "
              f"unchanged, {result.skipped} rows with problems skipped, {result.marked_left} "
              f"marked as left, {result.prepopulated} targets pre-populated.")
        return 0

    return asyncio.run(with_database(work))


def roll_forward_command(args: argparse.Namespace) -> int:
    from server.cli import with_database

    async def work() -> int:
        from server.services.accounts.audit import Actor
        from server.services.errors import UserInputError
        from server.services.pupils import importing, rollforward

        try:
            school = await importing.school_by_urn(args.urn)
            plan = await rollforward.roll_forward_plan(school.id)
        except UserInputError as error:
            return _fail(error.message)
        print(f"{school.name} (URN {school.urn}): {plan.from_label} to {plan.to_label}")
        for move in plan.moves:
            to = "leave" if move.leaving else f"Year {move.next_year_group}"
            if move.crosses_key_stage:
                to += " (a new key stage: prior attainment cleared)"
            kept = "kept as history" if move.targets_kept_as_history else "move up"
            print(f"  Year {move.year_group}: {move.pupils} pupils -> {to}; "
                  f"{move.targets} targets {kept}")
        if args.dry_run:
            print("Dry run: nothing changed.")
            return 0
        expected = args.from_year if args.from_year is not None else plan.from_year
        try:
            result = await rollforward.roll_forward(school.id, expected, Actor.command_line())
        except UserInputError as error:
            return _fail(error.message)
        print(f"Rolled forward to {importing.academic_year_label(result.to_year)}: "
              f"{result.pupils_moved} pupils moved up, {result.pupils_left} left; "
              f"{result.targets_moved} targets moved, {result.targets_to_history} kept as "
              f"history; prior attainment cleared for {result.prior_attainment_cleared} pupils "
              "starting a new key stage.")
        return 0

    return asyncio.run(with_database(work))


def value_added_command(args: argparse.Namespace) -> int:
    from server.cli import with_database

    data = _read(args.file)
    if data is None:
        return 1

    async def work() -> int:
        from server.services.accounts.audit import Actor
        from server.services.errors import UserInputError
        from server.services.pupils import importing, value_added

        try:
            school = await importing.school_by_urn(args.urn)
            result = await value_added.import_value_added(
                school.id, data, Actor.command_line(), args.file.name)
        except value_added.ValueAddedFileError as error:
            print(f"error: {error.message}", file=sys.stderr)
            for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
                print(f"  row {problem.row}, {problem.field}: {problem.message}",
                      file=sys.stderr)
            return 1
        except UserInputError as error:
            return _fail(error.message)
        print(f"{school.name} (URN {school.urn}): {result.rows} rows imported, "
              f"{result.created} added, {result.updated} updated.")
        return 0

    return asyncio.run(with_database(work))
