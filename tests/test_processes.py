"""Real bot processes: killed with -9 mid-opening, and two replicas on one PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.emulator import Workspace
from tests.support.processes import BotProcess
from tests.support.processes import emulator  # noqa: F401 - the processes' emulator
from tests.support.senders import sample


async def recorded_open(database_url: str) -> bool:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = list(await conn.execute(text("SELECT status, lease_owner FROM crisis")))
    finally:
        await engine.dispose()
    return bool(rows) and all(r.status == "open" and r.lease_owner is None for r in rows)


def crisis_channels(emulator):
    return [c for c in emulator.channels if (c.name or "").startswith("crisis-")]


def plans(emulator, channel_id):
    return [m for m in emulator.messages(channel_id) if "The 5 R method" in str(m.blocks)]


async def test_killed_right_after_the_channel_is_made_then_restarted(emulator, database_url):
    first = await BotProcess(emulator, database_url).start()
    try:
        # Every later step hangs, so the process dies with only the channel made.
        for method in ("conversations.invite", "conversations.setTopic", "chat.postMessage", "chat.postEphemeral"):
            emulator.inject(method, delay=30, times=None)
        async with aiohttp.ClientSession() as session:
            ws = Workspace(emulator, bot_url=first.url + "/slack/events", signing_secret=first.signing_secret,
                           session=session)
            reply = await ws.slash("U0ALICE", "C0GENERAL", "open high Leaked memo", command="/crisis")
            assert reply.status == 200
            await emulator.wait_for(lambda: [c for c in emulator.calls_to("conversations.create")
                                             if c.response.get("ok")], timeout=60)
            await first.kill()
    finally:
        await first.kill()
    emulator.clear_faults()

    second = await BotProcess(emulator, database_url).start()
    try:
        def opened():
            channels = crisis_channels(emulator)
            return channels if channels and emulator.pins(channels[0].id) else None

        channels = await emulator.wait_for(opened, timeout=60)
        await emulator.wait_for(lambda: emulator.dms("U0ALICE"), timeout=60)  # told the room is ready
    finally:
        await second.stop()

    assert len(channels) == 1  # no second channel
    assert len(plans(emulator, channels[0].id)) == 1  # no second plan
    assert len(emulator.pins(channels[0].id)) == 1  # no second pin
    assert "U0ALICE" in emulator.members(channels[0].id)
    assert "is ready now" in emulator.dms("U0ALICE")[-1].text


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="replicas share a PostgreSQL server")
async def test_two_replicas_on_postgresql_make_one_crisis_of_simultaneous_alerts(emulator, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL server")
    replicas = [BotProcess(emulator, database_url), BotProcess(emulator, database_url)]
    await asyncio.gather(*(r.start() for r in replicas))  # they migrate the same database at once
    try:
        body = json.dumps(sample("generic_firing")).encode()
        async with aiohttp.ClientSession() as session:
            async def send(replica):
                headers = {"Authorization": f"Bearer {replica.alert_token}", "Content-Type": "application/json"}
                async with session.post(replica.url + "/alerts/generic", data=body, headers=headers) as response:
                    return response.status, await response.json()

            answers = await asyncio.gather(*(send(replicas[n % 2]) for n in range(60)))
        assert {status for status, _ in answers} == {202}
        assert len({a["crisis"] for _, a in answers}) == 1

        def opened():
            channels = crisis_channels(emulator)
            return channels if channels and emulator.pins(channels[0].id) else None

        channels = await emulator.wait_for(opened, timeout=60)
        # Recorded open, its lease let go: from here no replica's tick resumes it, so the counts are final.
        await emulator.wait_for(lambda: recorded_open(database_url), timeout=60)
        assert len(crisis_channels(emulator)) == 1
        assert len(plans(emulator, channels[0].id)) == 1
        assert len([c for c in emulator.calls_to("conversations.create") if c.response.get("ok")]) == 1
    finally:
        await asyncio.gather(*(r.stop() for r in replicas))
