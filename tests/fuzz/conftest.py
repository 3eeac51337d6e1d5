"""Fixtures of the fuzz tests: one bot on SQLite with no rate-limit waits, the watch on it, a sender, and a rig on every database for the one-input replays."""

from __future__ import annotations

import logging

import pytest

from bot.emulator import Workspace
from tests.fuzz.watch import NoWaiting, Rig, Watch
from tests.support.harness import ALERT_TOKEN, SIGNING_SECRET, BotUnderTest


@pytest.fixture
def fuzz_database_url(tmp_path):
    """SQLite only for the fuzzing: it is about the bot's handling of input, not the database engine.
    (The regression tests at the end run on every database of the suite, PostgreSQL included.)"""
    return f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}"


@pytest.fixture
async def bot(emulator, fuzz_database_url, clock):
    bot = BotUnderTest(emulator, fuzz_database_url, clock, limiter=NoWaiting(),
                       crisisbot_managers_channel="C0MANAGERS", crisisbot_alert_token=ALERT_TOKEN)
    await bot.start()
    yield bot
    await bot.stop()


@pytest.fixture
def watch(bot, emulator, caplog):
    caplog.set_level(logging.WARNING)
    return Watch(bot, emulator, caplog)





@pytest.fixture
async def rig(emulator, database_url, clock, caplog):
    import aiohttp

    caplog.set_level(logging.WARNING)
    bot = BotUnderTest(emulator, database_url, clock, crisisbot_managers_channel="C0MANAGERS",
                       crisisbot_alert_token=ALERT_TOKEN)
    await bot.start()
    try:
        async with aiohttp.ClientSession() as session:
            workspace = Workspace(emulator, bot_url=bot.events_url, signing_secret=SIGNING_SECRET, session=session)
            yield Rig(bot, workspace, emulator, Watch(bot, emulator, caplog))
    finally:
        await bot.stop()
