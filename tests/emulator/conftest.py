"""Fixtures for the emulator tests: a started emulator, a real AsyncWebClient, a bot endpoint."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import SlackEmulator, Workspace
from bot.emulator.manifest import Manifest
from bot.emulator.scopes import every_scope

from .helpers import SECRET, TOKEN, FakeClock, Receiver


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def emu(clock: FakeClock):
    # the emulator's own tests use every method it serves: a token with every scope
    emulator = SlackEmulator(bot_token=TOKEN, clock=clock, scopes=every_scope())
    await emulator.start()
    yield emulator
    await emulator.close()


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
def client(emu: SlackEmulator, session: aiohttp.ClientSession) -> AsyncWebClient:
    return AsyncWebClient(base_url=emu.base_url, token=TOKEN, session=session)


@pytest.fixture
async def receiver():
    rec = Receiver()
    await rec.start()
    yield rec
    await rec.close()


@pytest.fixture
def ws(emu: SlackEmulator, receiver: Receiver, session: aiohttp.ClientSession) -> Workspace:
    # a receiver that takes every event Slack can send, text as typed
    every_event = Manifest(bot_events=frozenset({"message.channels", "message.groups", "message.im",
                                                 "app_mention", "reaction_added", "reaction_removed",
                                                 "app_home_opened", "member_joined_channel"}))
    return Workspace(emu, bot_url=receiver.url, signing_secret=SECRET, session=session, manifest=every_event)
