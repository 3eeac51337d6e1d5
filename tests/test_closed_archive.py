"""Archiving a closed crisis's channel: the plan's archive_after_close, its notice, once across processes."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.plan import Plan, PlanError
from bot.domain.timeline import Kind
from bot.emulator import Message
from bot.plan_loader import load_plan
from tests.support.crisis import open_crisis
from tests.support.harness import TOKEN, BotUnderTest
from tests.support.people import Person
from tests.test_closed import MANAGERS, close_with_form, posted, shown, timeline


# ----- archiving the channel after the close ----------------------------------------------------------


def notices(emulator, channel: str) -> list[Message]:
    return posted(emulator, channel, "This channel will be archived on")


async def test_the_channel_is_archived_seven_days_after_the_close_a_day_after_its_notice(
        alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice)
    await close_with_form(alice, channel)
    closed_at = clock.now()

    clock.advance(days=6, minutes=-1)
    await bot.tick()
    assert notices(emulator, channel) == []
    clock.advance(minutes=1)
    await bot.tick()
    [notice] = notices(emulator, channel)
    archive_at = int((closed_at + timedelta(days=7)).timestamp())
    assert f"<!date^{archive_at}^" in shown(notice)
    assert "`/crisis reopen` keeps it" in shown(notice)

    clock.advance(days=1, minutes=-1)
    await bot.tick()
    assert not emulator.channel(channel).is_archived
    clock.advance(minutes=1)
    await bot.tick()
    assert emulator.channel(channel).is_archived
    assert len(emulator.calls_to("conversations.archive")) == 1
    assert (await timeline(bot, channel))[-1].kind is Kind.ARCHIVED
    assert (await bot.services.crises.in_channel(channel)).archived_at == clock.now()

    clock.advance(days=30)
    await bot.tick()
    assert len(emulator.calls_to("conversations.archive")) == 1
    assert len(notices(emulator, channel)) == 1

    # Slack lets no one type in an archived channel; should a reopen arrive anyway, it says why not.
    await alice.types("/crisis reopen", channel=channel)
    await alice.sees_privately("Slack doesn't let a bot unarchive a channel")
    assert (await bot.services.crises.in_channel(channel)).is_closed


async def test_reopening_cancels_the_pending_archive(alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice)
    await close_with_form(alice, channel)
    clock.advance(days=6)
    await bot.tick()
    assert len(notices(emulator, channel)) == 1

    await alice.types("/crisis reopen", channel=channel)
    await alice.sees_privately("The crisis is active again.")
    clock.advance(days=2)
    await bot.tick()

    assert emulator.calls_to("conversations.archive") == []
    assert not emulator.channel(channel).is_archived


async def test_two_bots_on_one_database_archive_once(alice: Person, emulator, bot, database_url, clock):
    channel = await open_crisis(alice)
    await close_with_form(alice, channel)
    other = await BotUnderTest(emulator, database_url, clock, crisisbot_managers_channel=MANAGERS).start()
    try:
        clock.advance(days=6)
        await asyncio.gather(bot.tick(), other.tick(), bot.tick(), other.tick())
        clock.advance(days=1)
        await asyncio.gather(bot.tick(), other.tick(), bot.tick(), other.tick())
    finally:
        await other.stop()

    assert len(notices(emulator, channel)) == 1
    assert len(emulator.calls_to("conversations.archive")) == 1
    assert [e.kind for e in await timeline(bot, channel)].count(Kind.ARCHIVED) == 1


async def test_an_archive_slack_could_not_do_is_tried_again(alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice)
    await close_with_form(alice, channel)
    emulator.inject("conversations.archive", error="internal_error", times=1)

    clock.advance(days=7)
    await bot.tick()
    assert not emulator.channel(channel).is_archived
    clock.advance(minutes=5)
    await bot.tick()
    assert emulator.channel(channel).is_archived


@pytest.fixture
async def quick_bot(emulator, database_url, clock):
    """The bot with a plan that archives 36 hours after the close."""
    plan = replace(load_plan(), archive_after_close=timedelta(hours=36))
    bot = await BotUnderTest(emulator, database_url, clock, plan=plan, crisisbot_managers_channel=MANAGERS).start()
    yield bot
    await bot.stop()


async def test_a_short_wait_gets_its_notice_half_way(emulator, quick_bot, workspace, clock):
    workspace.bot_url = quick_bot.events_url
    alice = Person("U0ALICE", workspace, emulator)
    channel = await open_crisis(alice)
    await alice.types("/crisis close Done", channel=channel)
    await alice.sees_privately("is closed")

    clock.advance(hours=18, minutes=-1)
    await quick_bot.tick()
    assert notices(emulator, channel) == []
    clock.advance(minutes=1)
    await quick_bot.tick()
    assert len(notices(emulator, channel)) == 1
    clock.advance(hours=18)
    await quick_bot.tick()
    assert emulator.channel(channel).is_archived


def test_the_plan_reads_archive_after_close():
    base = load_plan()
    assert base.archive_after_close == timedelta(days=7)  # the default plan
    data = {"phases": [{"key": "response", "name": "Response", "summary": "Out"},
                       {"key": "rethink", "name": "Rethink", "summary": "Learnt"}],
            "severities": [{"key": "high", "label": "High"}], "roles": [{"key": "lead", "name": "Lead"}],
            "sitrep": [{"key": "origin", "label": "Origin"}]}
    assert Plan.from_dict(data).archive_after_close is None  # absent: never
    for text, wait in (("7d", timedelta(days=7)), ("36h", timedelta(hours=36)), ("90m", timedelta(minutes=90))):
        assert Plan.from_dict({**data, "archive_after_close": text}).archive_after_close == wait
    for bad in ("0d", 7, "soon"):
        with pytest.raises(PlanError, match="archive_after_close"):
            Plan.from_dict({**data, "archive_after_close": bad})


# ----- the emulator archives as Slack does -----------------------------------------------------------


async def test_the_emulator_archives_as_slack_does(emulator):
    client = AsyncWebClient(token=TOKEN, base_url=emulator.base_url)
    created = await client.conversations_create(name="crisis-archive-check")
    channel = created["channel"]["id"]

    await client.conversations_archive(channel=channel)
    for call, error in ((client.conversations_archive(channel=channel), "already_archived"),
                        (client.chat_postMessage(channel=channel, text="hello"), "is_archived"),
                        (client.conversations_archive(channel="C0GENERAL"), "cant_archive_general")):
        with pytest.raises(SlackApiError) as err:
            await call
        assert err.value.response["error"] == error
