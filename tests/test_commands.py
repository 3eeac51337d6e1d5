"""Commands people expect: stakeholder updates, usage lines for bare commands, a report two people
save at once, and errors that only say "nothing you typed is lost" when it is so."""

from __future__ import annotations

import asyncio

import pytest

from bot.export import export
from tests.support.crisis import open_crisis, said_in
from tests.support.people import Person, fill_in

MANAGERS = "C0MANAGERS"
UPDATE = "Holding statement is live on all channels; next update at 11:00"


def refresh_requests(emulator, channel: str) -> list[str]:
    return [m for m in said_in(emulator, channel) if "Time for a fresh situation report" in m]


async def complete_the_report(alice: Person, channel: str) -> None:
    for line in ("origin: An influencer's TikTok video", "criticism: Product safety", "networks: TikTok",
                 "caused: unknown"):
        await alice.types(f"/crisis sitrep {line}", channel=channel)
    await alice.sees_privately("version 4")


# /crisis update -----------------------------------------------------------------------------
async def test_an_update_reaches_the_channel_the_managers_and_the_story(alice: Person, emulator, bot):
    channel = await open_crisis(alice)

    await alice.types(f"/crisis update {UPDATE} @channel", channel=channel)

    await alice.sees_privately("Your update is posted here, in the managers' channel and on the timeline.")
    [here] = [m for m in said_in(emulator, channel) if "Stakeholder update" in m]
    assert "from <@U0ALICE>" in here and UPDATE in here
    assert "<!channel>" not in here  # what people type never pings anyone
    [managers] = [m for m in said_in(emulator, MANAGERS) if "Stakeholder update" in m]
    assert f"<#{channel}>" in managers and "Serum video" in managers and UPDATE in managers

    await alice.types("/crisis close Publish the holding statement sooner", channel=channel)
    await alice.sees_privately("is closed")
    story = next(m for m in said_in(emulator, channel) if "Crisis closed" in m)
    assert f"<@U0ALICE> posted a stakeholder update: {UPDATE}" in story
    assert f"posted a stakeholder update: {UPDATE}" in await export(bot.settings, channel)


async def test_an_update_puts_off_the_fresh_report_request(alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice)
    await complete_the_report(alice, channel)  # the hourly request counts from here
    await alice.types("/crisis milestone response holding statement posted", channel=channel)
    await alice.sees_privately("recorded")

    clock.advance(minutes=50)
    await alice.types(f"/crisis update {UPDATE}", channel=channel)
    await alice.sees_privately("Your update is posted")
    clock.advance(minutes=10)  # an hour after the report, ten minutes after the update
    await bot.tick()
    assert refresh_requests(emulator, channel) == []

    clock.advance(minutes=50)  # an hour after the update
    await bot.tick()
    assert len(refresh_requests(emulator, channel)) == 1


async def test_a_private_crisis_update_stays_in_its_channel(alice: Person, emulator):
    await alice.types("/crisis")
    await fill_in(alice, {"title": "Data leak of VIP customers", "severity": "critical", "private": True})
    channel = (await alice.sees_privately("is open")).text.split("<#")[1].split(">")[0]
    before = said_in(emulator, MANAGERS)

    await alice.types("/crisis update VIP accounts are locked", channel=channel)

    await alice.sees_privately("Your update is posted here and on the timeline.")
    assert any("VIP accounts are locked" in m for m in said_in(emulator, channel))
    assert said_in(emulator, MANAGERS) == before


async def test_an_update_outside_a_crisis_room_or_after_the_close_is_refused(alice: Person, emulator):
    await alice.types(f"/crisis update {UPDATE}", channel="C0GENERAL")
    await alice.sees_privately("This is not a crisis room")

    channel = await open_crisis(alice)
    await alice.types("/crisis close Nothing more to say", channel=channel)
    await alice.sees_privately("is closed")
    await alice.types(f"/crisis update {UPDATE}", channel=channel)
    await alice.sees_privately("This crisis is closed; `/crisis reopen` to reopen it.")
    assert not any("Stakeholder update" in m for m in said_in(emulator, channel) + said_in(emulator, MANAGERS))


async def test_updates_in_spanish_and_italian(alice: Person, emulator):
    channel = await open_crisis(alice)
    await alice.types("/crisis actualizar Comunicado publicado", channel=channel)
    await alice.sees_privately("Your update is posted")
    await alice.types("/crisis aggiorna Comunicato pubblicato", channel=channel)
    await emulator.wait_for(lambda: any("Comunicato pubblicato" in m for m in said_in(emulator, channel)))


# bare commands get their usage -------------------------------------------------------------
@pytest.mark.parametrize("typed, usage", [
    ("milestone", "Usage: `/crisis milestone &lt;phase&gt; [note]`. Phases: reduction, response, reaction, "
                  "recovery, rethink."),
    ("role", "Usage: `/crisis role &lt;role&gt; [@someone]`"),
    ("note", "Usage: `/crisis note &lt;text&gt;`"),
    ("severity", "Usage: `/crisis severity &lt;level&gt;`. Severities: "),
    ("update", "Usage: `/crisis update &lt;text&gt;`"),
    ("fase  ", "Usage: `/crisis milestone &lt;phase&gt; [note]`"),
])
async def test_a_command_without_its_argument_gets_its_usage(alice: Person, emulator, typed, usage):
    channel = await open_crisis(alice)

    await alice.types(f"/crisis {typed}", channel=channel)

    told = await alice.sees_privately("Usage:")
    assert told.text.startswith(usage)
    assert "I know no" not in told.text and "``" not in told.text


# two people save the report at the same moment --------------------------------------------
async def open_report_form(person: Person, emulator, channel: str) -> str:
    await person.types("/crisis sitrep", channel=channel)
    views = await emulator.wait_for(lambda: emulator.open_views(person.id))
    return views[-1].id


def report_updates(emulator, channel: str) -> list[str]:
    return [m for m in said_in(emulator, channel) if "updated the situation report" in m]


async def shown_report(alice: Person, channel: str) -> str:
    await alice.types("/crisis status", channel=channel)
    told = await alice.sees_privately("Situation report* (version 2)")
    return str(told.blocks)


async def test_two_forms_saved_at_once_both_land(alice: Person, bob: Person, emulator):
    channel = await open_crisis(alice)
    alice_form = await open_report_form(alice, emulator, channel)
    bob_form = await open_report_form(bob, emulator, channel)  # both forms show the empty report

    replies = await asyncio.gather(
        alice.ws.submit_view(alice.id, alice_form, {"origin": "An influencer's TikTok video"}),
        bob.ws.submit_view(bob.id, bob_form, {"networks": "TikTok, Instagram"}))

    assert [r.status for r in replies] == [200, 200]
    updates = await emulator.wait_for(lambda: len(report_updates(emulator, channel)) == 2
                                      and report_updates(emulator, channel))
    assert {"<@U0ALICE>", "<@U0BOB>"} == {who for u in updates for who in ("<@U0ALICE>", "<@U0BOB>") if who in u}
    assert any("(version 1)" in u for u in updates) and any("(version 2)" in u for u in updates)
    report = await shown_report(alice, channel)
    assert "*Origin*: An influencer's TikTok video" in report
    assert "*Networks where it spreads*: TikTok, Instagram" in report
    assert "Something went wrong" not in " ".join(alice.private_texts() + bob.private_texts())


async def test_the_same_field_typed_at_once_the_later_save_wins_and_both_are_kept(
        alice: Person, bob: Person, emulator):
    channel = await open_crisis(alice)

    await asyncio.gather(alice.types("/crisis sitrep origin: a TikTok video", channel=channel),
                         bob.types("/crisis sitrep origin: an Instagram story", channel=channel))

    await alice.sees_privately("version")
    await bob.sees_privately("version")
    updates = await emulator.wait_for(lambda: len(report_updates(emulator, channel)) == 2
                                      and report_updates(emulator, channel))
    first, second = sorted(updates, key=lambda u: "(version 2)" in u)
    assert "(version 1)" in first and "(version 2)" in second
    values = ("a TikTok video", "an Instagram story")
    assert {v for v in values if v in first} | {v for v in values if v in second} == set(values)
    later = next(v for v in values if v in second)
    assert f"*Origin*: {later}" in await shown_report(alice, channel)


# "nothing you typed is lost", only when it is so ------------------------------------------
async def test_a_failure_after_the_update_is_recorded_says_it_is_kept(alice: Person, emulator, bot):
    channel = await open_crisis(alice)
    emulator.inject("chat.postMessage", error="msg_blocks_too_long", times=1)

    await alice.types(f"/crisis update {UPDATE}", channel=channel)

    told = await alice.sees_privately("Something went wrong on our side")
    assert "nothing you typed is lost" in told.text
    await alice.types("/crisis close Done", channel=channel)
    await alice.sees_privately("is closed")
    assert f"posted a stakeholder update: {UPDATE}" in await export(bot.settings, channel)


async def test_a_failure_before_anything_is_recorded_says_so(alice: Person, emulator):
    channel = await open_crisis(alice)
    emulator.inject("views.open", error="internal_error", times=1)

    await alice.types("/crisis sitrep", channel=channel)

    told = await alice.sees_privately("Something went wrong on our side")
    assert "nothing was saved" in told.text and "lost" not in told.text
