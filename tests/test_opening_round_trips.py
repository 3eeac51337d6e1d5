"""Opening a crisis takes three Slack round trips to a pinned plan, and the room never waits for the managers.

What Slack (the emulator's call log) sees of a fresh opening: conversations.create, then at once the plan's
chat.postMessage, then pins.add; no conversations.history (only a resumed opening looks for an earlier plan).
What the opener sees: "the room is open" while the managers' announcement is still held back by Slack's limit for
their channel. And a resumed opening still finds the plan a dead process posted.
"""

from __future__ import annotations

import asyncio

import aiohttp
from sqlalchemy import text

from bot.emulator import SlackEmulator, Workspace
from handlers.ratelimit import SlackRateLimiter
from storage.engine import make_engine
from tests.support.crisis import crisis_channels
from tests.support.harness import SIGNING_SECRET, TOKEN, BotUnderTest
from tests.support.people import Person
from tests.support.processes import BotProcess
from tests.support.processes import emulator  # noqa: F401 - the processes' emulator

LATENCY = 0.2  # seconds per Web API call: a call the opening waited for would fit between two others


def plan_posts(emu: SlackEmulator, channel: str) -> list:
    return [c for c in emu.calls_to("chat.postMessage")
            if c.args.get("channel") == channel and "The 5 R method" in str(c.args.get("blocks"))]


def chain_to(emu: SlackEmulator, last, since: float) -> int:
    """The longest run of Web API calls sent from `since` on, each sent after the one before it was answered,
    that ends with `last`."""
    calls = sorted((c for c in emu.calls if c.method != "response_url" and emu.started(c) >= since
                    and c.at <= last.at), key=lambda c: c.at)
    depth: dict[int, int] = {}
    for call in calls:
        depth[id(call)] = 1 + max((depth[id(c)] for c in calls if c.at <= emu.started(call) and id(c) in depth),
                                  default=0)
    return depth[id(last)]


async def test_a_fresh_opening_posts_its_plan_right_after_the_channel_and_pins_it_next(database_url, clock):
    emu = SlackEmulator(bot_token=TOKEN, latency=LATENCY)
    await emu.start()
    bot = await BotUnderTest(emu, database_url, clock, crisisbot_managers_channel="C0MANAGERS").start()
    try:
        async with aiohttp.ClientSession() as session:
            alice = Person("U0ALICE", Workspace(emu, bot_url=bot.events_url, signing_secret=SIGNING_SECRET,
                                                session=session), emu)
            asked = emu.clock()
            await alice.types("/crisis open high Influencer video claims our serum burns skin")
            await alice.sees_privately("is open")
            await bot.settled()

        [channel] = crisis_channels(emu)
        [create] = emu.calls_to("conversations.create")
        [plan] = plan_posts(emu, channel.id)
        [pin] = [c for c in emu.calls_to("pins.add") if c.args.get("channel") == channel.id]
        assert emu.calls_to("conversations.history") == []  # a channel just made holds no earlier plan
        assert create.at <= emu.started(plan) and plan.at <= emu.started(pin)
        assert pin.args.get("timestamp") == plan.response["ts"] and emu.pins(channel.id) == [plan.response["ts"]]
        assert chain_to(emu, plan, asked) == 2  # nothing waited for between the channel and the plan (step records…)
        assert chain_to(emu, pin, asked) == 3  # create -> post -> pin
    finally:
        await bot.stop()
        await emu.close()


async def test_the_opener_is_told_the_room_is_ready_while_the_managers_announcement_is_held(database_url, clock):
    """Slack refuses the announcement (its one-message-a-second limit for the managers' channel, already spent
    by another app on the token) and the limiter holds it until the test lets the window free. The opener hears
    the room is open meanwhile; the announcement goes out afterwards, and the opening ends complete."""
    emu = SlackEmulator(bot_token=TOKEN, enforce_rate_limits=True)
    await emu.start()
    window_frees = asyncio.Event()

    async def held(seconds: float) -> None:  # the limiter's waits end when the test says the window frees
        await window_frees.wait()
        await asyncio.sleep(seconds)

    bot = await BotUnderTest(emu, database_url, clock, crisisbot_managers_channel="C0MANAGERS",
                             limiter=SlackRateLimiter(sleep=held)).start()
    try:
        async with aiohttp.ClientSession() as session:
            for n in range(10):  # the managers' channel's burst, spent
                async with session.post(emu.base_url + "chat.postMessage", headers={"Authorization": f"Bearer {TOKEN}"},
                                        json={"channel": "C0MANAGERS", "text": f"Other news {n}"}) as answer:
                    assert (await answer.json())["ok"]
            alice = Person("U0ALICE", Workspace(emu, bot_url=bot.events_url, signing_secret=SIGNING_SECRET,
                                                session=session), emu)
            await alice.types("/crisis open high Boycott call trending")

            told = await alice.sees_privately("is open")
            [channel] = crisis_channels(emu)
            assert f"<#{channel.id}" in told.text
            assert emu.pins(channel.id)
            refused = [c for c in emu.calls_to("chat.postMessage")
                       if c.args.get("channel") == "C0MANAGERS" and c.status == 429]
            assert refused, "Slack refused the announcement"
            assert not [m for m in emu.messages("C0MANAGERS") if "Boycott call trending" in m.text]
            crisis = await bot.services.deps.crises.by_channel(channel.id)
            assert crisis is not None and crisis.status.value == "open"  # counted as open: its room is ready

            window_frees.set()
            await emu.wait_for(lambda: [m for m in emu.messages("C0MANAGERS") if "Boycott call trending" in m.text])
            await bot.settled()
        steps = await bot.services.deps.crises.steps(crisis.id)
        assert steps["announce"].status.value == "done"
        assert await rows(database_url, f"SELECT lease_owner FROM crisis WHERE id = {crisis.id}") == [(None,)]
    finally:
        window_frees.set()
        await bot.stop()
        await emu.close()


async def rows(database_url: str, sql: str) -> list[tuple]:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            return [tuple(r) for r in await conn.execute(text(sql))]
    finally:
        await engine.dispose()




async def test_a_resumed_opening_finds_the_plan_a_dead_process_posted(emulator, database_url):
    """Killed right after its plan was posted and before that was recorded: the next process looks in the channel
    (conversations.history) and pins that plan instead of posting another."""
    process = await BotProcess(emulator, database_url, CRISISBOT_CRASH_AT="did:post_plan").start()
    try:
        async with aiohttp.ClientSession() as session:
            ws = Workspace(emulator, bot_url=process.url + "/slack/events", signing_secret=process.signing_secret,
                           session=session)
            reply = await ws.slash("U0ALICE", "C0GENERAL", "open high Leaked memo", command="/crisis")
            assert reply.status == 200
        assert process.proc is not None
        await asyncio.wait_for(process.proc.wait(), 60)
        assert process.proc.returncode == -9
    finally:
        await process.kill()
    [channel] = crisis_channels(emulator)
    assert len(plan_posts(emulator, channel.id)) == 1 and not emulator.pins(channel.id)

    process = await BotProcess(emulator, database_url).start()
    try:
        await emulator.wait_for(lambda: emulator.pins(channel.id), timeout=60)
        await emulator.wait_for(lambda: [m for m in emulator.dms("U0ALICE") if "is ready now" in m.text], timeout=60)
    finally:
        await process.stop()
    [plan] = plan_posts(emulator, channel.id)
    assert emulator.pins(channel.id) == [plan.response["ts"]]
    looked = [c for c in emulator.calls_to("conversations.history") if c.args.get("channel") == channel.id]
    assert looked and looked[0].at > plan.at  # the resumed opening looked for it, and found it
