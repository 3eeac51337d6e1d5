"""Durable reminders and the golden-hour escalation, as the crisis channel and #managers see them."""

from __future__ import annotations

import asyncio
import json

from bot.emulator import Message
from tests.support.harness import BotUnderTest
from tests.support.people import Person, fill_in, mrkdwn_texts

MANAGERS = "C0MANAGERS"
REQUIRED = ("Origin", "Type of criticism", "Networks where it spreads", "Our action or omission caused it")
COMPLETE_REPORT = {"origin": "An influencer's TikTok video", "criticism": "Product safety",
                   "networks": "TikTok, Instagram", "caused_by_us": "unknown"}


async def open_crisis(person: Person, title: str = "Serum video") -> str:
    """`/crisis open` in #general; the new room's id, once its opener is told it is open."""
    def told() -> list:
        return [e for e in person.emu.ephemerals(user=person.id) if "is open" in e.text]

    before = len(told())
    await person.types(f"/crisis open high {title}")
    latest = await person.emu.wait_for(lambda: told()[before:])
    return latest[-1].text.split("<#")[1].split(">")[0].split("|")[0]


def shown(message: Message) -> str:
    return message.text + " " + str(message.blocks)


def posted(emulator, channel: str, containing: str) -> list[Message]:
    return [m for m in emulator.messages(channel) if containing in shown(m)]


def missing_reminders(emulator, channel: str) -> list[Message]:
    return posted(emulator, channel, "still lacks")


def refresh_requests(emulator, channel: str) -> list[Message]:
    return posted(emulator, channel, "Time for a fresh situation report")


def escalations(emulator, channel: str) -> list[Message]:
    return posted(emulator, channel, "golden hour has passed")


def managers_lines(emulator, channel: str) -> list[Message]:
    return [m for m in posted(emulator, MANAGERS, "Escalation") if f"<#{channel}>" in shown(m)]


def button(message: Message, action_id: str) -> dict:
    return next(e for b in message.blocks if b["type"] == "actions" for e in b["elements"]
                if e["action_id"] == action_id)


async def complete_the_report(person: Person, emulator, channel: str, reminder: Message) -> None:
    """The lead clicks "Fill in now" on a reminder and submits the form with every required field."""
    await person.ws.click(person.id, channel, reminder.ts, "sitrep_open")
    await fill_in(person, COMPLETE_REPORT)
    await emulator.wait_for(lambda: posted(emulator, channel, "All required fields are in"))


async def test_the_lead_is_reminded_of_missing_fields_every_15_minutes_until_the_report_is_complete(
        alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice)

    clock.advance(minutes=14)
    assert await bot.tick() == 0
    assert missing_reminders(emulator, channel) == []

    clock.advance(minutes=1)
    assert await bot.tick() == 1
    [reminder] = missing_reminders(emulator, channel)
    assert "<@U0ALICE>" in reminder.text
    for label in REQUIRED:
        assert f"*{label}*" in shown(reminder)
    assert button(reminder, "sitrep_open")["text"]["text"] == "Fill in now"
    assert button(reminder, "reminder_snooze")["text"]["text"] == "Snooze 30 min"
    assert button(reminder, "reminder_snooze_60")["text"]["text"] == "Snooze 60 min"

    clock.advance(minutes=1)
    assert await bot.tick() == 0  # not again before another 15 minutes
    clock.advance(minutes=14)
    assert await bot.tick() == 1
    assert len(missing_reminders(emulator, channel)) == 2

    await complete_the_report(alice, emulator, channel, missing_reminders(emulator, channel)[-1])
    clock.advance(minutes=20)  # 50 minutes after opening: before the golden hour
    assert await bot.tick() == 0
    assert len(missing_reminders(emulator, channel)) == 2

    await alice.ws.click(alice.id, channel, missing_reminders(emulator, channel)[-1].ts, "reminder_snooze")
    await alice.sees_privately("no longer pending")


async def test_a_reminder_names_only_the_fields_still_missing(alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice)
    await alice.types("/crisis sitrep origin: a TikTok video", channel=channel)
    await alice.sees_privately("version 1")

    clock.advance(minutes=15)
    assert await bot.tick() == 1

    [reminder] = missing_reminders(emulator, channel)
    assert "*Origin*" not in shown(reminder)
    assert "*Type of criticism*" in shown(reminder)


async def test_a_fresh_report_is_asked_for_every_hour(alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice)
    clock.advance(minutes=15)
    await bot.tick()
    await complete_the_report(alice, emulator, channel, missing_reminders(emulator, channel)[-1])
    await alice.types("/crisis milestone response holding statement posted", channel=channel)
    await alice.sees_privately("recorded")

    clock.advance(minutes=59)
    assert await bot.tick() == 0
    clock.advance(minutes=1)  # an hour after the report was last updated
    assert await bot.tick() == 1

    [request] = refresh_requests(emulator, channel)
    assert "<@U0ALICE>" in request.text
    assert "what changed in the last 60 min" in shown(request)
    assert button(request, "sitrep_open")["text"]["text"] == "Fill in now"
    assert json.loads(button(request, "reminder_snooze")["value"])["kind"] == "sitrep_refresh"

    clock.advance(minutes=60)
    assert await bot.tick() == 1
    assert len(refresh_requests(emulator, channel)) == 2


async def test_snoozing_a_reminder_postpones_it(alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice)
    clock.advance(minutes=15)
    await bot.tick()
    [reminder] = missing_reminders(emulator, channel)

    await alice.ws.click(alice.id, channel, reminder.ts, "reminder_snooze")
    await alice.sees_privately("Snoozed for 30 min")

    clock.advance(minutes=29)  # it would have come back after 15
    assert await bot.tick() == 0
    assert len(missing_reminders(emulator, channel)) == 1
    clock.advance(minutes=1)
    assert await bot.tick() == 1
    assert len(missing_reminders(emulator, channel)) == 2


async def test_snooze_for_an_hour_and_choices_outside_the_plan(alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice)
    clock.advance(minutes=15)
    await bot.tick()
    [reminder] = missing_reminders(emulator, channel)
    value = json.loads(button(reminder, "reminder_snooze_60")["value"])

    await alice.ws.click(alice.id, channel, reminder.ts, "reminder_snooze", value=json.dumps({**value, "minutes": 5}))
    await alice.sees_privately("can be snoozed for 30, 60 minutes")
    await alice.ws.click(alice.id, channel, reminder.ts, "reminder_snooze_60")
    await alice.sees_privately("Snoozed for 60 min")

    clock.advance(minutes=59)
    await bot.tick()
    assert len(missing_reminders(emulator, channel)) == 1
    clock.advance(minutes=1)
    await bot.tick()
    assert len(missing_reminders(emulator, channel)) == 2


async def test_the_golden_hour_escalates_to_the_lead_and_the_managers(alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice)

    clock.advance(minutes=59)
    await bot.tick()
    assert escalations(emulator, channel) == []

    clock.advance(minutes=1)
    await bot.tick()
    [ping] = escalations(emulator, channel)
    assert "<@U0ALICE>" in ping.text
    assert "No first response is recorded 60 minutes after this crisis opened" in shown(ping)
    [line] = managers_lines(emulator, channel)
    assert "*Serum video*" in shown(line) and "Lead <@U0ALICE>" in shown(line)

    clock.advance(minutes=60)
    await bot.tick()
    assert len(escalations(emulator, channel)) == 1  # once only
    assert len(managers_lines(emulator, channel)) == 1

    await alice.types("/crisis close We apologised", channel=channel)
    await alice.sees_privately("is closed")
    story = shown(emulator.messages(channel)[-1])
    assert "The golden hour passed without a first response; the managers were alerted." in story


async def test_no_escalation_when_the_response_is_recorded_in_time(alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice)
    clock.advance(minutes=50)
    await alice.types("/crisis milestone response holding statement on X", channel=channel)
    await alice.sees_privately("recorded")

    clock.advance(minutes=20)
    await bot.tick()

    assert escalations(emulator, channel) == []
    assert managers_lines(emulator, channel) == []


async def test_what_people_typed_cannot_ping_anyone_from_a_reminder(alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice, "<!channel> & <@U0BOB> Serum video")
    clock.advance(minutes=60)
    await bot.tick()

    messages = missing_reminders(emulator, channel) + escalations(emulator, channel) + managers_lines(emulator, channel)
    assert len(messages) == 3
    for message in messages:
        for text in [message.text] + mrkdwn_texts(message.blocks):
            assert "<!channel>" not in text and "<@U0BOB>" not in text
    assert "@channel &amp; @U0BOB Serum video" in shown(managers_lines(emulator, channel)[0])  # as typed


async def test_reminders_survive_a_restart(alice: Person, emulator, bot, workspace, clock):
    channel = await open_crisis(alice)

    await bot.restart()
    workspace.bot_url = bot.events_url
    clock.advance(minutes=60)
    await bot.tick()

    assert len(missing_reminders(emulator, channel)) == 1
    assert refresh_requests(emulator, channel) == []  # asked for the missing fields instead, in the same tick
    assert len(escalations(emulator, channel)) == 1
    assert len(managers_lines(emulator, channel)) == 1


async def test_a_closed_crisis_gets_no_reminders(alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice)
    await alice.types("/crisis close We apologised; the video was taken down", channel=channel)
    await alice.sees_privately("is closed")
    before = len(emulator.messages(channel))

    clock.advance(hours=3)
    assert await bot.tick() == 0

    assert len(emulator.messages(channel)) == before
    assert managers_lines(emulator, channel) == []


async def test_a_slack_failure_for_one_crisis_does_not_hold_back_the_others(alice: Person, emulator, bot, clock):
    first = await open_crisis(alice, "Serum video")
    second = await open_crisis(alice, "Boycott hashtag")
    clock.advance(minutes=15)

    emulator.inject("chat.postMessage", error="channel_not_found", times=1)
    assert await bot.tick() == 1

    assert missing_reminders(emulator, first) == []
    assert len(missing_reminders(emulator, second)) == 1
    clock.advance(minutes=15)
    assert await bot.tick() == 2  # the refused one comes back at its next time


async def test_the_managers_hear_of_the_golden_hour_even_when_the_crisis_channel_refuses(
        alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice)
    clock.advance(minutes=60)

    emulator.inject("chat.postMessage", error="is_archived", times=1)  # the first post: the lead's ping
    await bot.tick()

    assert escalations(emulator, channel) == []
    assert len(managers_lines(emulator, channel)) == 1
    assert len(missing_reminders(emulator, channel)) == 1


async def test_two_bots_on_one_database_fire_each_reminder_once(alice: Person, emulator, bot, database_url, clock):
    channels = [await open_crisis(alice, f"Crisis {n}") for n in range(3)]
    other = await BotUnderTest(emulator, database_url, clock, crisisbot_managers_channel=MANAGERS).start()
    try:
        clock.advance(minutes=15)
        fired = await asyncio.gather(bot.tick(), other.tick(), bot.tick(), other.tick())
        assert sum(fired) == 3
        for channel in channels:
            assert len(missing_reminders(emulator, channel)) == 1

        clock.advance(minutes=45)
        fired = await asyncio.gather(other.tick(), bot.tick())
        assert sum(fired) == 6  # per crisis: the escalation and the missing fields
        for channel in channels:
            assert len(escalations(emulator, channel)) == 1
            assert len(missing_reminders(emulator, channel)) == 2
            assert len(managers_lines(emulator, channel)) == 1
    finally:
        await other.stop()
