"""`aspire maintain`: scheduled upkeep (expired sessions, old counters, purges), for cron."""

from __future__ import annotations

import argparse
import asyncio
import json


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    maintain = subparsers.add_parser(
        "maintain",
        help="remove expired sessions, old throttle counters, deleted targets and batch rows past "
        "30 days, unconfirmed pupil imports and expired links (what aspire serve runs hourly), "
        "then queue and send due change notifications (webhooks)",
    )
    maintain.add_argument("--json", action="store_true", help="print what was removed as JSON")
    maintain.set_defaults(func=maintain_command)


def maintain_command(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from server.cli import with_database
    from server.observability import configure_logging
    from server.services.audit import Actor
    from server.services.upkeep import run_upkeep
    from server.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level)

    async def work():
        from server.services.webhooks.run import run_webhooks

        upkeep = await run_upkeep(Actor.command_line(), timedelta(minutes=settings.session_idle_minutes))
        # Change notifications too, for a server run without its worker (or with none running).
        return upkeep, await run_webhooks()

    result, (queued, sent) = asyncio.run(with_database(work))
    if args.json:
        print(json.dumps({"ran": result.ran, "removed": result.removed, "reason": result.reason,
                          "webhooks": {"queued": queued, **sent.counts}}))
    else:
        print(result.summary())
        print(f"Change notifications: {queued} queued, "
              + ", ".join(f"{n} {what}" for what, n in sent.counts.items()) + ".")
    return 0 if result.ran else 3
