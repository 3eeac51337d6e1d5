"""Fixtures for the emulator tests: a started emulator, a real AsyncWebClient, a bot endpoint."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import SlackEmulator, Workspace

from .helpers import SECRET, TOKEN, FakeClock, Receiver


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def emu(clock: FakeClock):
    emulator = SlackEmulator(bot_token=TOKEN, clock=clock)
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
    return Workspace(emu, bot_url=receiver.url, signing_secret=SECRET, session=session)
