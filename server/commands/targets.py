"""`aspire targets purge`: remove deleted targets past their 30 days (run it daily, e.g. cron)."""

from __future__ import annotations

import argparse
import asyncio


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    targets = subparsers.add_parser("targets", help="target housekeeping")
    commands = targets.add_subparsers(dest="targets_command", required=True)
    purge = commands.add_parser(
        "purge", help="remove targets deleted more than 30 days ago and never restored"
    )
    purge.set_defaults(func=purge_command)


def purge_command(args: argparse.Namespace) -> int:
    from server.cli import with_database
    from server.services.targets.deletion import purge_expired

    removed = asyncio.run(with_database(purge_expired))
    print(f"{removed} deleted target{'' if removed == 1 else 's'} removed for good")
    return 0
