"""The 5 R milestones, in English, Spanish and Italian."""

from __future__ import annotations

import pytest

from tests.support.crisis import open_crisis, said_in
from tests.support.people import Person


@pytest.mark.parametrize("word, phase", [
    ("reduction", "Reduction"), ("Reducción", "Reduction"), ("riduzione", "Reduction"),
    ("respuesta", "Response"), ("risposta", "Response"),
    ("reaccion", "Reaction"), ("reazione", "Reaction"),
    ("recuperación", "Recovery"), ("recupero", "Recovery"),
    ("replanteamiento", "Rethink"), ("ripensamento", "Rethink"),
])
async def test_phase_names_in_three_languages(alice: Person, emulator, word, phase):
    channel = await open_crisis(alice)

    await alice.types(f"/crisis milestone {word}", channel=channel)

    await alice.sees_privately(f"{phase} recorded")


async def test_a_milestone_posts_its_time_and_time_since_opening(alice: Person, emulator, clock):
    channel = await open_crisis(alice)
    clock.advance(minutes=12)

    await alice.types("/crisis milestone reduction Ads paused on all networks", channel=channel)

    line = await emulator.wait_for(lambda: [m for m in said_in(emulator, channel) if "*Reduction* recorded" in m])
    assert "by <@U0ALICE> at" in line[0] and "2026-11-21 09:12 UTC" in line[0]
    assert "12 min after opening" in line[0]
    assert "Ads paused on all networks" in line[0]
    managers = await emulator.wait_for(lambda: said_in(emulator, "C0MANAGERS")[1:])
    assert "*Reduction* at" in managers[-1] and "12 min after opening" in managers[-1]
    assert "Phase: Reduction" in emulator.channel(channel).topic


async def test_out_of_order_phases_are_allowed_and_noted_and_repeats_kept(alice: Person, emulator, clock):
    channel = await open_crisis(alice)

    await alice.types("/crisis milestone reaction", channel=channel)
    await alice.sees_privately("Reaction recorded")
    clock.advance(minutes=5)
    await alice.types("/crisis milestone reaction Second wave of replies", channel=channel)
    await emulator.wait_for(lambda: any("recorded again" in m for m in said_in(emulator, channel)))

    first = next(m for m in said_in(emulator, channel) if "*Reaction* recorded by" in m)
    assert "Out of order: Reduction, Response not recorded yet" in first


async def test_the_phase_menu_on_the_pinned_plan_records_a_phase(alice: Person, bob: Person, emulator):
    channel = await open_crisis(alice)
    plan = emulator.messages(channel)[0]

    await bob.ws.click("U0BOB", channel, plan.ts, "phase_select", value=f"{_crisis_id(plan)}:response")

    await emulator.wait_for(lambda: any("*Response* recorded by <@U0BOB>" in m for m in said_in(emulator, channel)))


async def test_an_unknown_phase_lists_the_phases(alice: Person, emulator):
    channel = await open_crisis(alice)

    await alice.types("/crisis milestone panic", channel=channel)

    await alice.sees_privately("I know no phase `panic`. Phases: reduction, response, reaction, recovery, rethink")


def _crisis_id(plan_message) -> str:
    actions = next(b for b in plan_message.blocks if b["type"] == "actions")
    return next(e["value"] for e in actions["elements"] if e["action_id"] == "take_role")
