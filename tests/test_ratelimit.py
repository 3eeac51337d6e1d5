"""The bot keeps under Slack's rate limits by itself, even when alerts storm in on many keys."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time

import pytest

import aiohttp

from bot.emulator import SlackEmulator, Workspace
from handlers.ratelimit import MARGIN, RateLimitWait, SlackRateLimiter
from tests.support.crisis import crisis_channels
from tests.support.harness import ALERT_TOKEN, SIGNING_SECRET, TOKEN, BotUnderTest
from tests.support.people import Person
from tests.support.senders import Sender, sample


class VirtualTime:
    def __init__(self):
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


class Timeline:
    """Virtual time for callers that wait side by side: each sleeps until the timeline reaches its moment;
    `run` lets every task go as far as it can, then moves time on to the earliest sleeper."""

    def __init__(self):
        self.now = 0.0
        self._sleepers: list = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), wake))
        await wake

    async def run(self, *coros):
        tasks = [asyncio.ensure_future(c) for c in coros]
        while True:
            for _ in range(50):
                await asyncio.sleep(0)
            if all(t.done() for t in tasks):
                return [t.result() for t in tasks]
            while self._sleepers and self._sleepers[0][2].cancelled():
                heapq.heappop(self._sleepers)
            assert self._sleepers, "a task waits on something other than time"
            at, _, wake = heapq.heappop(self._sleepers)
            self.now = max(self.now, at)
            wake.set_result(None)


async def test_channel_creation_keeps_to_its_tier_and_recovers_as_the_window_frees():
    time_ = VirtualTime()
    limiter = SlackRateLimiter(clock=time_.clock, sleep=time_.sleep, max_wait=10_000)

    at = []
    for _ in range(60):
        await limiter.acquire("conversations.create")
        at.append(time_.now)

    assert at[:20] == [0.0] * 20  # Tier 2's twenty go at once: fifteen crises opened together are not held back
    assert max(sum(1 for t in at if start <= t < start + 60) for start in at) <= 20  # never more in a minute
    # beyond the window, each call goes as soon as the call it waits for has left the window, not later
    assert all(at[n] == at[n - 20] + 60 + MARGIN for n in range(20, 60))
    assert at[-1] < 2 * (60 + MARGIN) + 1  # sixty calls in the three windows they need: the tier's whole rate


async def test_calls_slack_refused_are_not_spent():
    """Slack answers 429 to five pins (another app on the token): those five slots are not spent, and the next
    five go once Retry-After has passed, not a minute later."""
    time_ = VirtualTime()
    limiter = SlackRateLimiter(clock=time_.clock, sleep=time_.sleep, max_wait=10_000)
    slots = [await limiter.take("pins.add") for _ in range(20)]
    for slot in slots[15:]:
        limiter.rejected(slot, retry_after=2)

    waits = [await limiter.acquire("pins.add") for _ in range(5)]
    assert 1.9 < waits[0] < 2.1 and waits[1:] == [0.0] * 4  # Retry-After, then the five freed slots
    limiter.max_wait = 30
    with pytest.raises(RateLimitWait):  # and now the window is full: twenty calls Slack took
        await limiter.acquire("pins.add")


async def test_a_retry_after_holds_the_callers_already_waiting():
    """Twelve posts to one channel: ten go at once, two wait for the bucket. Slack then refuses one of the ten
    with Retry-After 5 s: the two waiting don't go into the pause (Slack would refuse them too), they go after."""
    time_ = Timeline()
    limiter = SlackRateLimiter(clock=time_.clock, sleep=time_.sleep)
    served: dict[int, float] = {}
    slots: dict[int, object] = {}

    async def caller(n: int) -> None:
        slots[n] = await limiter.take("chat.postMessage", "C1")
        served[n] = time_.now

    async def slack_refuses_the_first() -> None:
        await time_.sleep(0.5)
        limiter.rejected(slots[0], retry_after=5)

    await time_.run(*(caller(n) for n in range(12)), slack_refuses_the_first())

    assert [served[n] for n in range(10)] == [0.0] * 10
    assert all(5.5 <= served[n] < 8 for n in (10, 11)), served
    assert served[10] <= served[11]  # still in the order they came


async def test_a_caller_cancelled_while_waiting_gives_its_slot_back():
    time_ = Timeline()
    limiter = SlackRateLimiter(clock=time_.clock, sleep=time_.sleep)
    served: dict[str, float] = {}

    async def caller(name: str, after: float = 0.0) -> None:
        await time_.sleep(after)
        await limiter.take("chat.postMessage", "C1")
        served[name] = time_.now

    async def scenario() -> None:
        for n in range(10):
            await caller(f"burst {n}")
        waiting = asyncio.ensure_future(caller("gone"))
        await time_.sleep(0.1)
        waiting.cancel()  # e.g. the opening it belonged to was cancelled at a shutdown
        await caller("next")

    await time_.run(scenario())
    assert "gone" not in served
    assert served["next"] < 1.5  # the slot the cancelled caller held, not the one after it (2.2 s)


async def test_retry_after_pauses_that_method_only_and_waiters_are_served_in_order():
    time_ = VirtualTime()
    limiter = SlackRateLimiter(clock=time_.clock, sleep=time_.sleep)
    limiter.pause("conversations.invite", 7)

    assert 6.9 < await limiter.acquire("conversations.invite") < 7.1
    assert await limiter.acquire("conversations.create") == 0.0

    real = SlackRateLimiter(scale=1 / 1000, max_wait=10_000)  # concurrent callers, on the loop's own clock
    served: list[int] = []

    async def caller(n: int) -> None:
        await real.acquire("conversations.create")
        served.append(n)

    await asyncio.gather(*(caller(n) for n in range(30)))
    assert served == list(range(30))  # first come, first served


async def test_posts_to_one_channel_burst_then_go_one_a_second():
    time_ = VirtualTime()
    limiter = SlackRateLimiter(clock=time_.clock, sleep=time_.sleep)

    waits = [await limiter.acquire("chat.postMessage", "C1") for _ in range(13)]
    other = await limiter.acquire("chat.postMessage", "C2")

    assert waits[:10] == [0.0] * 10
    assert 1.0 <= waits[10] <= 1.0 + MARGIN + 1e-9  # the bucket refilled, and a margin for the way to Slack
    assert all(0.99 < w < 1.01 for w in waits[11:])  # then one a second
    assert other == 0.0


async def test_alerts_on_many_keys_never_make_slack_refuse_a_channel(database_url, clock):
    """Slack's minute shrunk to two seconds on both sides: the emulator enforces the tiers."""
    start = time.time()
    emulator = SlackEmulator(bot_token=TOKEN, clock=lambda: start + (time.time() - start) * 30,
                             enforce_rate_limits=True)
    await emulator.start()
    # the scheduler ticks, as in production: a call that would wait past the limiter's bound fails for now and
    # the tick resumes its opening
    bot = await BotUnderTest(emulator, database_url, clock, limiter=SlackRateLimiter(scale=1 / 30),
                             crisisbot_alert_token=ALERT_TOKEN, crisisbot_tick_seconds=0.5).start()
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

            await emulator.wait_for(all_pinned, timeout=90)
            await emulator.wait_for(lambda: all(c.topic for c in emulator.channels
                                                if (c.name or "").startswith("crisis-")), timeout=90)
        # Channel creation never hits Slack's limit. (With Slack's minute squeezed 30-fold, a
        # few milliseconds of latency can still trip another method now and then; slack-sdk
        # retries those after Retry-After, and nothing is lost, as the topics show.)
        assert [c for c in emulator.calls_to("conversations.create") if c.status == 429] == []
    finally:
        await bot.stop()
        await emulator.close()


SQUEEZE = 30  # Slack's minute in two real seconds, on both sides


async def _squeezed(database_url, clock, **settings):
    start = time.time()
    emulator = SlackEmulator(bot_token=TOKEN, clock=lambda: start + (time.time() - start) * SQUEEZE,
                             enforce_rate_limits=True)
    await emulator.start()
    bot = await BotUnderTest(emulator, database_url, clock, limiter=SlackRateLimiter(scale=1 / SQUEEZE),
                             crisisbot_managers_channel="C0MANAGERS", crisisbot_tick_seconds=0.5,
                             **settings).start()
    return emulator, bot


def _gaps(emulator, since: float = 0.0) -> list[float]:
    """Slack seconds between one Web API call and the next, from `since` (Slack's clock) on. The start-up's
    auth.test comes before anyone types, so the wait for the first command is not a gap."""
    at = sorted(c.at for c in emulator.calls if c.at >= since)
    return [b - a for a, b in zip(at, at[1:])]


async def test_fifteen_openings_under_tier_2_never_stall_slack(database_url, clock):
    """15 people open crises at the same moment under Slack's enforced tiers: every plan is pinned, and the bot
    never leaves Slack idle for a whole window while openings wait (the limiter recovers as the window frees)."""
    emulator, bot = await _squeezed(database_url, clock)
    try:
        async with aiohttp.ClientSession() as session:
            ws = Workspace(emulator, bot_url=bot.events_url, signing_secret=SIGNING_SECRET, session=session)
            people = [Person(emulator.add_user(f"responder{n}").id, ws, emulator) for n in range(15)]
            # Slack refuses a few calls anyway (another app on the token): Retry-After is Slack seconds
            emulator.inject("conversations.setTopic", status=429, retry_after=20, times=3)
            asked, asked_slack = time.time(), emulator.clock()
            await asyncio.gather(*(p.types(f"/crisis open high Spike number {n}") for n, p in enumerate(people)))
            last_asked = (time.time() - asked) * SQUEEZE

            def pinned():
                channels = crisis_channels(emulator)
                return len(channels) == 15 and all(emulator.pins(c.id) for c in channels)

            await emulator.wait_for(pinned, timeout=120)
            took = (time.time() - asked) * SQUEEZE - last_asked
            await bot.settled()
        gaps = _gaps(emulator, since=asked_slack)
        print(f"15 openings: last plan pinned {took:.0f} Slack-s after the last request; longest gap without a "
              f"Slack call {max(gaps):.0f} Slack-s; 429s: {sum(c.status == 429 for c in emulator.calls)}")
        assert len(crisis_channels(emulator)) == 15  # none lost, none doubled
        assert max(gaps) < 60  # never a whole window without a Slack call
        assert took < 4 * 60  # the last opening is pinned within a few of Slack's minutes
    finally:
        await bot.stop()
        await emulator.close()
