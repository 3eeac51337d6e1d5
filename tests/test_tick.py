"""The scheduler's tick never blocks: openings waiting on Slack's rate limits don't hold back a reminder, and a
tick with a budget ends within it."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import aiohttp

from bot.domain.crisis import OpenRequest, Status
from bot.emulator import Workspace
from handlers.ratelimit import SlackRateLimiter
from tests.support.crisis import open_crisis
from tests.support.harness import ALERT_TOKEN, SIGNING_SECRET, BotUnderTest
from tests.support.people import Person

BUDGET = 2.0  # seconds: the scheduler gives a tick its interval (x 0.9)


def reminders_in(emulator, channel: str) -> list:
    return [m for m in emulator.messages(channel) if "still lacks" in m.text + str(m.blocks)]


async def test_a_tick_with_openings_stuck_on_the_limiter_still_reminds_and_ends_in_its_budget(
        emulator, database_url, clock):
    limiter = SlackRateLimiter(max_wait=10_000)  # a wait as long as Slack asks: the openings below just wait
    bot = await BotUnderTest(emulator, database_url, clock, limiter=limiter, crisisbot_managers_channel="C0MANAGERS",
                             crisisbot_alert_token=ALERT_TOKEN).start()
    try:
        async with aiohttp.ClientSession() as session:
            alice = Person("U0ALICE", Workspace(emulator, bot_url=bot.events_url, signing_secret=SIGNING_SECRET,
                                                session=session), emulator)
            channel = await open_crisis(alice)
            # Five openings left unfinished by a dead process (its lease ran out), and Slack asking the bot to
            # hold conversations.create for an hour (a Retry-After):
            services = bot.services
            dead = ("a-dead-process", datetime.now(timezone.utc) - timedelta(minutes=1))
            stuck = [await services.deps.crises.add(
                services.crises.validate(OpenRequest(f"Spike {n}", "U0BOB", "high")), dead) for n in range(5)]
            limiter.pause("conversations.create", 3600)
            clock.advance(minutes=15)  # the first crisis's missing-fields reminder is due

            began = time.monotonic()
            await services.tick(BUDGET)
            took = time.monotonic() - began

            assert took < BUDGET + 1.0  # bounded, though five openings wait on Slack for an hour
            assert len(reminders_in(emulator, channel)) == 1  # the due reminder went out meanwhile
            for crisis in stuck:  # still opening, their database steps done, no channel yet
                current = await services.deps.crises.get(crisis.id)
                assert current.status is Status.OPENING and current.channel_id is None
                steps = await services.deps.crises.steps(crisis.id)
                assert {"opened_entry", "lead_role", "reminders"} <= {s for s, st in steps.items()
                                                                      if st.status.value == "done"}

            began = time.monotonic()
            await services.tick(BUDGET)  # the resume is still at it: not started twice, the tick still bounded
            assert time.monotonic() - began < BUDGET + 1.0
            assert len(reminders_in(emulator, channel)) == 1  # and the reminder not doubled
    finally:
        await bot.stop()
