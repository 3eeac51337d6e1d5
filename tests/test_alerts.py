"""Alerts open crises, attach to them, go to triage, and never make a second channel."""

from __future__ import annotations

import asyncio

import pytest

from bot.domain.timeline import Kind
from tests.support.crisis import crisis_channels, said_in
from tests.support.people import Person
from tests.support.senders import Sender, sample

SERUM_CHANNEL = "crisis-20261121-spike-in-negative-mentions-viral-video-says-lumina-serum-burns-skin"




async def opened_channel(emulator):
    """The crisis channel an alert opened, once its plan is pinned."""
    def ready():
        channels = crisis_channels(emulator)
        return channels[0] if len(channels) == 1 and emulator.pins(channels[0].id) else None

    return await emulator.wait_for(ready)


async def test_a_high_alert_opens_a_crisis_with_its_context(sender: Sender, emulator, bot):
    payload = sample("generic_firing")

    status, answer = await sender.post("generic", payload)

    assert status == 202 and answer["status"] == "opened" and isinstance(answer["crisis"], int)
    channel = await opened_channel(emulator)
    bookmarks = await emulator.wait_for(lambda: emulator.bookmarks(channel.id))  # beside the pin, not before it
    assert [b.link for b in bookmarks] == [payload["url"]]
    intro = await emulator.wait_for(lambda: [m for m in said_in(emulator, channel.id) if "*Opened by an alert" in m])
    assert "mentions_per_hour 4200" in intro[0] and "tiktok, x" in intro[0]
    crisis = await bot.services.crises.in_channel(channel.id)
    report = (await bot.services.sitrep.current(crisis)).current
    assert report["networks"] == "tiktok, x"
    assert payload["url"] in report["origin"]
    timeline = await bot.services.deps.dossier.timeline(crisis.id)
    assert timeline[0].kind is Kind.ALERT and timeline[0].data["title"] == payload["title"]


async def test_200_simultaneous_duplicates_give_one_crisis(sender: Sender, emulator, bot):
    payload = sample("generic_firing")

    answers = await asyncio.gather(*(sender.post("generic", payload) for _ in range(200)))

    assert {status for status, _ in answers} == {202}
    crises = {answer["crisis"] for _, answer in answers}
    assert len(crises) == 1
    assert sorted(answer["status"] for _, answer in answers).count("opened") == 1
    await opened_channel(emulator)
    assert len([c for c in emulator.calls_to("conversations.create") if c.response.get("ok")]) == 1
    assert await bot.services.deps.alerts.count(crises.pop()) == 200


async def test_duplicates_are_coalesced_into_one_digest_per_interval(sender: Sender, emulator, bot, clock):
    payload = sample("generic_firing")
    await sender.post("generic", payload)
    channel = await opened_channel(emulator)
    await bot.settled()  # the room's opening finished (the pin comes before the crisis is marked open)

    for _ in range(30):
        await sender.post("generic", payload)
    await emulator.wait_for(lambda: [m for m in said_in(emulator, channel.id) if " in all" in m])
    await bot.tick_alerts()  # within the interval: nothing more
    digests = [m for m in said_in(emulator, channel.id) if " in all" in m]
    assert len(digests) == 1

    clock.advance(seconds=61)
    await bot.tick_alerts()
    digests = [m for m in said_in(emulator, channel.id) if " in all" in m]
    assert len(digests) == 2
    told = sum(int(d.split("*+")[1].split(" ")[0]) for d in digests)
    assert told == 30  # every duplicate counted once, exactly
    assert "31 in all" in digests[-1]


async def test_a_resolved_alert_is_noted_and_suggests_recovery_but_never_closes(
        sender: Sender, emulator, bot, workspace):
    await sender.post("generic", sample("generic_firing"))
    channel = await opened_channel(emulator)

    status, answer = await sender.post("generic", sample("generic_resolved"))

    assert status == 202 and answer["status"] == "attached"
    note = await emulator.wait_for(lambda: [m for m in emulator.messages(channel.id) if "resolved" in m.text])
    await workspace.click("U0DAN", channel.id, note[0].ts, "record_recovery")
    await emulator.wait_for(lambda: any("*Recovery* recorded by <@U0DAN>" in m for m in said_in(emulator, channel.id)))
    crisis = await bot.services.crises.in_channel(channel.id)
    assert not crisis.is_closed


async def test_a_key_whose_crisis_is_closed_opens_a_new_linked_crisis(
        sender: Sender, emulator, bot, workspace):
    await sender.post("generic", sample("generic_firing"))
    first = await opened_channel(emulator)
    dan = Person("U0DAN", workspace, emulator)
    await dan.types("/crisis close Keep a serum FAQ ready", channel=first.id)
    await dan.sees_privately("is closed")

    status, answer = await sender.post("generic", sample("generic_firing"))

    assert answer["status"] == "opened"
    second = await emulator.wait_for(
        lambda: next((c for c in crisis_channels(emulator) if c.id != first.id and emulator.pins(c.id)), None))
    intro = await emulator.wait_for(lambda: [m for m in said_in(emulator, second.id) if "earlier crisis" in m])
    assert f"<#{first.id}>" in intro[0]


async def test_a_low_alert_goes_to_triage_and_a_person_opens_it(sender: Sender, emulator, workspace):
    status, answer = await sender.post("grafana", sample("grafana_firing"))

    assert status == 202 and answer["status"] == "triaged"
    assert crisis_channels(emulator) == []
    request = await emulator.wait_for(lambda: [m for m in emulator.messages("C0MANAGERS") if "triage" in m.text])
    await workspace.click("U0ALICE", "C0MANAGERS", request[0].ts, "triage_open")

    channel = await opened_channel(emulator)
    assert "Lead: <@U0ALICE>" in channel.topic
    decided = await emulator.wait_for(
        lambda: (m := emulator.find_message("C0MANAGERS", request[0].ts)).edited and m)
    assert "<@U0ALICE> opened a crisis from this alert" in str(decided.blocks)

    status, answer = await sender.post("grafana", sample("grafana_firing"))
    assert answer["status"] == "attached"  # the same key now feeds the crisis


async def test_a_triage_decision_is_recorded_once(sender: Sender, emulator, workspace, bot):
    await sender.post("grafana", sample("grafana_firing"))
    request = (await emulator.wait_for(lambda: [m for m in emulator.messages("C0MANAGERS") if "triage" in m.text]))[0]

    await asyncio.gather(workspace.click("U0DAN", "C0MANAGERS", request.ts, "triage_dismiss"),
                         workspace.click("U0ALICE", "C0MANAGERS", request.ts, "triage_open"))

    loser = await emulator.wait_for(lambda: next(
        (e for e in emulator.ephemerals() if "already decided" in e.text), None))
    decided = ("Dismissed by <@U0DAN>", "<@U0ALICE> opened a crisis")
    shown = await emulator.wait_for(lambda: next(  # the winner's update of the triage message
        (s for s in [str(emulator.find_message("C0MANAGERS", request.ts).blocks)] if any(d in s for d in decided)),
        None))
    if loser.user == "U0ALICE":
        assert "Dismissed by <@U0DAN>" in shown
        assert crisis_channels(emulator) == []
    else:
        await opened_channel(emulator)
        assert "<@U0ALICE> opened a crisis" in shown


@pytest.mark.parametrize("source, name, route", [
    ("alertmanager", "alertmanager_firing", "opened"),
    ("pagerduty", "pagerduty_trigger", "opened"),
    ("grafana", "grafana_firing", "triaged"),
    ("alertmanager", "alertmanager_resolved", "recorded"),
])
async def test_each_source_format(sender: Sender, source, name, route):
    status, answer = await sender.post(source, sample(name))

    assert (status, answer["status"]) == (202, route)


async def test_a_signed_request_is_accepted(sender: Sender, emulator):
    import time

    status, answer = await sender.post_signed("generic", sample("generic_firing"), int(time.time()))

    assert (status, answer["status"]) == (202, "opened")


@pytest.mark.parametrize("how", ["no token", "wrong token", "bad signature", "stale signature"])
async def test_unauthenticated_alerts_are_refused_and_forgotten(sender: Sender, emulator, bot, how):
    import time

    payload = sample("generic_firing")
    if how == "no token":
        status, _ = await sender.post("generic", payload, token=None)
    elif how == "wrong token":
        status, _ = await sender.post("generic", payload, token="guess")
    elif how == "bad signature":
        status, _ = await sender.post_signed("generic", payload, int(time.time()), secret="other")
    else:
        status, _ = await sender.post_signed("generic", payload, int(time.time()) - 301)

    assert status == 401
    assert await bot.services.deps.crises.active() == []
    assert [c for c in emulator.calls if c.method != "auth.test"] == []  # the start-up's auth.test aside


@pytest.mark.parametrize("source, body, status, says", [
    ("generic", b'{"title": "x",', 400, "malformed JSON"),
    ("generic", b'{"summary": "no title", "networks": "tiktok"}', 422, "title"),
    ("generic", b'{"title": "x"}' + b" " * (1024 * 1024), 413, "over"),
    ("nagios", b'{"title": "x"}', 404, "generic"),
])
async def test_bad_input_gets_a_clear_error_and_stores_nothing(sender: Sender, emulator, bot, source, body, status,
                                                              says):
    got, answer = await sender.post(source, body)

    assert got == status
    assert says in str(answer)
    assert await bot.services.deps.crises.active() == []
    assert [c for c in emulator.calls if c.method != "auth.test"] == []  # the start-up's auth.test aside


async def test_the_generic_schema_is_published(sender: Sender):
    async with sender.session.get(f"{sender.bot.url}/alerts/schema") as response:
        schema = await response.json()

    assert response.status == 200
    assert "title" in schema["required"]


async def test_a_storm_on_one_key_gives_one_crisis_an_exact_count_and_few_messages(
        sender: Sender, emulator, bot, clock):
    payload = sample("generic_firing")
    resolved = sample("generic_resolved")
    await sender.post("generic", payload)  # the first opens the crisis
    for wave in range(10):  # then 999 more, 100 at a time; every tenth says resolved
        answers = await asyncio.gather(*(sender.post("generic", resolved if n % 10 == 0 else payload)
                                         for n in range(100 if wave < 9 else 99)))
        assert {status for status, _ in answers} == {202}
    channel = await opened_channel(emulator)
    crisis = await bot.services.crises.in_channel(channel.id)

    assert await bot.services.deps.alerts.count(crisis.id) == 1000
    await bot.settled()  # a digest that the storm's own follow-ups claimed is posted, not in flight
    digests_now = [m for m in said_in(emulator, channel.id) if " in all" in m]
    assert len(digests_now) <= 1  # within one interval
    clock.advance(seconds=61)
    await bot.tick_alerts()
    digests = [m for m in said_in(emulator, channel.id) if " in all" in m]
    assert sum(int(d.split("*+")[1].split(" ")[0].replace(",", "")) for d in digests) == 999
    assert sum(int(d.split("*")[3].split(" ")[0].replace(",", "")) for d in digests if "resolved*" in d) == 100
    assert [c for c in crisis_channels(emulator)] == [channel]
