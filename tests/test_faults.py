"""Slack misbehaves; nothing is lost: no crisis dropped, no channel made twice, no second plan or pin."""

from __future__ import annotations

import asyncio

from bot.emulator.state import BOT_USER_ID
from tests.support.crisis import crisis_channels, said_in
from tests.support.people import Person

NAME = "crisis-20261121-leaked-memo"



def plans(emulator, channel_id: str) -> list:
    return [m for m in emulator.messages(channel_id) if "The 5 R method" in str(m.blocks)]


async def test_a_429_is_waited_out_and_the_channel_made_once(alice: Person, emulator):
    emulator.inject("conversations.create", status=429, retry_after=1)

    await alice.types("/crisis open Leaked memo")

    await alice.sees_privately("is open", timeout=60)
    assert [c.status for c in emulator.calls_to("conversations.create")] == [429, 200]
    assert [c.name for c in crisis_channels(emulator)] == [NAME]


async def test_server_errors_are_retried_with_backoff(alice: Person, emulator):
    emulator.inject("chat.postMessage", status=500, times=2)
    emulator.inject("pins.add", status=503, times=1)

    await alice.types("/crisis open Leaked memo")

    await alice.sees_privately("is open", timeout=60)
    channel = emulator.channel_by_name(NAME)
    assert len(plans(emulator, channel.id)) == 1
    assert len(emulator.pins(channel.id)) == 1


async def test_an_outage_midway_is_resumed_by_the_next_tick(alice: Person, emulator, bot):
    emulator.inject("pins.add", status=503, times=None)  # Slack down for pins, beyond the retries

    await alice.types("/crisis open Leaked memo")

    told = await alice.sees_privately("I keep trying", timeout=60)
    assert "pin the crisis plan" in told.text
    emulator.clear_faults()
    await bot.services.tick()
    channel = emulator.channel_by_name(NAME)
    assert len(emulator.pins(channel.id)) == 1
    assert len(plans(emulator, channel.id)) == 1
    assert [c.name for c in crisis_channels(emulator)] == [NAME]
    ready = await emulator.wait_for(lambda: emulator.dms("U0ALICE"))
    assert "is ready now" in ready[-1].text


async def test_a_restart_midway_resumes_without_a_second_channel_plan_or_pin(
        alice: Person, emulator, bot, workspace):
    emulator.inject("chat.postMessage", status=503, times=None)
    await alice.types("/crisis open Leaked memo")
    await alice.sees_privately("I keep trying", timeout=60)

    await bot.restart()
    workspace.bot_url = bot.events_url
    emulator.clear_faults()
    await bot.services.tick()

    channel = emulator.channel_by_name(NAME)
    assert [c.name for c in crisis_channels(emulator)] == [NAME]
    assert len(plans(emulator, channel.id)) == 1
    assert len(emulator.pins(channel.id)) == 1
    await bot.services.tick()  # nothing more to do
    assert len(plans(emulator, channel.id)) == 1


async def test_a_channel_we_made_before_a_crash_is_adopted_not_duplicated(alice: Person, emulator):
    # The bot made the channel, then died before it could record it: Slack now says name_taken.
    emulator.add_channel(NAME, members=[BOT_USER_ID], creator=BOT_USER_ID)

    await alice.types("/crisis open Leaked memo")

    await alice.sees_privately("is open")
    assert [c.name for c in crisis_channels(emulator)] == [NAME]
    assert "U0ALICE" in emulator.members(emulator.channel_by_name(NAME).id)


async def test_a_permanent_refusal_is_not_retried_in_a_loop(alice: Person, emulator, bot):
    emulator.inject("conversations.create", error="restricted_action")
    await alice.types("/crisis open Leaked memo")
    await alice.sees_privately("Slack refused")

    await bot.services.tick()
    await bot.services.tick()

    assert len(emulator.calls_to("conversations.create")) == 1


async def test_event_retries_are_handled_once(alice: Person, emulator, workspace, bot):
    from bot.domain.timeline import Kind
    from tests.support.crisis import open_crisis

    channel = await open_crisis(alice)
    said = await workspace.say("U0ALICE", channel, "Screenshot of the original post")
    event = {"type": "reaction_added", "user": "U0ALICE", "reaction": "pushpin", "item_user": "U0ALICE",
             "item": {"type": "message", "channel": channel, "ts": said.ts}, "event_ts": said.ts}
    emulator.find_message(channel, said.ts).reactions["pushpin"] = {"U0ALICE"}

    before = len(emulator.calls_to("conversations.history"))
    for retry in (None, 1, 2):  # Slack thought we missed it, twice
        await workspace.send_event(event, event_id="Ev0PUSHPIN1", retry_num=retry, retry_reason="http_timeout")

    crisis = await bot.services.crises.in_channel(channel)

    async def pinned():
        entries = [e for e in await bot.services.deps.dossier.timeline(crisis.id) if e.kind is Kind.PINNED]
        return entries or None

    await emulator.wait_for(pinned)
    histories = len(emulator.calls_to("conversations.history")) - before
    assert histories == 1  # the message was looked up once: the retries were not processed
    assert said_in(emulator, channel)


async def test_a_double_click_on_a_phase_records_it_once(alice: Person, emulator, workspace, bot):
    import asyncio

    from tests.support.crisis import open_crisis

    channel = await open_crisis(alice)
    plan = emulator.messages(channel)[0]
    crisis = await bot.services.crises.in_channel(channel)

    await asyncio.gather(*(workspace.click("U0ALICE", channel, plan.ts, "phase_select", value=f"{crisis.id}:response")
                           for _ in range(2)))
    await alice.sees_privately("Response recorded")
    await workspace.click("U0ALICE", channel, plan.ts, "phase_select", value=f"{crisis.id}:response")  # a third

    await emulator.wait_for(lambda: len([e for e in emulator.ephemerals(user="U0ALICE")
                                         if "Response recorded" in e.text]) >= 2)
    await emulator.wait_for(lambda: [m for m in said_in(emulator, channel) if "*Response* recorded" in m])
    await bot.settled()  # every click's work is done: nothing more can come
    assert len(await bot.services.deps.dossier.milestones(crisis.id)) == 1
    assert len([m for m in said_in(emulator, channel) if "*Response* recorded" in m]) == 1


async def test_a_plan_posted_before_a_crash_is_not_posted_again(alice: Person, emulator, bot):
    """The plan went out, then the process died before recording it: the resume finds it in the channel."""
    emulator.inject("pins.add", status=503, times=None)
    await alice.types("/crisis open Leaked memo")
    await alice.sees_privately("I keep trying", timeout=60)
    crisis = (await bot.services.crises.active())[0]
    steps = await bot.services.deps.crises.steps(crisis.id)
    from bot.domain.opening import StepState
    await bot.services.deps.crises.save_step(crisis, StepState("post_plan"))  # forget it was posted

    emulator.clear_faults()
    await bot.services.tick()

    channel = emulator.channel_by_name(NAME)
    assert steps["post_plan"].status.value == "done"
    assert len(plans(emulator, channel.id)) == 1
    assert emulator.pins(channel.id) == [plans(emulator, channel.id)[0].ts]


async def test_a_call_that_times_out_is_retried(emulator, database_url, clock, workspace):
    from tests.support.harness import BotUnderTest

    bot = await BotUnderTest(emulator, database_url, clock, slack_timeout_seconds=3).start()
    try:
        workspace.bot_url = bot.events_url
        alice = Person("U0ALICE", workspace, emulator)
        emulator.inject("pins.add", until=asyncio.Event(), times=1)  # Slack hangs once (until it closes)

        await alice.types("/crisis open Leaked memo")

        await alice.sees_privately("is open", timeout=60)
        channel = emulator.channel_by_name(NAME)
        assert len(emulator.pins(channel.id)) == 1  # pinned once, by the retry after the 3 s timeout
        assert len(plans(emulator, channel.id)) == 1
    finally:
        await bot.stop()
