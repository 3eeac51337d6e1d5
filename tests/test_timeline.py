"""Notes and 📌 reactions put moments on the crisis timeline; `/crisis plan` shows the plan."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.domain.timeline import Kind
from tests.support.crisis import open_crisis
from tests.support.people import Person


async def timeline(bot, channel):
    crisis = await bot.services.crises.in_channel(channel)
    return await bot.services.deps.dossier.timeline(crisis.id)


async def pinned_entries(bot, emulator, channel, count: int):
    """Waits until the timeline holds `count` pinned messages (events are handled after Slack's ack)."""
    async def check():
        entries = [e for e in await timeline(bot, channel) if e.kind is Kind.PINNED]
        return entries if len(entries) == count else None

    return await emulator.wait_for(check) if count else await emulator.wait_for(
        lambda: _none_left(bot, channel))


async def _none_left(bot, channel):
    return not [e for e in await timeline(bot, channel) if e.kind is Kind.PINNED]


async def test_lifecycle_actions_and_notes_enter_the_timeline(alice: Person, emulator, bot):
    channel = await open_crisis(alice)
    await alice.types("/crisis note Journalist from El País called", channel=channel)
    await alice.sees_privately("Added to the timeline")
    await alice.types("/crisis milestone reduction", channel=channel)
    await alice.sees_privately("Reduction recorded")

    kinds = [e.kind for e in await timeline(bot, channel)]
    assert kinds == [Kind.OPENED, Kind.NOTE, Kind.MILESTONE]


async def join(alice: Person, emulator, channel: str) -> None:
    """Bring bob, carla and dan into the crisis channel by giving them roles."""
    for role, user in (("legal", "U0BOB"), ("care", "U0CARLA"), ("listening", "U0DAN")):
        await alice.types(f"/crisis role {role} <@{user}>", channel=channel)
    await emulator.wait_for(lambda: {"U0BOB", "U0CARLA", "U0DAN"} <= emulator.members(channel))


async def test_a_pushpin_adds_a_message_with_its_own_time_and_author(alice: Person, emulator, workspace, bot):
    channel = await open_crisis(alice)
    await join(alice, emulator, channel)
    said = await workspace.say("U0BOB", channel, "Competitor is mocking us on X")

    await workspace.react("U0CARLA", channel, said.ts, "pushpin")

    pinned = await pinned_entries(bot, emulator, channel, 1)
    assert pinned[0].author == "U0BOB"
    assert pinned[0].data["text"] == "Competitor is mocking us on X"
    assert pinned[0].at == datetime.fromtimestamp(float(said.ts), tz=timezone.utc)

    await workspace.react("U0DAN", channel, said.ts, "pushpin")  # a second pin: still one entry
    await workspace.unreact("U0CARLA", channel, said.ts, "pushpin")  # Dan's pin remains
    # the bot looks at the message's remaining reactions before it removes anything
    await emulator.wait_for(lambda: len(emulator.calls_to("conversations.history")) >= 3)
    await pinned_entries(bot, emulator, channel, 1)
    await workspace.unreact("U0DAN", channel, said.ts, "pushpin")
    await pinned_entries(bot, emulator, channel, 0)


async def test_other_reactions_and_other_channels_are_ignored(alice: Person, emulator, workspace, bot):
    channel = await open_crisis(alice)
    await join(alice, emulator, channel)
    said = await workspace.say("U0BOB", channel, "ok")
    await workspace.react("U0CARLA", channel, said.ts, "eyes")
    general = await workspace.say("U0BOB", "C0GENERAL", "lunch?")
    await workspace.react("U0CARLA", "C0GENERAL", general.ts, "pushpin")
    await workspace.react("U0CARLA", channel, said.ts, "pushpin")  # the one that counts

    pinned = await pinned_entries(bot, emulator, channel, 1)
    assert pinned[0].data["text"] == "ok"


async def test_an_empty_note_is_refused(alice: Person, emulator):
    channel = await open_crisis(alice)

    await alice.types("/crisis note", channel=channel)

    await alice.sees_privately("Usage: `/crisis note &lt;text&gt;`")


async def test_plan_shows_the_plan_anywhere(alice: Person, emulator):
    await alice.types("/crisis plan", channel="C0RANDOM")

    told = await alice.sees_privately("The 5 R method")
    assert "Social-media crisis plan" in told.text
    assert "only voice of the brand" in str(told.blocks)
