"""A real closed state: what the topic and the pinned plan say, what a closed crisis refuses, `/crisis reopen`,
bare `/crisis` in a crisis room, and the channel archived some time after the close."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.plan import PlanError
from bot.domain.timeline import Kind
from bot.plan_loader import load_plan
from bot.emulator import Message
from tests.support.crisis import open_crisis
from tests.support.harness import TOKEN, BotUnderTest
from tests.support.people import Person, fill_in

CLOSED = "This crisis is closed; `/crisis reopen` to reopen it."
MANAGERS = "C0MANAGERS"


def shown(message: Message) -> str:
    return message.text + " " + str(message.blocks)


def the_plan(emulator, channel: str) -> Message:
    [ts] = emulator.pins(channel)
    return emulator.find_message(channel, ts)


def buttons(message: Message) -> list[str]:
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def topic(emulator, channel: str) -> str:
    return emulator.channel(channel).topic


def posted(emulator, channel: str, containing: str) -> list[Message]:
    return [m for m in emulator.messages(channel) if containing in shown(m)]


async def answered(person: Person, line: str, channel: str, expected: str) -> str:
    """Types a command and waits for a new private answer containing `expected` (older ones don't count)."""
    before = len(person.private_texts())
    await person.types(line, channel=channel)
    found = await person.emu.wait_for(lambda: [t for t in person.private_texts()[before:] if expected in t])
    return found[0]


async def close_with_form(person: Person, channel: str, outcome: str = "The video was taken down") -> None:
    await person.types("/crisis close", channel=channel)
    await fill_in(person, {"outcome": outcome, "learnings": ""})
    await person.sees_privately("is closed")


async def timeline(bot, channel: str) -> list:
    crisis = await bot.services.crises.in_channel(channel)
    return await bot.services.deps.dossier.timeline(crisis.id)


# ----- after the close: the topic and the pinned plan -------------------------------------------------


async def test_after_the_close_form_the_topic_and_the_plan_say_closed_with_the_outcome_and_the_buttons_go(
        alice: Person, emulator):
    channel = await open_crisis(alice)
    assert "take_role" in buttons(the_plan(emulator, channel))

    await close_with_form(alice, channel)

    assert topic(emulator, channel).startswith(":white_check_mark: Closed: The video was taken down")
    plan = the_plan(emulator, channel)
    assert "*Closed* by <@U0ALICE>" in shown(plan)
    assert "Outcome: The video was taken down" in shown(plan)
    assert buttons(plan) == []


async def test_close_with_text_has_no_outcome_and_says_just_closed(alice: Person, emulator):
    channel = await open_crisis(alice)

    await alice.types("/crisis close Answer within the hour", channel=channel)
    await alice.sees_privately("is closed")

    assert topic(emulator, channel) == ":white_check_mark: Closed · Serum video"
    plan = the_plan(emulator, channel)
    assert "*Closed* by <@U0ALICE>" in shown(plan) and "Outcome" not in shown(plan)
    assert buttons(plan) == []


# ----- a closed crisis refuses changes, on every surface ----------------------------------------------


@pytest.mark.parametrize("line", [
    "/crisis sitrep origin: a TikTok video", "/crisis sitrep", "/crisis note The CEO spoke",
    "/crisis milestone response", "/crisis role legal <@U0BOB>", "/crisis role legal", "/crisis severity low",
])
async def test_a_closed_crisis_refuses_changes_typed_in_its_channel(alice: Person, emulator, bot, line):
    channel = await open_crisis(alice)
    await alice.types("/crisis close Done", channel=channel)
    await alice.sees_privately("is closed")
    before = len(await timeline(bot, channel))
    posts = len(emulator.messages(channel))

    await alice.types(line, channel=channel)

    told = await alice.sees_privately(CLOSED)
    assert told.text == CLOSED
    assert len(await timeline(bot, channel)) == before
    assert len(emulator.messages(channel)) == posts
    assert emulator.open_views(alice.id) == []


async def test_buttons_and_forms_left_from_before_the_close_are_refused(alice: Person, emulator, bot):
    channel = await open_crisis(alice)
    await alice.types("/crisis", channel=channel)  # the crisis's actions, as an ephemeral kept on screen
    actions = await alice.sees_privately("what would you like to do")
    await alice.types("/crisis sitrep", channel=channel)  # a report form left open
    [form] = await emulator.wait_for(lambda: emulator.open_views(alice.id))
    await alice.types("/crisis close Done", channel=channel)
    await alice.sees_privately("is closed")
    before = len(await timeline(bot, channel))

    reply = await alice.ws.submit_view(alice.id, form.id, {"origin": "A TikTok video"})
    assert reply.body["response_action"] == "errors"
    assert CLOSED in str(reply.body["errors"])  # the form stays open with what was typed

    for action_id in ("take_role", "sitrep_open"):
        await alice.ws.click(alice.id, channel, actions.ts, action_id)
    crisis = await bot.services.crises.in_channel(channel)
    await alice.ws.click(alice.id, channel, actions.ts, "phase_select", value=f"{crisis.id}:response")
    await emulator.wait_for(lambda: len([t for t in alice.private_texts() if t == CLOSED]) == 3)
    await alice.ws.click(alice.id, channel, actions.ts, "close_open")
    await alice.sees_privately("already closed")
    assert len(await timeline(bot, channel)) == before


# ----- reopening -------------------------------------------------------------------------------------


async def test_the_lead_reopens_a_closed_crisis(alice: Person, bob: Person, emulator, bot, clock):
    channel = await open_crisis(alice)
    open_topic = topic(emulator, channel)
    await close_with_form(alice, channel)
    clock.advance(hours=2)

    await bob.types("/crisis reopen", channel=channel)
    await bob.sees_privately("Only the crisis lead (<@U0ALICE>) or an admin can reopen this crisis.")
    await alice.types("/crisis reopen", channel=channel)
    await alice.sees_privately("The crisis is active again.")

    assert topic(emulator, channel) == open_topic
    plan = the_plan(emulator, channel)
    assert "Closed" not in shown(plan)
    assert buttons(plan) == ["take_role", "phase_select", "sitrep_open", "close_open"]
    [told] = posted(emulator, channel, "was reopened by <@U0ALICE>")
    assert "The plan's buttons and the reminders are back" in shown(told)
    assert posted(emulator, MANAGERS, "*Serum video* was reopened by <@U0ALICE>")
    entry = (await timeline(bot, channel))[-1]
    assert (entry.kind, entry.author) == (Kind.REOPENED, "U0ALICE")

    await answered(alice, "/crisis note Back on it", channel, "Added to the timeline")  # changes are taken again
    clock.advance(minutes=15)  # and the reminders of an active crisis run again
    assert await bot.tick() == 1
    assert posted(emulator, channel, "still lacks")

    await answered(alice, "/crisis reopen", channel, "This crisis is not closed.")

    await alice.types("/crisis close Reopened once", channel=channel)  # the story tells the reopening
    _, story = await emulator.wait_for(lambda: len(stories := posted(emulator, channel, "Crisis closed")) == 2
                                       and stories)
    assert "<@U0ALICE> reopened the crisis." in shown(story)


async def test_the_words_for_reopen(alice: Person, emulator):
    channel = await open_crisis(alice)
    for word in ("reopen", "reabrir", "riapri"):
        await answered(alice, "/crisis close Done", channel, "is closed")
        await answered(alice, f"/crisis {word}", channel, "The crisis is active again.")


# ----- bare /crisis -----------------------------------------------------------------------------------


async def test_bare_crisis_in_a_crisis_room_shows_its_actions_and_elsewhere_opens_the_form(alice: Person, emulator):
    channel = await open_crisis(alice)

    await alice.types("/crisis", channel=channel)
    actions = await alice.sees_privately("*Serum video*: what would you like to do?")
    assert buttons(actions) == ["take_role", "phase_select", "sitrep_open", "close_open"]
    assert emulator.open_views(alice.id) == []

    await alice.ws.click(alice.id, channel, actions.ts, "take_role")  # the buttons work as on the plan
    [view] = await emulator.wait_for(lambda: emulator.open_views(alice.id))
    assert view.view["callback_id"] == "crisis_take_role"
    await alice.ws.close_view(alice.id, view.id)

    await alice.types("/crisis", channel="C0GENERAL")
    [view] = await emulator.wait_for(lambda: emulator.open_views(alice.id))
    assert view.view["callback_id"] != "crisis_take_role"


async def test_bare_crisis_in_a_closed_room_offers_reopen(alice: Person, emulator, bot):
    channel = await open_crisis(alice)
    await close_with_form(alice, channel)

    await alice.types("/crisis", channel=channel)
    actions = await alice.sees_privately("*Serum video* is closed.")
    assert buttons(actions) == ["crisis_reopen"]
    assert "Outcome: The video was taken down" in shown(actions)

    await alice.ws.click(alice.id, channel, actions.ts, "crisis_reopen")
    await alice.sees_privately("The crisis is active again.")
    assert not (await bot.services.crises.in_channel(channel)).is_closed
    assert buttons(the_plan(emulator, channel)) == ["take_role", "phase_select", "sitrep_open", "close_open"]


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
    from bot.domain.plan import Plan
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
