"""`aspire demo [--json]`: load the deterministic demo data set into the configured database."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="load the demo data set (idempotent); --json lists every account and school",
        description="Loads a deterministic demo data set into the configured database: "
        "running it again changes nothing and prints the same.",
    )
    demo.add_argument(
        "--json", action="store_true",
        help="print every demo account (password, API token) and school sharing as JSON",
    )
    demo.set_defaults(func=demo_command)


def demo_command(args: argparse.Namespace) -> int:
    from server.cli import with_database
    from server.services.demo.loader import DemoConflict, DemoRefused, load_demo

    # Logs go to stderr: with --json, stdout holds the JSON object and nothing else.
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    try:
        result = asyncio.run(with_database(load_demo))
    except DemoRefused as error:
        print(f"aspire demo: {error}; nothing was changed", file=sys.stderr)
        # `make run` goes on to serve the data that is there; --json has nothing to print.
        return 1 if args.json else 0
    except DemoConflict as error:
        print(f"error: {error}; nothing was changed", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        print(result.summary())
    return 0
