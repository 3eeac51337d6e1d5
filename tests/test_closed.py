"""A real closed state: what the topic and the pinned plan say, what a closed crisis refuses, `/crisis reopen`,
and bare `/crisis` in a crisis room. (Archiving the channel after the close: test_closed_archive.py.)"""

from __future__ import annotations

import pytest

from bot.domain.timeline import Kind
from bot.emulator import Message
from tests.support.crisis import open_crisis
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
