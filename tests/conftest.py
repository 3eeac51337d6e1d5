"""Fixtures: a fresh database per test (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
the local Slack emulator, the bot on a real port, and the people of the workspace."""

from __future__ import annotations

import os
from datetime import datetime, timezone

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.domain.clock import FixedClock
from bot.emulator import SlackEmulator, Workspace
from tests.support.harness import ALERT_TOKEN, SIGNING_SECRET, TOKEN, BotUnderTest
from tests.support.people import Person
from tests.support.senders import Sender

pytest_plugins = ["tests.support.cli"]  # the cli_env fixture

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=DATABASES)
async def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'crisisbot.db'}"
        return
    url = os.environ["TEST_DATABASE_URL"]
    engine = create_async_engine(url)
    async with engine.begin() as conn:  # a fresh, empty schema for every test
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    yield url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
async def emulator():
    emu = SlackEmulator(bot_token=TOKEN)
    await emu.start()
    yield emu
    await emu.close()


@pytest.fixture
async def bot(emulator, database_url, clock):
    bot = BotUnderTest(emulator, database_url, clock, crisisbot_managers_channel="C0MANAGERS",
                       crisisbot_alert_token=ALERT_TOKEN)
    await bot.start()
    yield bot
    await bot.stop()


@pytest.fixture
async def workspace(emulator, bot):
    async with aiohttp.ClientSession() as session:
        yield Workspace(emulator, bot_url=bot.events_url, signing_secret=SIGNING_SECRET, session=session)


@pytest.fixture
def alice(workspace, emulator) -> Person:
    return Person("U0ALICE", workspace, emulator)


@pytest.fixture
def bob(workspace, emulator) -> Person:
    return Person("U0BOB", workspace, emulator)


@pytest.fixture
def sender(workspace, bot) -> Sender:
    """An alert sender (Alertmanager, Grafana, PagerDuty…) posting to the bot with its token."""
    return Sender(workspace.session, bot)
