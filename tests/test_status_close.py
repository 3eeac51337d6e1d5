"""`/crisis status` and `/crisis close`, and a restart between them."""

from __future__ import annotations

import asyncio

from tests.support.crisis import open_crisis
from tests.support.people import Person, fill_in


async def test_status_in_the_crisis_channel_tells_age_and_lead(alice: Person, emulator, clock):
    channel = await open_crisis(alice)
    clock.advance(minutes=42)

    await alice.types("/crisis status", channel=channel)

    told = await alice.sees_privately("Open for 42 min")
    shown = told.text + str(told.blocks)
    assert "Serum video" in shown
    assert "Lead <@U0ALICE>" in shown
    assert "Severity *High*" in shown


async def test_status_elsewhere_lists_the_active_crises(alice: Person, bob: Person, emulator):
    channel = await open_crisis(alice)

    await bob.types("/crisis status", channel="C0GENERAL")

    told = await bob.sees_privately("Active crises")
    assert f"<#{channel}>" in told.text


async def test_close_posts_a_summary_and_closing_twice_is_refused(alice: Person, emulator, clock):
    channel = await open_crisis(alice)
    clock.advance(hours=1, minutes=30)

    await alice.types("/crisis close", channel=channel)
    await fill_in(alice, {"outcome": "The video was taken down", "learnings": ""})

    await alice.sees_privately("is closed")
    summary = emulator.messages(channel)[-1]
    shown = str(summary.blocks)
    assert "Crisis closed: Serum video" in shown
    assert "Opened by <@U0ALICE>" in shown
    assert "closed by <@U0ALICE>" in shown
    assert "It lasted *1 h 30 min*" in shown

    await alice.types("/crisis close Answer faster", channel=channel)
    await alice.sees_privately("already closed")
    stories = [m for m in emulator.messages(channel) if "Crisis closed" in str(m.blocks)]
    assert len(stories) == 1


async def test_close_outside_a_crisis_channel_is_refused(alice: Person, emulator):
    await alice.types("/crisis close", channel="C0GENERAL")

    told = await alice.sees_privately("not a crisis room")
    assert "Traceback" not in told.text
    assert emulator.calls_to("chat.postMessage") == []


async def test_a_crisis_survives_a_restart_of_the_bot(alice: Person, emulator, bot, workspace, clock):
    channel = await open_crisis(alice)

    await bot.restart()
    workspace.bot_url = bot.events_url
    clock.advance(minutes=5)

    await alice.types("/crisis status", channel=channel)
    told = await alice.sees_privately("Open for 5 min")
    assert "Serum video" in told.text + str(told.blocks)
    await alice.types("/crisis close Keep the plan pinned", channel=channel)
    await alice.sees_privately("is closed")
    assert "Crisis closed: Serum video" in str(emulator.messages(channel)[-1].blocks)


async def test_a_crisis_closed_while_still_opening_stays_closed(alice: Person, emulator, bot):
    topic_held = asyncio.Event()
    emulator.inject("conversations.setTopic", until=topic_held)  # one opening step lags behind
    await alice.types("/crisis open high Lagging topic")
    channel = await emulator.wait_for(lambda: next(
        (c for c in emulator.channels if (c.name or "").endswith("lagging-topic") and emulator.pins(c.id)), None))

    await alice.types("/crisis close Close early", channel=channel.id)
    await alice.sees_privately("is closed")
    topic_held.set()
    await alice.sees_privately("is open")  # the opening finishes afterwards

    crisis = await bot.services.crises.in_channel(channel.id)
    assert crisis.is_closed
