"""A signed request replayed byte for byte within Slack's five-minute window is answered as before and changes
nothing: slash commands by trigger_id, forms by view id and hash, clicks by action_ts, user and action_id."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

from bot.app import REQUESTS, RESUMER
from bot.domain.timeline import Kind
from handlers.web import BOLT
from tests.support.crisis import crisis_channels, open_crisis, said_in, signed_slash
from tests.support.harness import SIGNING_SECRET
from tests.support.people import Person, text_of
from tests.test_milestones import _crisis_id
from tests.test_timeline import timeline


async def test_a_replayed_slash_open_opens_one_crisis_and_answers_the_same(alice: Person, emulator, bot):
    first = await alice.types("/crisis open high Influencer video claims our serum burns skin")
    request = alice.ws.sent[-1]
    replays = [await alice.ws.replay(request) for _ in range(4)]
    await alice.sees_privately("is open")
    await bot.settled()

    assert [r.status for r in replays] == [200] * 4
    assert all(text_of(r) == text_of(first) for r in replays), [text_of(r) for r in replays]
    assert "Opening a crisis room" in text_of(first)
    assert len(crisis_channels(emulator)) == 1  # 4 replays -> 4 crises before
    assert len(await bot.services.crises.active()) == 1


async def test_a_replayed_open_form_opens_one_crisis(alice: Person, emulator, bot):
    await alice.types("/crisis")
    modal = (await emulator.wait_for(lambda: emulator.open_views("U0ALICE")))[-1]
    await alice.ws.submit_view("U0ALICE", modal.id, {"title": "Deepfake of our CEO", "severity": "critical"})
    request = alice.ws.sent[-1]
    for _ in range(3):
        assert (await alice.ws.replay(request)).status == 200
    await alice.sees_privately("is open")
    await bot.settled()

    assert len(crisis_channels(emulator)) == 1  # 3 replays -> 3 crises before
    assert len(await bot.services.crises.active()) == 1


async def test_a_form_corrected_after_an_error_is_not_taken_for_a_replay(alice: Person, emulator, bot):
    await alice.types("/crisis")
    modal = (await emulator.wait_for(lambda: emulator.open_views("U0ALICE")))[-1]
    refused = await alice.ws.submit_view("U0ALICE", modal.id, {"title": "   ", "severity": "high"})
    assert refused.body["response_action"] == "errors"

    await alice.ws.submit_view("U0ALICE", modal.id, {"title": "Boycott hashtag", "severity": "high"})

    await alice.sees_privately("is open")
    assert [c.name for c in crisis_channels(emulator)] == ["crisis-20261121-boycott-hashtag"]


async def test_a_replayed_note_is_added_once(alice: Person, emulator, bot):
    channel = await open_crisis(alice)
    await alice.types("/crisis note Journalist from El País called", channel=channel)
    await alice.sees_privately("Added to the timeline")
    for _ in range(3):
        await alice.ws.replay()
    await bot.settled()

    notes = [e for e in await timeline(bot, channel) if e.kind is Kind.NOTE]
    assert len(notes) == 1
    assert sum("Added to the timeline" in t for t in alice.private_texts()) == 1


async def test_a_replayed_click_records_the_phase_once(alice: Person, bob: Person, emulator, bot):
    channel = await open_crisis(alice)
    plan = emulator.messages(channel)[0]
    await bob.ws.click("U0BOB", channel, plan.ts, "phase_select", value=f"{_crisis_id(plan)}:response")
    await emulator.wait_for(lambda: any("*Response* recorded" in m for m in said_in(emulator, channel)))
    for _ in range(3):
        assert (await bob.ws.replay()).status == 200
    await bot.settled()

    assert sum("*Response* recorded" in m for m in said_in(emulator, channel)) == 1
    milestones = [e for e in await timeline(bot, channel) if e.kind is Kind.MILESTONE]
    assert len(milestones) == 1


async def test_two_clicks_of_the_same_button_are_two_clicks(alice: Person, bob: Person, emulator, bot):
    channel = await open_crisis(alice)
    plan = emulator.messages(channel)[0]
    for phase in ("response", "reaction"):
        await bob.ws.click("U0BOB", channel, plan.ts, "phase_select", value=f"{_crisis_id(plan)}:{phase}")
    await emulator.wait_for(lambda: any("*Reaction* recorded" in m for m in said_in(emulator, channel)))
    assert any("*Response* recorded" in m for m in said_in(emulator, channel))


async def test_a_request_acknowledged_by_a_process_that_died_is_resumed_once(alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice)
    body, _ = signed_slash(emulator, SIGNING_SECRET, "note Statement drafted for legal", channel)
    key = "slash:" + parse_qs(body.decode())["trigger_id"][0]
    # what the journal holds when a process recorded a request, acknowledged it, and died before doing it
    app = bot.running.app
    await app[REQUESTS].record(key, "slash", "U0ALICE", body.decode(), clock.now() - timedelta(minutes=10),
                               timedelta(minutes=5))

    assert await app[RESUMER].resume(app[BOLT]) == 1
    await alice.sees_privately("Added to the timeline", since_typed=False)
    assert await app[RESUMER].resume(app[BOLT]) == 0  # finished: not again
    await bot.settled()

    notes = [e.data.get("text") for e in await timeline(bot, channel) if e.kind is Kind.NOTE]
    assert notes == ["Statement drafted for legal"]
    assert await app[REQUESTS].state_of(key) == "done"
