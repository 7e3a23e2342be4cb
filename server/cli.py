"""The `aspire` command."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import sys

from tortoise import Tortoise

from server.settings import get_settings

# Each module adds its sub-commands with add_parser(subparsers).
COMMAND_MODULES = ("server.commands.model", "server.commands.demo", "server.commands.organisations",
                   "server.commands.pupils", "server.commands.targets", "server.commands.upkeep",
                   "server.commands.estimates")


async def with_database(work):
    """Open the configured database (migrated first) around an async function."""
    from server.database import apply_migrations

    settings = get_settings()
    await apply_migrations(settings.database_url)
    await Tortoise.init(config=settings.tortoise_config())
    try:
        return await work()
    finally:
        await Tortoise.close_connections()


def _serve(args) -> int:
    import uvicorn

    from server.database import apply_migrations
    from server.observability import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level)
    if settings.is_development and not settings.base_url_configured and args.host not in ("0.0.0.0", "::"):  # noqa: S104
        # Links outside a request (and in workers) follow the address served (server/base_url.py).
        os.environ["ASPIRE_SERVED_URL"] = f"http://{args.host}:{args.port}"
    asyncio.run(apply_migrations(settings.database_url))
    logging.getLogger("aspire.security").info(
        "Client addresses from X-Forwarded-For are trusted only from %s (--forwarded-allow-ips); "
        "sign-in limits per address key on the address seen.", args.forwarded_allow_ips,
    )
    uvicorn.run(
        "server.app:create_app", factory=True, host=args.host, port=args.port,
        workers=args.workers, proxy_headers=True, forwarded_allow_ips=args.forwarded_allow_ips,
        access_log=False, log_config=None,
    )
    return 0


def _migrate(args) -> int:
    from server.database import apply_migrations

    asyncio.run(apply_migrations(get_settings().database_url))
    print("Migrations applied.")
    return 0


def _token_create(args) -> int:
    from server.auth.tokens import create_api_token
    from server.models import Account
    from server.models.enums import AccountKind

    async def work() -> int:
        account = await Account.filter(
            login_name=args.username.strip().lower(), kind=AccountKind.USER
        ).first()
        if account is None:
            print(f"No user with login name {args.username!r}.", file=sys.stderr)
            return 1
        plain, _ = await create_api_token(account, args.name)
        print(plain)
        return 0

    return asyncio.run(with_database(work))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aspire", description="Aspire Open")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="apply pending migrations, then serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--forwarded-allow-ips", default="127.0.0.1",
        help="proxies whose X-Forwarded-For gives the client address (sign-in limits per address); "
        "comma-separated addresses, as uvicorn's option",
    )
    serve.set_defaults(func=_serve)

    migrate = commands.add_parser("migrate", help="apply pending migrations")
    migrate.set_defaults(func=_migrate)

    token = commands.add_parser("token", help="API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", help="print a new API token for a user")
    create.add_argument("username")
    create.add_argument("--name", required=True)
    create.set_defaults(func=_token_create)

    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                continue
            raise
        module.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
