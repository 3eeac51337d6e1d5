"""Alert groups as Alertmanager and Grafana mean them: re-sends counted once, the group's size told, keys
scoped to their sender, and a mixed group titled by its firing alerts. Bodies: tests/alerts/SOURCES.md."""

from __future__ import annotations

import asyncio
import copy


from bot.domain.timeline import Kind
from tests.support.crisis import crisis_channels, said_in
from tests.support.senders import Sender, sample




def triage_requests(emulator) -> list:
    return [m for m in emulator.messages("C0MANAGERS") if "Alert for triage" in m.text]


async def opened_channel(emulator):
    return await emulator.wait_for(lambda: next((c for c in crisis_channels(emulator) if emulator.pins(c.id)), None))


async def test_the_intro_of_a_crisis_a_group_opened_says_how_many_alerts_are_in_it(sender: Sender, emulator):
    status, answer = await sender.post("alertmanager", sample("alertmanager_group3_firing"))

    assert (status, answer["status"]) == (202, "opened")
    channel = await opened_channel(emulator)
    intro = await emulator.wait_for(lambda: [m for m in said_in(emulator, channel.id) if "*Opened by an alert" in m])
    assert "Boycott hashtag against Lumina is trending" in intro[0] and "3 alerts in this group" in intro[0]
    assert "tiktok, x, instagram" in intro[0]


async def test_an_alertmanager_group_fired_repeated_and_resolved_counts_three_alerts(
        sender: Sender, emulator, bot, clock):
    firing, resolved = sample("alertmanager_group3_firing"), sample("alertmanager_group3_resolved")

    status, answer = await sender.post("alertmanager", firing)

    assert (status, answer["status"]) == (202, "opened")
    channel = await opened_channel(emulator)

    clock.advance(seconds=300)  # Alertmanager's repeat_interval: the whole group again, unchanged
    status, answer = await sender.post("alertmanager", firing)
    assert (status, answer["status"]) == (202, "attached")
    clock.advance(seconds=61)
    await bot.tick_alerts()

    status, answer = await sender.post("alertmanager", resolved)  # the group's end: the same 3 alerts
    assert (status, answer["status"]) == (202, "attached")
    clock.advance(seconds=61)
    await bot.tick_alerts()

    digest = await emulator.wait_for(lambda: [m for m in said_in(emulator, channel.id) if " in all" in m])
    assert len(digest) == 1, digest  # the repeat told nothing: nothing new had come
    assert "*3 resolved*" in digest[0] and "3 in all" in digest[0]
    assert not any(n in m for m in said_in(emulator, channel.id) for n in ("6 in all", "9 in all", "+3 alerts"))
    crisis = await bot.services.crises.in_channel(channel.id)
    assert await bot.services.deps.alerts.count(crisis.id) == 3
    timeline = await bot.services.deps.dossier.timeline(crisis.id)
    alerts = [e for e in timeline if e.kind is Kind.ALERT]
    assert alerts[0].data["count"] == 3  # the story starts with the whole group
    assert sum(e.data.get("count", 0) for e in alerts) == 3 and alerts[-1].data["resolved"] == 3


async def test_a_group_with_more_alerts_on_a_repeat_counts_only_the_new_one(sender: Sender, emulator, bot, clock):
    firing = sample("alertmanager_group3_firing")
    two = {**firing, "alerts": firing["alerts"][:2]}
    await sender.post("alertmanager", two)
    channel = await opened_channel(emulator)

    await sender.post("alertmanager", firing)  # Instagram joins the group
    clock.advance(seconds=61)
    await bot.tick_alerts()

    digest = await emulator.wait_for(lambda: [m for m in said_in(emulator, channel.id) if " in all" in m])
    assert "*+1 alert*" in digest[0] and "3 in all" in digest[0]


async def test_two_grafana_instances_sending_the_same_generic_group_key_get_two_triages(
        sender: Sender, emulator, bot):
    docs = sample("grafana_docs")
    other = copy.deepcopy(docs)  # the same contact point on a second Grafana, whose rules watch Lumina
    other.update(externalURL="https://grafana.example.com/", orgId=2)
    for alert, network in zip(other["alerts"], ("tiktok", "instagram")):
        alert["labels"] = {"alertname": f"Lumina negative share on {network}", "brand": "lumina"}
        alert["annotations"] = {"summary": f"Negative share of Lumina mentions on {network} is over 60%"}
        alert["fingerprint"] = alert["fingerprint"][::-1]
    assert docs["groupKey"] == other["groupKey"] == "{}:{}"

    first = await sender.post("grafana", docs)
    second = await sender.post("grafana", other)
    again = await sender.post("grafana", docs)  # Grafana's repeat of the first group

    assert [a["status"] for _, a in (first, second, again)] == ["triaged"] * 3
    assert first[1]["triage"] != second[1]["triage"]
    assert again[1]["triage"] == first[1]["triage"]  # a re-send still finds its own triage
    requests = await emulator.wait_for(lambda: (r := triage_requests(emulator)) and len(r) == 2 and r)
    assert any("zone us-1" in r.text for r in requests)
    assert any("tiktok is over 60%" in r.text for r in requests)
    assert crisis_channels(emulator) == []
    triage = await bot.services.deps.alerts.triage(first[1]["triage"])
    assert triage.alert_count == 2  # the re-send counted nothing again


async def test_a_mixed_group_is_titled_by_its_most_severe_firing_alert(sender: Sender, emulator):
    status, answer = await sender.post("grafana", sample("grafana_mixed_other_instance"))

    # the resolved alert is critical: it neither opens a crisis nor titles the group
    assert (status, answer["status"]) == (202, "triaged")
    request = (await emulator.wait_for(lambda: triage_requests(emulator)))[0]
    assert "Negative share of Lumina mentions on TikTok is over 60% (+1)" in request.text
    assert "collector down" not in request.text and "Complaints are 20%" not in request.text
    assert crisis_channels(emulator) == []


async def test_simultaneous_re_sends_of_a_group_count_its_alerts_once(sender: Sender, emulator, bot):
    firing = sample("alertmanager_group3_firing")

    answers = await asyncio.gather(*(sender.post("alertmanager", firing) for _ in range(30)))

    assert {status for status, _ in answers} == {202}
    assert [a["status"] for _, a in answers].count("opened") == 1
    channel = await opened_channel(emulator)
    crisis = await bot.services.crises.in_channel(channel.id)
    assert await bot.services.deps.alerts.count(crisis.id) == 3
    assert [c.id for c in crisis_channels(emulator)] == [channel.id]


async def test_a_group_opened_from_triage_keeps_counting_its_alerts_once(sender: Sender, emulator, workspace, bot):
    docs = sample("grafana_docs")
    await sender.post("grafana", docs)
    request = (await emulator.wait_for(lambda: triage_requests(emulator)))[0]
    assert "· 2 alerts" in request.text
    await workspace.click("U0ALICE", "C0MANAGERS", request.ts, "triage_open")
    channel = await opened_channel(emulator)

    status, answer = await sender.post("grafana", docs)  # Grafana's repeat, now that the crisis is open

    assert (status, answer["status"]) == (202, "attached")
    crisis = await bot.services.crises.in_channel(channel.id)
    assert await bot.services.deps.alerts.count(crisis.id) == 2
