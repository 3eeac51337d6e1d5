"""The bot keeps under Slack's rate limits by itself, even when alerts storm in on many keys."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from bot.emulator import SlackEmulator
from handlers.ratelimit import SlackRateLimiter
from tests.support.harness import ALERT_TOKEN, TOKEN, BotUnderTest
from tests.support.senders import Sender, sample


class VirtualTime:
    def __init__(self):
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_channel_creation_waits_for_its_tier():
    time_ = VirtualTime()
    limiter = SlackRateLimiter(clock=time_.clock, sleep=time_.sleep)

    waits = [await limiter.acquire("conversations.create") for _ in range(21)]

    assert waits[:20] == [0.0] * 20  # Tier 2: twenty a minute
    assert 60 < waits[20] < 62


async def test_posts_to_one_channel_burst_then_go_one_a_second():
    time_ = VirtualTime()
    limiter = SlackRateLimiter(clock=time_.clock, sleep=time_.sleep)

    waits = [await limiter.acquire("chat.postMessage", "C1") for _ in range(12)]
    other = await limiter.acquire("chat.postMessage", "C2")

    assert waits[:10] == [0.0] * 10 and all(0.9 < w < 1.1 for w in waits[10:])
    assert other == 0.0


async def test_alerts_on_many_keys_never_make_slack_refuse_a_channel(database_url, clock):
    """Slack's minute shrunk to two seconds on both sides: the emulator enforces the tiers."""
    start = time.time()
    emulator = SlackEmulator(bot_token=TOKEN, clock=lambda: start + (time.time() - start) * 30,
                             enforce_rate_limits=True)
    await emulator.start()
    bot = await BotUnderTest(emulator, database_url, clock, limiter=SlackRateLimiter(scale=1 / 30),
                             crisisbot_alert_token=ALERT_TOKEN).start()
    try:
        async with aiohttp.ClientSession() as session:
            sender = Sender(session, bot)
            answers = await asyncio.gather(*(
                sender.post("generic", {**sample("generic_firing"), "dedup_key": f"key-{n}",
                                        "title": f"Spike {n}"}) for n in range(25)))
            assert {a["status"] for _, a in answers} == {"opened"}

            def all_pinned():
                channels = [c for c in emulator.channels if (c.name or "").startswith("crisis-")]
                return len(channels) == 25 and all(emulator.pins(c.id) for c in channels)

            await emulator.wait_for(all_pinned, timeout=30)
            await emulator.wait_for(lambda: all(c.topic for c in emulator.channels
                                                if (c.name or "").startswith("crisis-")), timeout=30)
        # Channel creation never hits Slack's limit. (With Slack's minute squeezed 30-fold, a
        # few milliseconds of latency can still trip another method now and then; slack-sdk
        # retries those after Retry-After, and nothing is lost, as the topics show.)
        assert [c for c in emulator.calls_to("conversations.create") if c.status == 429] == []
    finally:
        await bot.stop()
        await emulator.close()
