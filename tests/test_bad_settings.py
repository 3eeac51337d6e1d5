"""Bad settings, unreachable or foreign databases, and Slack refusing the token: a plain line each, never a
traceback. The command line is run as a real process (or `bot.cli.main`) with only the environment it is
given; `/healthz` is asked through the emulator with an injected `auth.test` fault."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from bot.cli import main
from handlers.web import SLACK_HEALTH

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [["serve"], ["demo"], ["migrate"], ["export", "1"], ["run"]]
JARGON = ("Traceback", "validation error", "pydantic", "errors.pydantic.dev", "Value error", "Input should")
# Values that pass the serving checks, so `serve` gets as far as the setting under test.
REAL = {"SLACK_BOT_TOKEN": "xoxb-2093847561-5738291046-Qm7vT2kLp9ZrX4wN8bHc1JdF",
        "SLACK_SIGNING_SECRET": "8f3a91c2d7e64b05a1f9c3e8d2b7a640", "CRISISBOT_ALERT_TOKEN": "Zr8q2Lw5Vn1Kx7Pc"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def crisisbot(*args: str, cwd: Path, timeout: float = 90, **env: str) -> subprocess.CompletedProcess:
    """`crisisbot <args>` as a process, in `cwd` (no .env there), with nothing inherited but PATH."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT),
                   "PYTHONUNBUFFERED": "1", "HOST": "127.0.0.1", **env}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=timeout)


def refused(done: subprocess.CompletedProcess) -> list[str]:
    """The `crisisbot:` lines of a refusal, after checking it is one: exit code 2, no jargon."""
    assert done.returncode == 2, done.stderr
    for word in JARGON:
        assert word not in done.stderr
    return [line for line in done.stderr.splitlines() if line.startswith("crisisbot:")]




def run_main(capsys, *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    err = capsys.readouterr().err
    for word in JARGON:
        assert word not in err
    return code, err.splitlines()


# ----- settings that cannot work: every command refuses them at start ----------------------------------

@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_port_abc_is_one_line_naming_the_variable_for_every_command(command, tmp_path):
    done = crisisbot(*command, cwd=tmp_path, PORT="abc", **REAL)

    assert refused(done) == ['crisisbot: PORT must be a whole number, e.g. 3000 (got "abc")']
    assert done.stderr.count("\n") == 1 and done.stdout == ""


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_postgresql_without_a_driver_says_to_write_asyncpg(command, cli_env, capsys):
    cli_env.setenv("DATABASE_URL", "postgresql://crisisbot:h0rse-Battery@db.internal:5432/crises")

    code, lines = run_main(capsys, *command)

    assert code == 2
    assert lines == ["crisisbot: DATABASE_URL names no driver; crisisbot reaches PostgreSQL through asyncpg: "
                     "write postgresql+asyncpg://crisisbot:***@db.internal:5432/crises"]


@pytest.mark.parametrize("url, says", [
    ("sqlite:///./crisisbot.db", "crisisbot opens SQLite through aiosqlite: write sqlite+aiosqlite:///./crisisbot.db"),
    ("postgresql+psycopg2://db/crises", "names the psycopg2 driver; crisisbot reaches PostgreSQL through asyncpg: "
                                        "write postgresql+asyncpg://db/crises"),
    ("not a url", 'is not a database URL: write e.g. postgresql+asyncpg://user:password@host:5432/dbname or '
                  'sqlite+aiosqlite:///./crisisbot.db (got "not a url")'),
    ("postgresql+asyncpg://db:five/crises", "is not a database URL"),
    ("mysql://db/crises", "must be a PostgreSQL or SQLite URL"),
])
def test_a_database_url_crisisbot_cannot_use_is_refused_with_what_to_write(url, says, cli_env, capsys):
    cli_env.setenv("DATABASE_URL", url)

    code, [line] = run_main(capsys, "migrate")

    assert code == 2 and line.startswith("crisisbot: DATABASE_URL ") and says in line


def test_every_bad_setting_is_its_own_line_and_secrets_are_never_echoed(cli_env, capsys):
    for name, value in {"PORT": "70000", "CRISISBOT_LOG_FORMAT": "xml", "CRISISBOT_LOG_LEVEL": "loud",
                        "CRISISBOT_TICK_SECONDS": "-1", "SLACK_TIMEOUT_SECONDS": "soon",
                        "CRISISBOT_OPENING_LEASE_SECONDS": "0", "SLACK_API_URL": "slack.com/api"}.items():
        cli_env.setenv(name, value)

    code, lines = run_main(capsys, "demo")

    assert code == 2
    assert sorted(lines) == sorted([
        "crisisbot: SLACK_API_URL must be an http(s) URL, e.g. https://slack.com/api/ (got \"slack.com/api\")",
        "crisisbot: PORT must be a port number from 1 to 65535, e.g. 3000 (got 70000)",
        'crisisbot: CRISISBOT_LOG_FORMAT must be json or text (got "xml")',
        'crisisbot: CRISISBOT_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL (got "loud")',
        "crisisbot: CRISISBOT_OPENING_LEASE_SECONDS must be a number of seconds above 0, e.g. 30 (got 0)",
        "crisisbot: CRISISBOT_TICK_SECONDS must be a number of seconds, e.g. 10 (0: the scheduler never ticks "
        "by itself) (got -1)",
        'crisisbot: SLACK_TIMEOUT_SECONDS must be a number of seconds above 0, e.g. 10 (got "soon")',
    ])


def test_an_unknown_language_is_refused_with_the_languages_there_are(cli_env, capsys):
    cli_env.setenv("CRISISBOT_LANGUAGE", "fr")

    code, lines = run_main(capsys, "export", "1")

    assert code == 2
    assert lines == ['crisisbot: CRISISBOT_LANGUAGE must be a language crisisbot speaks: en, es, it (got "fr"); '
                     "a translation is a folder of bot/locales"]


def test_a_bad_value_in_dot_env_is_told_the_same_way(cli_env, capsys, tmp_path):
    (tmp_path / ".env").write_text("PORT=three thousand\n", encoding="utf-8")

    code, lines = run_main(capsys, "migrate")

    assert code == 2 and lines == ['crisisbot: PORT must be a whole number, e.g. 3000 (got "three thousand")']


# ----- databases that do not exist or do not answer ------------------------------------------------------

@pytest.mark.parametrize("command", [["serve"], ["migrate"], ["export", "1"], ["run"]], ids=lambda c: c[0])
def test_an_unreachable_database_server_is_one_line_for_every_command(command, tmp_path):
    port = free_port()  # nothing listens there

    done = crisisbot(*command, cwd=tmp_path, DATABASE_URL=f"postgresql+asyncpg://postgres@127.0.0.1:{port}/crises",
                     **REAL)

    assert refused(done) == [f"crisisbot: cannot reach the database server at 127.0.0.1:{port} (connection "
                             "refused): is PostgreSQL running there? Check the host and port in DATABASE_URL"]


def test_a_database_that_does_not_exist_says_to_create_it(cli_env, capsys, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite creates a missing file; PostgreSQL has databases that do not exist")
    url = make_url(database_url).set(database="crisisbot_no_such_database_d")
    cli_env.setenv("DATABASE_URL", url.render_as_string(hide_password=False))

    code, lines = run_main(capsys, "migrate")

    host, port = url.host or "localhost", url.port or 5432
    assert code == 2
    assert lines == [f'crisisbot: the database "crisisbot_no_such_database_d" does not exist on {host}:{port}: '
                     f"create it (createdb -h {host} -p {port} crisisbot_no_such_database_d) or point DATABASE_URL "
                     "at an existing database"]


def test_serve_on_a_database_that_does_not_exist_exits_2_with_one_line(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite creates a missing file; PostgreSQL has databases that do not exist")
    url = make_url(database_url).set(database="crisisbot_no_such_database_d").render_as_string(hide_password=False)

    done = crisisbot("serve", cwd=tmp_path, DATABASE_URL=url, PORT=str(free_port()), **REAL)

    [line] = refused(done)
    assert 'the database "crisisbot_no_such_database_d" does not exist' in line


def test_an_sqlite_file_in_a_missing_folder_says_so(cli_env, capsys, tmp_path):
    cli_env.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'nowhere' / 'crisisbot.db'}")

    code, lines = run_main(capsys, "migrate")

    assert code == 2
    assert lines == [f"crisisbot: cannot open the SQLite database {tmp_path / 'nowhere' / 'crisisbot.db'}: its "
                     f"folder {tmp_path / 'nowhere'} does not exist; create it, or check DATABASE_URL"]


def test_serve_on_a_port_already_taken_says_so_before_starting(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = crisisbot("serve", cwd=tmp_path, PORT=str(port),
                         DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'never.db'}", **REAL)

    assert refused(done) == [f"crisisbot: cannot listen on 127.0.0.1:{port} (address already in use): "
                             "choose another PORT or HOST"]
    assert not (tmp_path / "never.db").exists()


# ----- export on a database that is not the bot's ------------------------------------------------------

def test_export_on_a_missing_sqlite_file_points_at_the_bots_database_and_creates_nothing(cli_env, capsys, tmp_path):
    cli_env.setenv("DATABASE_URL", "sqlite+aiosqlite:///crisisbot.db")

    code, lines = run_main(capsys, "export", "1")

    assert code == 2
    assert lines == ["crisisbot: there is no database at crisisbot.db: point DATABASE_URL at the bot's database "
                     "(the one `crisisbot serve` or the demo uses), or run `crisisbot migrate` to create one"]
    assert not (tmp_path / "crisisbot.db").exists()


def test_export_on_an_empty_or_foreign_database_says_to_migrate_or_point_elsewhere(cli_env, capsys, tmp_path):
    sqlite3.connect(tmp_path / "empty.db").close()
    with sqlite3.connect(tmp_path / "other.db") as other:
        other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    other.close()

    cli_env.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    code, [empty] = run_main(capsys, "export", "1")
    cli_env.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    code_other, [other_line] = run_main(capsys, "export", "1")

    assert code == code_other == 2
    assert empty == ("crisisbot: the database is empty: point DATABASE_URL at the bot's database (the one "
                     "`crisisbot serve` uses), or run `crisisbot migrate` to create the tables")
    assert other_line.startswith("crisisbot: the database has other tables but none of crisisbot's: point "
                                 "DATABASE_URL at the bot's database")


def test_export_after_migrate_finds_the_schema_and_names_the_unknown_crisis(cli_env, capsys, database_url):
    cli_env.setenv("DATABASE_URL", database_url)

    assert main(["migrate"]) == 0
    assert capsys.readouterr().out == "database is at the newest schema\n"
    code, lines = run_main(capsys, "export", "1")

    assert code == 2
    [line] = lines
    assert line.startswith("crisisbot: I know no crisis called `1`")


def test_the_demo_keeps_its_database_and_its_last_line_exports_the_story(tmp_path):
    demo = crisisbot("demo", cwd=tmp_path, timeout=180)
    assert demo.returncode == 0, demo.stderr
    *_, where, command = demo.stdout.rstrip("\n").splitlines()

    assert where == ("The demo's database is kept in crisisbot-demo.db (started afresh on each run). "
                     "The whole story, as Markdown:")
    assert command == "  DATABASE_URL=sqlite+aiosqlite:///crisisbot-demo.db crisisbot export 1"
    assert "crisisbot export 1" in demo.stdout.replace(command, "")  # the closing story's hint, the same id

    setting, *args = command.split()[0:1] + command.split()[2:]
    exported = crisisbot(*args, cwd=tmp_path, DATABASE_URL=setting.split("=", 1)[1])
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("# Crisis story: Influencer video claims our serum burns skin\n")

    again = crisisbot("demo", cwd=tmp_path, timeout=180)  # a second run starts afresh: still crisis 1
    assert again.returncode == 0 and again.stdout.rstrip("\n").splitlines()[-1] == command


# ----- help ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command, mentions", [
    ("serve", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL", "PORT", "/healthz",
               "prints:", "exit code:"]),
    ("demo", ["emulator", "crisisbot-demo.db", "crisisbot export", "prints:", "--database"]),
    ("migrate", ["DATABASE_URL", "prints:"]),
    ("export", ["DATABASE_URL", "CRISISBOT_PLAN", "--out", "prints:", "crisisbot export 1"]),
    ("run", ["SLACK_BOT_TOKEN", "demo"]),
])
def test_each_command_says_what_it_does_reads_and_prints(command, mentions, capsys):
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])

    shown = capsys.readouterr().out
    assert exited.value.code == 0
    for word in mentions:
        assert word in shown, word


# ----- /healthz and Slack -----------------------------------------------------------------------------

async def health(bot) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session:
        async with session.get(bot.url + "/healthz") as response:
            return response.status, await response.json()


async def test_healthz_reports_slack_refusing_the_token_without_failing(bot, emulator):
    emulator.inject("auth.test", error="invalid_auth", times=None)

    status, body = await health(bot)

    assert status == 200
    assert body == {"status": "ok", "database": "ok", "scheduler": "running", "jobs": 2,
                    "slack": "unreachable: invalid_auth"}


async def test_healthz_asks_slack_at_most_once_in_a_while(bot, emulator):
    health_cache = bot.running.app[SLACK_HEALTH]
    emulator.inject("auth.test", error="account_inactive", times=None)
    before = len(emulator.calls_to("auth.test"))

    answers = [await health(bot) for _ in range(3)]

    assert [body["slack"] for _, body in answers] == ["unreachable: account_inactive"] * 3
    assert len(emulator.calls_to("auth.test")) == before + 1
    emulator.clear_faults()
    health_cache.now = lambda: health_cache.until  # the remembered answer has expired

    status, body = await health(bot)

    assert status == 200 and body["slack"] == "ok"
    assert len(emulator.calls_to("auth.test")) == before + 2
