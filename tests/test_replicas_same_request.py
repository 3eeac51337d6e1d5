"""The same signed slash command delivered to two replicas at the same moment, round after round: one crisis each
time."""

from __future__ import annotations

import asyncio
import os

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support.crisis import signed_slash
from tests.support.processes import BotProcess
from tests.support.processes import emulator  # noqa: F401 - the processes' emulator

ROUNDS = int(os.environ.get("CRISISBOT_SOAK_ROUNDS", "20"))  # 50 for the figures in issue 10's note


async def crisis_titles(database_url: str) -> list[str]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return [r.title for r in await conn.execute(text("SELECT title FROM crisis ORDER BY id"))]
    finally:
        await engine.dispose()


async def test_the_same_slash_command_at_two_replicas_opens_one_crisis(emulator, database_url):  # noqa: F811
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL server")
    replicas = [BotProcess(emulator, database_url), BotProcess(emulator, database_url)]
    await asyncio.gather(*(r.start() for r in replicas))
    try:
        async with aiohttp.ClientSession() as session:
            async def deliver(url: str, body: bytes, headers: dict) -> tuple[int, str]:
                async with session.post(url + "/slack/events", data=body, headers=headers) as response:
                    return response.status, await response.text()

            acknowledged = 0
            for n in range(ROUNDS):
                body, headers = signed_slash(emulator, replicas[0].signing_secret, f"open low Round {n} complaints")
                answers = await asyncio.gather(*(deliver(r.url, body, headers) for r in replicas))  # same moment
                assert {status for status, _ in answers} == {200}, answers
                acknowledged += any("Opening a crisis room" in text for _, text in answers)
        titles = await crisis_titles(database_url)
        assert acknowledged == ROUNDS
        assert len(titles) == ROUNDS, f"{len(titles) - ROUNDS} duplicates"  # 2 crises every round before
        assert len(set(titles)) == ROUNDS
    finally:
        await asyncio.gather(*(r.stop() for r in replicas))
