"""One input each: what the fuzzing found, replayed on every database of the suite."""

from __future__ import annotations

import asyncio
import json

import pytest

from handlers.blocks.forms import CLOSE_CALLBACK, ROLE_CALLBACK, SITREP_CALLBACK
from handlers.blocks.modal import OPEN_CALLBACK
from tests.fuzz.watch import (
    ALICE,
    Rig,
    ack_texts,
    check_alert_answer,
    check_slack_reply,
    post_interaction,
    submission,
)
from tests.support.crisis import open_crisis


@pytest.mark.parametrize("body", [
    b'{"title": "Long number", "metrics": {"mentions": ' + b"1" * 5000 + b"}}",   # over Python's 4,300 digits
    b'{"title": "Huge number", "severity": "low", "metrics": {"mentions": 1e999}}',  # a float overflows to inf
], ids=["5000-digit integer", "1e999"])
async def test_a_number_python_cannot_hold_is_refused_plainly(rig: Rig, body):
    rig.watch.start()
    status, answer = await rig.sender.post("generic", body)
    await rig.watch.settle()

    assert status in (400, 422), f"HTTP {status}: {answer!r}"  # like NaN and Infinity: refused, never stored
    assert isinstance(answer, dict) and answer.get("error"), answer
    assert not rig.watch.problems(), rig.watch.problems()


@pytest.mark.parametrize("where, text", [
    ("#general", "/crisis open high Serum\x00video"),
    ("crisis", "/crisis note a\x00b"),
    ("crisis", "/crisis sitrep origin: a\x00b"),
    ("crisis", "/crisis close learnt\x00nothing"),
])
async def test_a_nul_character_typed_is_handled(rig: Rig, where, text):
    channel = "C0GENERAL" if where == "#general" else await open_crisis(rig.alice)
    rig.watch.start()
    reply = await rig.alice.types(text, channel=channel)
    await rig.watch.settle()

    check_slack_reply(reply, text)
    assert any(ack_texts(reply)) or rig.watch.told()
    assert not rig.watch.problems(ack_texts(reply)), rig.watch.problems(ack_texts(reply))


async def test_a_nul_character_in_an_alert_is_handled(rig: Rig):
    rig.watch.start()
    status, answer = await rig.sender.post("generic", {"title": "Boycott\x00hashtag", "severity": "low"})
    await rig.watch.settle()

    check_alert_answer(status, answer, "an alert title with NUL")
    assert not rig.watch.problems(), rig.watch.problems()


@pytest.mark.parametrize("callback, state", [
    (SITREP_CALLBACK, None),
    (CLOSE_CALLBACK, {"outcome": {"outcome": {"type": "plain_text_input", "value": "Handled"}}}),
    (ROLE_CALLBACK, {"role": {"role": {"type": "static_select", "selected_option": {"value": "legal"}}}}),
])
async def test_a_form_of_a_crisis_that_does_not_exist_is_answered(rig: Rig, callback, state):
    """A form submitted for a crisis the database no longer has (restored from a backup, another install)."""
    view = {"id": "V0GONE", "type": "modal", "callback_id": callback, "private_metadata": json.dumps({"crisis": 999})}
    if state is not None:
        view["state"] = {"values": state}
    rig.watch.start()
    answer = await post_interaction(rig.ws, submission(view))
    await rig.watch.settle()

    check_slack_reply(answer, f"{callback} for crisis 999")
    assert not rig.watch.problems(), rig.watch.problems()


@pytest.mark.parametrize("callback, view", [
    (OPEN_CALLBACK, {"private_metadata": {"channel": "C0GENERAL"}}),
    (OPEN_CALLBACK, {"state": {"values": {"title": ["Serum video"]}}}),
    (SITREP_CALLBACK, {"private_metadata": True}),
    (CLOSE_CALLBACK, {"state": {"values": {"outcome": ["Handled"]}}}),
    (CLOSE_CALLBACK, {"state": {"values": {"outcome": {"outcome": "Handled"}}}}),
    (CLOSE_CALLBACK, {"state": {"values": {"outcome": {"outcome": {"type": "plain_text_input", "value": 5}}}}}),
], ids=["open: metadata not a string", "open: block a list", "sitrep: metadata not a string",
        "close: block a list", "close: element a string", "close: value a number"])
async def test_a_form_state_of_the_wrong_shape_is_answered(rig: Rig, callback, view):
    channel = await open_crisis(rig.alice)
    crisis = await rig.bot.services.crises.in_channel(channel)
    view = {"id": "V0ODD", "type": "modal", "callback_id": callback,
            "private_metadata": json.dumps({"crisis": crisis.id, "channel": "C0GENERAL"}), **view}
    rig.watch.start()
    answer = await post_interaction(rig.ws, submission(view))
    await rig.watch.settle()

    check_slack_reply(answer, f"{callback} {view!r}")
    assert not rig.watch.problems(), rig.watch.problems()


async def test_the_scheduler_tick_does_not_run_an_opening_a_second_time(rig: Rig):
    """Found as a flaky UNIQUE(opening_step) failure: the tick resumed an opening still running for its request."""
    topic_held = asyncio.Event()
    rig.emu.inject("conversations.setTopic", until=topic_held)  # the request's opening still runs at the tick
    rig.watch.start()
    await rig.alice.types("/crisis open high Raced")
    await rig.emu.wait_for(lambda: rig.emu.calls_to("conversations.create"))

    try:
        await rig.bot.services.tick()  # what the scheduler does every 10 seconds
        failed = []
    except Exception as exc:
        failed = [f"the tick failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"]
    topic_held.set()
    await rig.watch.settle()

    channel = rig.emu.channel_by_name("crisis-20261121-raced")
    found = failed + rig.watch.problems()
    pinned, topics = len(rig.emu.pins(channel.id)), len(rig.emu.calls_to("conversations.setTopic"))
    if (pinned, topics) != (1, 1):
        found.append(f"the plan was pinned {pinned} time(s) and the topic set {topics} time(s)")
    if not [e for e in rig.emu.ephemerals(user=ALICE) if "is open" in e.text]:
        found.append("Alice was never told the room is open")
    if rig.emu.dms(ALICE):
        found.append("Alice was told by DM as well that the room is open")
    assert not found, found


async def test_an_alert_url_with_a_capitalised_scheme_is_bookmarked(rig: Rig):
    """`HTTPS://…` passes the alert's URL check, but bookmarks.add refuses it: the introduction never comes."""
    rig.watch.links_allowed = True
    rig.watch.start()
    status, answer = await rig.sender.post("generic", {"title": "Shouted link", "severity": "high",
                                                       "url": "HTTPS://LISTENING.EXAMPLE.COM/SEARCHES/LUMINA"})
    await rig.watch.settle()
    await rig.bot.tick_alerts()  # what the scheduler retries

    assert (status, answer.get("status")) == (202, "opened"), answer
    assert not rig.watch.problems(), rig.watch.problems()


@pytest.mark.parametrize("role", ["legal", "lead"])
async def test_a_role_for_someone_not_in_the_workspace_is_refused_plainly(rig: Rig, role):
    """`/crisis role legal U0NOBODY`: an ID-shaped word of nobody (a typo) must not become a role holder."""
    channel = await open_crisis(rig.alice)
    rig.watch.legit_users.add("U0NOBODY")  # a mention of the holder is no leak; holding the role is the bug
    rig.watch.start()
    reply = await rig.alice.types(f"/crisis role {role} U0NOBODY", channel=channel)
    await rig.watch.settle()

    check_slack_reply(reply, "role for U0NOBODY")
    found = rig.watch.problems(ack_texts(reply))
    crisis = await rig.bot.services.crises.in_channel(channel)
    holders = [user for _, user in await rig.bot.services.team.roster(crisis)]
    if "U0NOBODY" in holders or crisis.lead != ALICE:
        found.append(f"U0NOBODY holds a role (lead: {crisis.lead})")
    assert not found, found


async def test_a_role_for_a_long_run_of_capitals_is_a_name_not_an_id(rig: Rig):
    """`/crisis role spokesperson UUUU…` (10,000 of them, found by fuzzing): it was taken for a user ID and sent
    to conversations.invite, whose URL was too long for the server (HTTP 400, an unexpected-error reply)."""
    channel = await open_crisis(rig.alice)
    rig.watch.start()
    reply = await rig.alice.types("/crisis role spokesperson " + "U" * 10_000, channel=channel)
    await rig.watch.settle()

    check_slack_reply(reply, "role for a very long name")
    assert not rig.watch.problems(ack_texts(reply)), rig.watch.problems(ack_texts(reply))
    await rig.alice.sees_privately("can't find anyone called `UUUU")
    assert rig.emu.calls_to("conversations.invite")[-1].args.get("users") != "U" * 10_000


async def test_giving_a_role_to_its_holder_again_is_answered(rig: Rig):
    """`/crisis role legal @carla` when Carla is already Legal: nothing changes, but the person hears so."""
    channel = await open_crisis(rig.alice)
    await rig.alice.types("/crisis role legal <@U0CARLA>", channel=channel)
    await rig.emu.wait_for(lambda: [m for m in rig.emu.messages(channel) if "<@U0CARLA>" in m.text])
    await rig.watch.settle()
    rig.watch.legit_users.add("U0CARLA")

    rig.watch.start()
    reply = await rig.alice.types("/crisis role legal <@U0CARLA>", channel=channel)
    await rig.watch.settle()

    check_slack_reply(reply, "the same role again")
    assert any(ack_texts(reply)) or rig.watch.told(), "Alice typed a command and heard nothing back"
    assert not rig.watch.problems(ack_texts(reply)), rig.watch.problems(ack_texts(reply))
