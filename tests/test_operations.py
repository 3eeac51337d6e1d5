"""Operations: the health check, one log line per request, secrets kept out of logs and refused when
they are placeholders, and a SIGTERM that lets acknowledged work finish."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from multidict import CIMultiDict
from sqlalchemy.engine import make_url

from bot.emulator import SlackEmulator, Workspace
from bot.logs import REDACTED, configure_logging
from bot.settings import Settings
from handlers.web import SCHEDULER
from tests.support.harness import BotUnderTest
from tests.support.people import Person
from tests.support.senders import Sender, sample

ROOT = Path(__file__).resolve().parent.parent

# Values that pass the serving checks: as long as Slack's, and nothing like a placeholder.
REAL_BOT_TOKEN = "xoxb-2093847561-5738291046-Qm7vT2kLp9ZrX4wN8bHc1JdF"
REAL_SIGNING_SECRET = "8f3a91c2d7e64b05a1f9c3e8d2b7a640"
REAL_APP_TOKEN = "xapp-1-A07QK2M3N4P-7361529048-3f9e8d7c6b5a49382716"
REAL_ALERT_TOKEN = "Zr8q2Lw5Vn1Kx7Pc"
DB_PASSWORD = "h0rse-Battery-st4ple"

SETTING_NAMES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "DATABASE_URL",
                 "HOST", "PORT", "CRISISBOT_PLAN", "CRISISBOT_MANAGERS_CHANNEL", "CRISISBOT_LANGUAGE",
                 "CRISISBOT_ALERT_TOKEN", "CRISISBOT_LOG_FORMAT", "CRISISBOT_LOG_LEVEL")


# ----- the health check -------------------------------------------------------------------------------

async def get(url: str, headers: dict | None = None) -> tuple[int, dict, CIMultiDict]:
    async with aiohttp.ClientSession() as session:
        async with session.get(url, headers=headers) as response:
            return response.status, await response.json(), response.headers.copy()


async def test_healthz_reports_the_database_and_the_scheduler(bot):
    status, body, _ = await get(bot.url + "/healthz")

    assert status == 200
    assert body == {"status": "ok", "database": "ok", "scheduler": "running", "jobs": 2, "slack": "ok"}


async def test_healthz_is_503_naming_the_scheduler_when_it_stopped(bot):
    bot.running.app[SCHEDULER].shutdown(wait=False)

    status, body, _ = await get(bot.url + "/healthz")

    assert status == 503
    assert body["status"] == "unavailable" and body["failing"] == ["scheduler"]
    assert body["scheduler"] == "stopped" and body["database"] == "ok"


async def test_healthz_is_503_when_the_reminder_job_is_gone(bot):
    bot.running.app[SCHEDULER].remove_job("tick")

    status, body, _ = await get(bot.url + "/healthz")

    assert status == 503
    assert body["failing"] == ["scheduler"] and "tick" in body["scheduler"] and body["jobs"] == 1


async def test_healthz_is_503_when_the_resume_job_is_gone(bot):
    bot.running.app[SCHEDULER].remove_job("requests")

    status, body, _ = await get(bot.url + "/healthz")

    assert status == 503
    assert body["failing"] == ["scheduler"] and "requests job" in body["scheduler"]


class Relay:
    """A TCP relay in front of the database that the test cuts, as a network outage would."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []
        self.tasks: set[asyncio.Task] = set()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _connection(self, reader, writer) -> None:
        self.tasks.add(asyncio.current_task())
        self.writers.append(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers.append(up_writer)
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    @staticmethod
    async def _pipe(reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass  # the other side is gone: so is this one
        finally:
            writer.close()

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.transport.abort()
        await self.server.wait_closed()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def test_healthz_is_503_naming_the_database_when_it_is_unreachable(emulator, database_url, clock):
    if not database_url.startswith("postgresql"):
        pytest.skip("an SQLite file cannot become unreachable under a running app; PostgreSQL shows the outage")
    url = make_url(database_url)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    port = await relay.start()
    bot = BotUnderTest(emulator, url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False), clock)
    await bot.start()
    try:
        assert (await get(bot.url + "/healthz"))[0] == 200
        await relay.cut()

        status, body, _ = await get(bot.url + "/healthz")

        assert status == 503
        assert body["database"] == "unavailable" and body["failing"] == ["database"]
        assert body["scheduler"] == "running"
    finally:
        await bot.stop()
        await relay.cut()


# ----- one log line per request -----------------------------------------------------------------------

def request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "handlers.request_log"]


async def test_an_alert_request_is_logged_with_its_crisis(workspace, bot, caplog):
    caplog.set_level(logging.INFO, logger="handlers.request_log")

    status, answer = await Sender(workspace.session, bot).post("generic", sample("generic_firing"))

    assert status == 202
    [line] = [r for r in request_lines(caplog) if r.path == "/alerts/generic"]
    assert (line.method, line.status, line.crisis) == ("POST", 202, answer["crisis"])
    assert line.ms >= 0 and line.request_id


async def test_a_slack_request_is_logged_with_its_channel(alice: Person, caplog):
    caplog.set_level(logging.INFO, logger="handlers.request_log")

    reply = await alice.types("/crisis help", channel="C0GENERAL")

    assert reply.status == 200
    [line] = [r for r in request_lines(caplog) if r.path == "/slack/events"]
    assert (line.method, line.status, line.channel) == ("POST", 200, "C0GENERAL")
    assert "crisis" not in vars(line)  # #general is no crisis


async def test_a_request_id_from_the_proxy_is_kept_and_returned(bot, caplog):
    caplog.set_level(logging.DEBUG, logger="handlers.request_log")

    status, _, headers = await get(bot.url + "/healthz", headers={"X-Request-Id": "lb-7f3a-01"})

    assert status == 200 and headers["X-Request-Id"] == "lb-7f3a-01"
    [line] = [r for r in request_lines(caplog) if r.path == "/healthz"]
    assert line.request_id == "lb-7f3a-01" and line.levelno == logging.DEBUG  # health checks stay quiet


# ----- secrets never written --------------------------------------------------------------------------

@pytest.fixture
def log_output():
    """configure_logging writing to a buffer; the root logger is put back afterwards."""
    root = logging.getLogger()
    level, buffer = root.level, io.StringIO()
    handlers: list[logging.Handler] = []

    def configure(**kwargs) -> io.StringIO:
        handlers.append(configure_logging(logging.INFO, stream=buffer, **kwargs))
        return buffer

    yield configure
    for handler in handlers:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def test_configured_secrets_and_token_shapes_are_redacted_everywhere_in_a_record(log_output):
    db_url = f"postgresql+asyncpg://crisisbot:{DB_PASSWORD}@db.internal:5432/crises"
    settings = Settings(_env_file=None, slack_bot_token=REAL_BOT_TOKEN, slack_signing_secret=REAL_SIGNING_SECRET,
                        slack_app_token=REAL_APP_TOKEN, crisisbot_alert_token=REAL_ALERT_TOKEN,
                        database_url=db_url)
    out = log_output(json=True, secrets=settings.secret_values())
    log = logging.getLogger("crisisbot.test")

    log.warning("calling Slack with %s and %s, alerts %s", REAL_BOT_TOKEN, REAL_APP_TOKEN, REAL_ALERT_TOKEN,
                extra={"crisis": 42, "path": f"/x?key={REAL_SIGNING_SECRET}"})
    log.info("header Authorization: Bearer some-unconfigured-value and xoxp-1111-2222-abcdef")
    try:
        raise ConnectionError(f"cannot connect to {db_url} (signing secret {REAL_SIGNING_SECRET})")
    except ConnectionError:
        log.exception("database down")

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    written = out.getvalue()
    for secret in (REAL_BOT_TOKEN, REAL_SIGNING_SECRET, REAL_APP_TOKEN, REAL_ALERT_TOKEN, DB_PASSWORD,
                   "some-unconfigured-value", "xoxp-1111-2222-abcdef"):
        assert secret not in written
    assert [line["level"] for line in lines] == ["WARNING", "INFO", "ERROR"]
    assert lines[0]["message"] == f"calling Slack with {REDACTED} and {REDACTED}, alerts {REDACTED}"
    assert lines[0]["crisis"] == 42 and lines[0]["path"] == f"/x?key={REDACTED}"
    assert lines[0]["logger"] == "crisisbot.test" and lines[0]["time"].endswith("+00:00")
    assert lines[1]["message"] == f"header Authorization: Bearer {REDACTED} and {REDACTED}"
    assert "Traceback" in lines[2]["error"] and "ConnectionError" in lines[2]["error"]
    assert f"crisisbot:{REDACTED}@db.internal:5432/crises" in lines[2]["error"]


def test_text_logs_are_redacted_too(log_output):
    out = log_output(json=False, secrets=[REAL_SIGNING_SECRET])

    logging.getLogger("crisisbot.test").warning("secret is %s", REAL_SIGNING_SECRET, extra={"crisis": 7})

    assert out.getvalue().rstrip().endswith(f"crisisbot.test: secret is {REDACTED} [crisis=7]")


def test_settings_repr_hides_every_secret_and_the_database_password():
    settings = Settings(_env_file=None, slack_bot_token=REAL_BOT_TOKEN, slack_signing_secret=REAL_SIGNING_SECRET,
                        crisisbot_alert_token=REAL_ALERT_TOKEN,
                        database_url=f"postgresql+asyncpg://crisisbot:{DB_PASSWORD}@db.internal:5432/crises")

    for shown in (repr(settings), str(settings)):
        assert "db.internal:5432/crises" in shown
        for secret in (REAL_BOT_TOKEN, REAL_SIGNING_SECRET, REAL_ALERT_TOKEN, DB_PASSWORD):
            assert secret not in shown
    assert settings.database_url.endswith(f":{DB_PASSWORD}@db.internal:5432/crises")  # still usable


# ----- settings refused when serving ------------------------------------------------------------------

@pytest.fixture
def clean_env(monkeypatch):
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)


def serving(**values) -> Settings:
    return Settings(_env_file=None, **{"slack_bot_token": REAL_BOT_TOKEN,
                                       "slack_signing_secret": REAL_SIGNING_SECRET, **values})


def refusal(settings: Settings) -> str:
    with pytest.raises(ValueError) as raised:
        settings.check_for_serving()
    return str(raised.value)


@pytest.mark.parametrize("token", ["", "   ", "changeme", "xoxb-your-token", "xoxb-your-bot-token-here",
                                   "xoxb-1234", "test", "secret", "xoxb-test-token", "xoxb-…",
                                   "xoxb-example-0000000000-000000000000", "xoxb-xxxxxxxxxxxxxxxxxxxxxxxx"])
def test_serving_refuses_a_placeholder_bot_token(clean_env, token):
    message = refusal(serving(slack_bot_token=token))

    assert "SLACK_BOT_TOKEN" in message and "\n" not in message
    assert "SLACK_SIGNING_SECRET" not in message
    if len(token.strip()) > 4:
        assert token not in message  # never the value, in case it was a real one


@pytest.mark.parametrize("secret", ["", "changeme", "secret", "test-signing-secret", "your-signing-secret",
                                    "0123456789abcde"])
def test_serving_refuses_a_placeholder_signing_secret_over_http(clean_env, secret):
    assert "SLACK_SIGNING_SECRET" in refusal(serving(slack_signing_secret=secret))


def test_socket_mode_needs_a_real_app_token_and_no_signing_secret(clean_env):
    assert serving(slack_app_token=REAL_APP_TOKEN, slack_signing_secret=None).check_for_serving() == [
        "CRISISBOT_ALERT_TOKEN is not set: every POST /alerts/{source} is refused with 401"]
    message = refusal(serving(slack_app_token="xapp-your-app-token", slack_signing_secret=None))
    assert "SLACK_APP_TOKEN" in message and "SLACK_SIGNING_SECRET" not in message


def test_an_empty_app_token_as_in_env_example_means_http_mode(clean_env):
    settings = serving(slack_app_token="", slack_signing_secret="")

    assert not settings.socket_mode
    assert "SLACK_SIGNING_SECRET is not set" in refusal(settings)


def test_env_example_copied_as_is_means_unset_http_mode_and_the_default_plan(clean_env):
    settings = Settings(_env_file=ROOT / ".env.example")

    assert not settings.socket_mode and settings.crisisbot_plan is None
    assert settings.log_json("serve") and not settings.log_json("demo")
    assert settings.log_level("serve") == logging.INFO and settings.log_level("demo") == logging.WARNING
    assert "SLACK_BOT_TOKEN is not set; SLACK_SIGNING_SECRET is not set" in refusal(settings)


@pytest.mark.parametrize("token", ["short-but-real", "changeme-changeme-changeme", "your-alert-token-goes-here"])
def test_an_alert_token_that_is_set_must_be_long_and_chosen(clean_env, token):
    assert "CRISISBOT_ALERT_TOKEN" in refusal(serving(crisisbot_alert_token=token))


def test_real_looking_values_serve_and_every_problem_is_named_at_once(clean_env):
    assert serving(crisisbot_alert_token=REAL_ALERT_TOKEN).check_for_serving() == []
    message = refusal(serving(slack_bot_token="xoxb-your-token", slack_signing_secret="changeme",
                              crisisbot_alert_token="abc"))
    assert all(name in message for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "CRISISBOT_ALERT_TOKEN"))


def base_env(**extra: str) -> dict[str, str]:
    """A clean environment for a crisisbot process: nothing inherited that could change its settings."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
            **extra}


def test_serve_with_a_placeholder_token_exits_2_with_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env=base_env(SLACK_BOT_TOKEN="xoxb-your-token", SLACK_SIGNING_SECRET=REAL_SIGNING_SECRET,
                     DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'never.db'}"))

    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("crisisbot: cannot serve: SLACK_BOT_TOKEN looks like a placeholder")
    assert not (tmp_path / "never.db").exists()  # refused before anything was started


# ----- SIGTERM ------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def collect(stream: asyncio.StreamReader, into: list[str]) -> None:
    while line := await stream.readline():
        into.append(line.decode("utf-8", "replace").rstrip("\n"))


async def wait_healthy(url: str, proc, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with aiohttp.ClientSession() as session:
        while loop.time() < deadline:
            assert proc.returncode is None, "crisisbot serve exited before it was healthy"
            try:
                async with session.get(url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("crisisbot serve never answered /healthz with 200")


async def test_sigterm_lets_an_acknowledged_opening_finish_before_exit(tmp_path):
    emu = SlackEmulator(bot_token=REAL_BOT_TOKEN)
    await emu.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "serve", cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=base_env(SLACK_API_URL=emu.base_url, SLACK_BOT_TOKEN=REAL_BOT_TOKEN,
                     SLACK_SIGNING_SECRET=REAL_SIGNING_SECRET,
                     DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
                     HOST="127.0.0.1", PORT=str(port), CRISISBOT_LOG_FORMAT="json"))
    out: list[str] = []
    readers = [asyncio.create_task(collect(proc.stdout, out)), asyncio.create_task(collect(proc.stderr, out))]
    try:
        await wait_healthy(url, proc)
        async with aiohttp.ClientSession() as session:
            ws = Workspace(emu, bot_url=url + "/slack/events", signing_secret=REAL_SIGNING_SECRET, session=session)
            # Someone pastes the secrets into a request that fails verification: Bolt logs such bodies.
            forged = await ws.slash("U0ALICE", "C0GENERAL", f"note {REAL_BOT_TOKEN} {REAL_SIGNING_SECRET}",
                                    signature="v0=forged")
            assert forged.status == 401
            pin_held = asyncio.Event()
            emu.inject("pins.add", until=pin_held)
            reply = await ws.slash("U0ALICE", "C0GENERAL", "open high Slow pin")
            assert reply.status == 200

        def crisis_channel():
            return next((c for c in emu.channels if (c.name or "").startswith("crisis-")), None)

        channel = await emu.wait_for(crisis_channel, timeout=60)
        assert emu.pins(channel.id) == []  # the signal comes while the opening is still under way
        proc.send_signal(signal.SIGTERM)
        pin_held.set()  # Slack answers the pin only once the process was asked to stop
        assert await asyncio.wait_for(proc.wait(), timeout=90) == 0
        await asyncio.gather(*readers)

        assert len(emu.pins(channel.id)) == 1
        assert any("is open" in e.text for e in emu.ephemerals(user="U0ALICE"))
        lines = [json.loads(line) for line in out if line.strip()]  # every line is one JSON object
        slack_lines = [line for line in lines if line.get("path") == "/slack/events"]
        assert [(line["status"], line["channel"]) for line in slack_lines] == [(401, "C0GENERAL"), (200, "C0GENERAL")]
        assert all({"time", "level", "logger", "message", "method", "ms", "request_id"} <= set(line)
                   for line in slack_lines)
        assert any(line["message"] == "stopped" for line in lines)
        for line in out:
            assert REAL_BOT_TOKEN not in line and REAL_SIGNING_SECRET not in line
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await emu.close()
