"""`crisisbot serve | demo | migrate | export | run`.

A setting, a plan or a database that cannot work is told on standard error in plain lines, each starting
with `crisisbot:` or the plan file's name, with exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import os
import sys
from pathlib import Path

from bot.domain.plan import PlanError

log = logging.getLogger("crisisbot")

DEMO_DATABASE = Path("crisisbot-demo.db")

SETTINGS_READ = """\
settings:  from the environment, then from .env in the current folder (see .env.example)"""

HELP = {
    "serve": ("run the bot for a real workspace", f"""\
Serves a real Slack workspace: Socket Mode when SLACK_APP_TOKEN is set, HTTP otherwise (Slack posts to
POST /slack/events). Listens on HOST:PORT either way, for GET /healthz and POST /alerts/{{source}}. Migrates
the database at DATABASE_URL to the newest schema first. Stops on SIGTERM or Ctrl-C, once the work Slack
was told about is done.""", f"""\
{SETTINGS_READ}
needs:     SLACK_BOT_TOKEN; SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode): real values,
           not placeholders
reads:     DATABASE_URL, HOST, PORT, SLACK_API_URL, CRISISBOT_PLAN, CRISISBOT_MANAGERS_CHANNEL,
           CRISISBOT_LANGUAGE, CRISISBOT_ALERT_TOKEN, CRISISBOT_ADMINS, CRISISBOT_LOG_FORMAT, CRISISBOT_LOG_LEVEL…
prints:    logs on standard error (one JSON object a line unless CRISISBOT_LOG_FORMAT=text); nothing on
           standard output
exit code: 0 when stopped, 2 when a setting, the plan or the database cannot work (one line each)"""),
    "demo": ("run a whole crisis against the built-in Slack emulator and print it", """\
Plays a whole crisis (open, roles, situation report, the five phases, close) against the built-in Slack
emulator, on a clock that moves with the story, and prints what each person and channel sees. Needs no
Slack credentials and no network beyond this machine.""", f"""\
database:  a fresh SQLite file each run, kept afterwards ({DEMO_DATABASE} in the current folder unless
           --database says otherwise); its last lines show the `crisisbot export` command for its story
reads:     nothing from Slack; CRISISBOT_LOG_LEVEL and CRISISBOT_LOG_FORMAT for its logs (WARNING, text);
           the other settings are checked but not used
prints:    the transcript on standard output; logs on standard error
exit code: 0 when the story is told, 2 when a setting cannot work (one line each)"""),
    "migrate": ("bring the database to the newest schema", """\
Applies the Alembic revisions the database at DATABASE_URL lacks (one replica at a time on PostgreSQL).
`crisisbot serve` does this at start too; run it on its own before a deploy, or to create a database that
`crisisbot export` can read.""", f"""\
{SETTINGS_READ}
reads:     DATABASE_URL (default sqlite+aiosqlite:///./crisisbot.db)
prints:    "database is at the newest schema" on standard output; logs on standard error
exit code: 0 when done, 2 when the database cannot be reached (one line saying why)"""),
    "export": ("write the whole story of a crisis as Markdown", """\
Writes the whole story of one crisis as Markdown: what happened, who responded, how it unfolded against
the golden hour, every moment and alert, and what was learned. Reads the bot's database; changes nothing.""",
               f"""\
{SETTINGS_READ}
reads:     DATABASE_URL (the bot's database), CRISISBOT_PLAN, CRISISBOT_LANGUAGE
prints:    the Markdown on standard output, or to FILE with --out
exit code: 0 when written, 2 for an unknown crisis or a database that is not the bot's
example:   DATABASE_URL=sqlite+aiosqlite:///{DEMO_DATABASE} crisisbot export 1"""),
    "run": ("serve when Slack credentials are set, else the demo", """\
`crisisbot serve` when SLACK_BOT_TOKEN (and SLACK_SIGNING_SECRET in HTTP mode) are set, `crisisbot demo`
otherwise. What `make run` does.""", SETTINGS_READ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crisisbot", description="One room, one plan and one story for a crisis, in Slack.",
        epilog="`crisisbot <command> --help` says what each command does, reads and prints.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands = {}
    for name, (short, description, epilog) in HELP.items():
        commands[name] = sub.add_parser(name, help=short, description=description, epilog=epilog,
                                        formatter_class=argparse.RawDescriptionHelpFormatter)
    commands["demo"].add_argument("--database", metavar="FILE", type=Path, default=DEMO_DATABASE,
                                  help=f"the SQLite file the demo starts afresh and keeps (default: {DEMO_DATABASE})")
    from bot.settings import available_languages  # light: bot.demo (the emulator, the app) is imported to run

    languages = available_languages()
    commands["demo"].add_argument("--lang", choices=languages, default=None, metavar="LANG",
                                  help=f"the language the crisis is told in: {', '.join(languages)} "
                                       "(default: CRISISBOT_LANGUAGE, else en)")
    export = commands["export"]
    export.add_argument("ref", metavar="REF", help="the crisis: its id, its channel id or its channel name")
    export.add_argument("--out", metavar="FILE", help="write to FILE instead of the standard output")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    from bot.logs import configure_logging
    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as exc:
        return _refuse(*exc.lines)
    command = args.command
    if command == "run":
        command = "serve" if settings.has_slack_credentials else "demo"
    configure_logging(settings.log_level(command), json=settings.log_json(command),
                      secrets=settings.secret_values())
    if command != "demo":
        from storage.engine import sqlite_cannot_open

        if (why := sqlite_cannot_open(settings.database_url)) is not None:
            return _refuse(why)
    try:
        if command == "serve":
            return _serve(settings)
        if command == "migrate":
            return asyncio.run(_migrate(settings))
        if command == "export":
            return asyncio.run(_export(settings, args.ref, args.out))
        from bot.demo import demo_languages, run_demo

        lang = getattr(args, "lang", None) or settings.crisisbot_language  # `make run` without credentials too
        if lang not in demo_languages():  # a catalog that came without a story for the demo
            return _refuse(f"the demo is told in {', '.join(demo_languages())}, not in {lang}")
        asyncio.run(run_demo(print, database=getattr(args, "database", DEMO_DATABASE), lang=lang))
        return 0
    except PlanError as exc:
        count = len(exc.problems)
        print(f"crisisbot: the crisis plan has {count} problem{'s' if count != 1 else ''}"
              f"{' (CRISISBOT_PLAN)' if exc.source and exc.source != 'the default plan' else ''}:", file=sys.stderr)
        for line in exc.lines():
            print(line, file=sys.stderr)
        return 2
    except SettingsError as exc:
        return _refuse(*exc.lines)
    except Exception as exc:
        from storage.engine import describe_database_error
        from storage.migrate import SchemaNotReady

        if isinstance(exc, SchemaNotReady):
            return _refuse(str(exc))
        from slack_sdk.errors import SlackApiError

        if isinstance(exc, SlackApiError):  # Socket Mode connects at start
            return _refuse(f"Slack refused to connect ({exc.response.get('error')}): check SLACK_APP_TOKEN "
                           "(an app-level token with connections:write) and SLACK_BOT_TOKEN")
        line = describe_database_error(exc, settings.database_url)
        if line is None:
            raise
        return _refuse(line)


def _refuse(*lines: str) -> int:
    for line in lines:
        print(f"crisisbot: {line}", file=sys.stderr)
    return 2


def _serve(settings) -> int:
    """Serve until SIGTERM or SIGINT; aiohttp then stops listening and runs the app's cleanup, which lets
    acknowledged work finish (up to bot.app.SHUTDOWN_GRACE seconds) before closing Slack and the database."""
    try:
        warnings = settings.check_for_serving()
    except ValueError as exc:
        return _refuse(str(exc))
    from bot import serve
    from bot.app import build_web_app

    for warning in warnings:
        log.warning("%s", warning)
    mode = "Socket Mode" if settings.socket_mode else "HTTP"

    def listening(_banner: str) -> None:
        log.info("listening on http://%s:%d (%s)", settings.host, settings.port, mode)

    app = build_web_app(settings)  # reads the plan: an invalid one is refused before anything starts
    if (taken := _cannot_listen(settings.host, settings.port)) is not None:
        return _refuse(f"cannot listen on {settings.host}:{settings.port} ({taken}): choose another PORT or HOST")
    try:
        serve.run(app, settings.host, settings.port, serve.Limits(
            header_seconds=settings.crisisbot_header_timeout_seconds,
            keepalive_seconds=settings.crisisbot_keepalive_seconds,
            max_idle=settings.crisisbot_max_idle_connections),
            listening, access_log=None)  # handlers.request_log writes one line per request instead
    except OSError as exc:
        from storage.engine import describe_database_error

        if describe_database_error(exc, settings.database_url) or exc.errno not in LISTEN_ERRORS:
            raise
        return _refuse(f"cannot listen on {settings.host}:{settings.port} ({exc.strerror.lower()}): "
                       "choose another PORT or HOST")
    log.info("stopped")
    return 0


LISTEN_ERRORS = (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES)


def _cannot_listen(host: str, port: int) -> str | None:
    """Why HOST:PORT cannot be listened on (checked before anything starts), or None."""
    import socket

    try:
        with socket.create_server((host, port), reuse_port=False):
            return None
    except socket.gaierror:
        return "no such host"
    except OSError as exc:
        return os.strerror(exc.errno).lower() if exc.errno else str(exc)


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
    from bot.catalog import Catalog
    from bot.domain.errors import CrisisError
    from bot.export import export

    catalog = Catalog.load(settings.crisisbot_language)
    try:
        markdown = await export(settings, ref)  # in the crisis's language
    except CrisisError as exc:
        return _refuse(catalog.t(exc.key, **exc.params))
    if out is None:
        sys.stdout.write(markdown)
        return 0
    try:
        with open(out, "w", encoding="utf-8") as file:
            file.write(markdown)
    except OSError as exc:
        return _refuse(f"cannot write {out}: {exc.strerror}")
    print(f"the story of the crisis is in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
