"""Start-up doesn't hang on one auth.test: Slack failing it for a passing reason loses no request.

Bolt, given a token, asks auth.test on the first request and answers any failure of it with "your installation
with this app is no longer available" (slack_bolt/middleware/authorization/async_single_team_authorization.py).
crisisbot asks before serving, with backoff, and a request that comes while Slack still doesn't answer is told
so plainly and changes nothing.
"""

from __future__ import annotations

import time

import aiohttp

from bot.emulator import Workspace
from tests.support.crisis import crisis_channels
from tests.support.harness import SIGNING_SECRET, BotUnderTest
from tests.support.people import Person, text_of

INSTALLATION_ERROR = "no longer available"


async def _bot(emulator, database_url, clock, **settings) -> BotUnderTest:
    return await BotUnderTest(emulator, database_url, clock, crisisbot_managers_channel="C0MANAGERS",
                              **settings).start()


async def test_auth_test_failing_at_start_is_asked_again_and_the_first_request_opens_its_crisis(
        emulator, database_url, clock):
    for times in (1, 3):  # once, then several times in a row
        emulator.inject("auth.test", error="internal_error", times=times)
        bot = await _bot(emulator, database_url, clock)
        try:
            async with aiohttp.ClientSession() as session:
                alice = Person("U0ALICE", Workspace(emulator, bot_url=bot.events_url, signing_secret=SIGNING_SECRET,
                                                    session=session), emulator)
                before = len(crisis_channels(emulator))
                reply = await alice.types(f"/crisis open Leaked memo {times}")

                assert reply.status == 200 and INSTALLATION_ERROR not in text_of(reply)
                await alice.sees_privately("is open", timeout=20)
                assert len(crisis_channels(emulator)) == before + 1  # the request was not lost
                assert not [e for e in emulator.ephemerals(user="U0ALICE") if INSTALLATION_ERROR in e.text]
                failed = [c for c in emulator.calls_to("auth.test") if c.response.get("error") == "internal_error"]
                assert len(failed) >= times
        finally:
            await bot.stop()


async def test_a_request_while_slack_does_not_answer_is_told_so_and_changes_nothing(emulator, database_url, clock):
    emulator.inject("auth.test", error="service_unavailable", times=None)
    bot = await _bot(emulator, database_url, clock, slack_startup_seconds=0.5)
    try:
        async with aiohttp.ClientSession() as session:
            alice = Person("U0ALICE", Workspace(emulator, bot_url=bot.events_url, signing_secret=SIGNING_SECRET,
                                                session=session), emulator)
            asked = time.monotonic()
            reply = await alice.types("/crisis open Leaked memo")
            answered = time.monotonic() - asked

            assert reply.status == 200 and answered < 3  # within Slack's three seconds
            told = text_of(reply)
            assert "Slack is not answering crisisbot right now" in told and "nothing was done" in told
            assert INSTALLATION_ERROR not in told
            await bot.settled()
            assert await bot.services.deps.crises.active() == [] and crisis_channels(emulator) == []

            emulator.clear_faults()  # Slack is back: the retry works
            await alice.types("/crisis open Leaked memo")
            await alice.sees_privately("is open", timeout=20)
            assert len(crisis_channels(emulator)) == 1
    finally:
        await bot.stop()


async def test_a_token_slack_refuses_for_good_is_not_asked_again_and_again(emulator, database_url, clock):
    emulator.inject("auth.test", error="invalid_auth", times=None)
    asked = time.monotonic()
    bot = await _bot(emulator, database_url, clock)
    try:
        assert time.monotonic() - asked < 10  # no waiting out the start-up budget for an answer that won't change
        assert len(emulator.calls_to("auth.test")) == 1
    finally:
        await bot.stop()
