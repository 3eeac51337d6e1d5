"""An alert's state changes are told at once and never miscounted; a stale triage click never opens a second
crisis. Bodies from the senders' own docs (tests/alerts/SOURCES.md)."""

from __future__ import annotations


from bot.domain.crisis import Status
from tests.support.crisis import crisis_channels, said_in
from tests.support.people import Person
from tests.support.senders import Sender, sample

MANAGERS = "C0MANAGERS"




async def open_room(emulator, bot, exclude: tuple = ()):
    """The crisis channel an alert opened, once the crisis is open (its plan pinned, its opening done)."""
    async def ready():
        for channel in crisis_channels(emulator):
            if channel.id not in exclude and emulator.pins(channel.id):
                crisis = await bot.services.crises.in_channel(channel.id)
                if crisis is not None and crisis.status is Status.OPEN:
                    return channel
        return None

    return await emulator.wait_for(ready)


def pagerduty(name: str, dedup_key: str, severity: str | None = None) -> dict:
    """PagerDuty's documented example of an event, about one key."""
    body = {**sample(name), "dedup_key": dedup_key}
    if severity:
        body["payload"] = {**body["payload"], "severity": severity}
    return body


async def triage_request(emulator, containing: str):
    return (await emulator.wait_for(
        lambda: [m for m in emulator.messages(MANAGERS) if "triage" in m.text and containing in m.text]))[0]


# Resolves and acknowledgements ---------------------------------------------------------------------

async def test_a_resolve_is_told_in_the_room_at_once_with_the_recovery_button(sender: Sender, emulator, bot):
    await sender.post("alertmanager", sample("alertmanager_firing"))
    channel = await open_room(emulator, bot)

    status, answer = await sender.post("alertmanager", sample("alertmanager_resolved"))

    assert (status, answer["status"]) == (202, "attached")
    told = await emulator.wait_for(  # no tick, no digest minute: within seconds of the 202
        lambda: [m for m in emulator.messages(channel.id) if "*Resolved* at" in m.text])
    assert "(after 0 min)" in told[0].text
    assert "record_recovery" in str(told[0].blocks) and "record Recovery" in str(told[0].blocks)
    crisis = await bot.services.crises.in_channel(channel.id)
    assert not crisis.is_closed


async def test_an_acknowledge_is_shown_in_the_open_crisis_and_not_counted(sender: Sender, emulator, bot, clock):
    key = "lumina/boycott-hashtag/dumplumina"
    await sender.post("pagerduty", pagerduty("pagerduty_docs_trigger", key, severity="critical"))
    channel = await open_room(emulator, bot)
    crisis = await bot.services.crises.in_channel(channel.id)

    status, answer = await sender.post("pagerduty", pagerduty("pagerduty_docs_acknowledge", key))

    assert (status, answer["status"], answer.get("crisis")) == (202, "attached", crisis.id)
    await emulator.wait_for(lambda: [m for m in emulator.messages(channel.id) if "acknowledged by the sender" in m.text])
    assert await bot.services.deps.alerts.count(crisis.id) == 1
    clock.advance(seconds=61)
    await bot.tick_alerts()
    assert [m for m in said_in(emulator, channel.id) if " in all" in m] == []  # no "+1 alert" for an ack


async def test_an_acknowledge_with_nothing_open_is_recorded_and_nothing_is_posted(sender: Sender, emulator, bot):
    status, answer = await sender.post("pagerduty", pagerduty("pagerduty_docs_acknowledge", "dedupkeyhere"))
    await bot.tick_alerts()  # what the scheduler would post later: nothing either

    assert (status, answer["status"]) == (202, "recorded")
    assert emulator.calls_to("chat.postMessage") == []
    assert crisis_channels(emulator) == []


async def test_a_resolve_in_triage_updates_the_request_and_opening_it_asks_first(
        sender: Sender, emulator, workspace, bot):
    await sender.post("pagerduty", pagerduty("pagerduty_docs_trigger", "samplekeyhere"))  # info: triage
    request = await triage_request(emulator, "Example alert on host1.example.com")

    status, answer = await sender.post("pagerduty", pagerduty("pagerduty_docs_resolve", "samplekeyhere"))

    assert (status, answer["status"]) == (202, "recorded")
    await emulator.wait_for(lambda: "resolved before anyone opened it" in str(
        emulator.find_message(MANAGERS, request.ts).blocks))
    alice = Person("U0ALICE", workspace, emulator)
    await workspace.click("U0ALICE", MANAGERS, request.ts, "triage_open")
    asked = await alice.sees_privately("Open a crisis anyway?", since_typed=False)
    assert crisis_channels(emulator) == []

    await workspace.click("U0ALICE", MANAGERS, asked.ts, "triage_open_confirmed")

    await open_room(emulator, bot)
    assert "<@U0ALICE> opened a crisis" in str(emulator.find_message(MANAGERS, request.ts).blocks)


async def test_cancelling_the_confirmation_opens_nothing(sender: Sender, emulator, workspace, bot):
    await sender.post("pagerduty", pagerduty("pagerduty_docs_trigger", "samplekeyhere"))
    request = await triage_request(emulator, "Example alert")
    await sender.post("pagerduty", pagerduty("pagerduty_docs_resolve", "samplekeyhere"))
    await emulator.wait_for(lambda: "resolved before" in str(emulator.find_message(MANAGERS, request.ts).blocks))
    alice = Person("U0ALICE", workspace, emulator)
    await workspace.click("U0ALICE", MANAGERS, request.ts, "triage_open")
    asked = await alice.sees_privately("Open a crisis anyway?", since_typed=False)

    await workspace.click("U0ALICE", MANAGERS, asked.ts, "triage_open_cancelled")

    await alice.sees_privately("No crisis opened.", since_typed=False)
    assert crisis_channels(emulator) == []
    assert "triage_open" in str(emulator.find_message(MANAGERS, request.ts).blocks)  # still to decide


# Stale triage clicks ------------------------------------------------------------------------------

def generic(severity: str) -> dict:
    return {**sample("generic_firing"), "severity": severity}


async def test_a_stale_triage_click_links_to_the_open_crisis_instead_of_opening_a_second(
        sender: Sender, emulator, workspace, bot):
    await sender.post("generic", generic("medium"))  # below auto-open: triage
    request = await triage_request(emulator, "Negative mentions spike")
    status, answer = await sender.post("generic", generic("high"))  # the same key, worse: opens by itself
    assert answer["status"] == "opened"
    channel = await open_room(emulator, bot)
    alice = Person("U0ALICE", workspace, emulator)

    await workspace.click("U0ALICE", MANAGERS, request.ts, "triage_open")

    await alice.sees_privately(f"This alert already has a crisis: <#{channel.id}>", since_typed=False)
    linked = await emulator.wait_for(lambda: (m := emulator.find_message(MANAGERS, request.ts)).edited and m)
    assert f"linked this alert to its open crisis, <#{channel.id}>" in str(linked.blocks)
    assert "triage_open" not in str(linked.blocks)
    assert crisis_channels(emulator) == [channel]
    assert len(await bot.services.deps.crises.active()) == 1


async def test_a_stale_triage_click_after_the_close_opens_a_new_crisis_linked_to_the_earlier(
        sender: Sender, emulator, workspace, bot):
    await sender.post("generic", generic("medium"))
    request = await triage_request(emulator, "Negative mentions spike")
    await sender.post("generic", generic("high"))
    first = await open_room(emulator, bot)
    dan = Person("U0DAN", workspace, emulator)
    await dan.types("/crisis close Keep a serum FAQ ready", channel=first.id)
    await dan.sees_privately("is closed")

    await workspace.click("U0ALICE", MANAGERS, request.ts, "triage_open")

    second = await open_room(emulator, bot, exclude=(first.id,))
    intro = await emulator.wait_for(lambda: [m for m in said_in(emulator, second.id) if "earlier crisis" in m])
    assert f"<#{first.id}>" in intro[0]
