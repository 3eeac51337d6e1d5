"""`crisisbot serve | demo | migrate | export`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from pydantic import ValidationError

from bot.domain.plan import PlanError

log = logging.getLogger("crisisbot")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crisisbot", description="One room, one plan and one story for a crisis.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the bot (Socket Mode when SLACK_APP_TOKEN is set, HTTP otherwise)")
    sub.add_parser("demo", help="run a whole crisis against the built-in Slack emulator and print it")
    sub.add_parser("migrate", help="bring the database to the newest schema")
    sub.add_parser("run", help="serve when Slack credentials are set, else the demo")
    export = sub.add_parser("export", help="write the whole story of a crisis as Markdown")
    export.add_argument("ref", metavar="REF", help="the crisis: its id, its channel id or its channel name")
    export.add_argument("--out", metavar="FILE", help="write to FILE instead of the standard output")
    args = parser.parse_args(argv)

    from bot.logs import configure_logging
    from bot.settings import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"crisisbot: {exc}", file=sys.stderr)
        return 2
    command = args.command
    if command == "run":
        command = "serve" if settings.has_slack_credentials else "demo"
    configure_logging(settings.log_level(command), json=settings.log_json(command),
                      secrets=settings.secret_values())
    try:
        if command == "serve":
            return _serve(settings)
        if command == "migrate":
            return asyncio.run(_migrate(settings))
        if command == "export":
            return asyncio.run(_export(settings, args.ref, args.out))
        from bot.demo import run_demo

        asyncio.run(run_demo(print))
        return 0
    except (ValidationError, PlanError) as exc:
        print(f"crisisbot: {exc}", file=sys.stderr)
        return 2


def _serve(settings) -> int:
    """Serve until SIGTERM or SIGINT; aiohttp then stops listening and runs the app's cleanup, which lets
    acknowledged work finish (up to bot.app.SHUTDOWN_GRACE seconds) before closing Slack and the database."""
    try:
        warnings = settings.check_for_serving()
    except ValueError as exc:
        print(f"crisisbot: {exc}", file=sys.stderr)
        return 2
    from aiohttp import web

    from bot.app import build_web_app

    for warning in warnings:
        log.warning("%s", warning)
    mode = "Socket Mode" if settings.socket_mode else "HTTP"

    def listening(_banner: str) -> None:
        log.info("listening on http://%s:%d (%s)", settings.host, settings.port, mode)

    web.run_app(build_web_app(settings), host=settings.host, port=settings.port,
                access_log=None,  # handlers.request_log writes one line per request instead
                print=listening)
    log.info("stopped")
    return 0


async def _migrate(settings) -> int:
    from storage.engine import make_engine
    from storage.migrate import upgrade

    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print("database is at the newest schema")
    return 0


async def _export(settings, ref: str, out: str | None) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.catalog import Catalog
    from bot.domain.errors import CrisisError
    from bot.export import export

    catalog = Catalog.load(settings.crisisbot_language)
    try:
        markdown = await export(settings, ref, catalog=catalog)
    except CrisisError as exc:
        print(f"crisisbot: {catalog.t(exc.key, **exc.params)}", file=sys.stderr)
        return 2
    except (SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"crisisbot: cannot read the crises from the database ({reason})", file=sys.stderr)
        return 1
    if out is None:
        sys.stdout.write(markdown)
        return 0
    try:
        with open(out, "w", encoding="utf-8") as file:
            file.write(markdown)
    except OSError as exc:
        print(f"crisisbot: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"the story of the crisis is in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
