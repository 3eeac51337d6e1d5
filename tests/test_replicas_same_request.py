"""The same signed slash command delivered to two replicas at the same moment, 50 times: one crisis each time."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlencode

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from slack_sdk.signature import SignatureVerifier

from bot.emulator.state import APP_ID, TEAM_DOMAIN, TEAM_ID
from tests.support.processes import BotProcess
from tests.test_processes import emulator  # noqa: F401 - the emulator with the processes' token

ROUNDS = 50


async def crisis_titles(database_url: str) -> list[str]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return [r.title for r in await conn.execute(text("SELECT title FROM crisis ORDER BY id"))]
    finally:
        await engine.dispose()


def signed_slash(emulator, secret: str, text: str) -> tuple[bytes, dict[str, str]]:
    """One `/crisis` request as Slack signs it: its bytes and headers, to be sent more than once."""
    token = emulator.new_response_url_token("U0ALICE", "C0GENERAL")
    body = urlencode({"token": "t", "team_id": TEAM_ID, "team_domain": TEAM_DOMAIN, "channel_id": "C0GENERAL",
                      "channel_name": "general", "user_id": "U0ALICE", "user_name": "alice", "command": "/crisis",
                      "text": text, "api_app_id": APP_ID, "response_url": emulator.response_url_for(token),
                      "trigger_id": emulator.issue_trigger("U0ALICE", "C0GENERAL")})
    stamp = str(int(time.time()))
    return body.encode(), {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
                           "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)}


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
