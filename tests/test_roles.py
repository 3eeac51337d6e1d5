"""Roles: assigning, handing off, listing, taking one by button, default holders."""

from __future__ import annotations

from dataclasses import replace

from bot.plan_loader import load_plan
from tests.support.crisis import open_crisis, said_in
from tests.support.harness import BotUnderTest
from tests.support.people import Person, fill_in


async def test_assigning_a_role_invites_briefs_and_tells_the_channel(alice: Person, emulator):
    channel = await open_crisis(alice)

    await alice.types("/crisis role portavoz <@U0BOB|bob>", channel=channel)

    await emulator.wait_for(lambda: any("is now *Spokesperson*" in m for m in said_in(emulator, channel)))
    assert "U0BOB" in emulator.members(channel)
    brief = await emulator.wait_for(lambda: emulator.dms("U0BOB"))
    assert "You are *Spokesperson*" in brief[-1].text
    assert "only voice of the brand" in brief[-1].text
    pinned = await emulator.wait_for(lambda: emulator.messages(channel)[0].edited and emulator.messages(channel)[0])
    assert "*Spokesperson*: <@U0BOB>" in str(pinned.blocks)  # the pinned plan shows who holds what


async def test_a_role_already_held_is_handed_over(alice: Person, emulator):
    channel = await open_crisis(alice)
    await alice.types("/crisis role legal <@U0BOB|bob>", channel=channel)
    await emulator.wait_for(lambda: any("is now *Legal*" in m for m in said_in(emulator, channel)))

    await alice.types("/crisis role legal <@U0CARLA|carla>", channel=channel)

    handoff = await emulator.wait_for(lambda: [m for m in said_in(emulator, channel) if "handed over" in m])
    assert "*Legal*: <@U0BOB> handed over to <@U0CARLA>" in handoff[0]


async def test_handing_over_the_lead_updates_the_topic(alice: Person, emulator):
    channel = await open_crisis(alice)

    await alice.types("/crisis role lead <@U0DAN>", channel=channel)

    await emulator.wait_for(lambda: "Lead: <@U0DAN>" in emulator.channel(channel).topic)
    await alice.types("/crisis status", channel=channel)
    await alice.sees_privately("Lead <@U0DAN>")


async def test_roles_lists_holders_and_flags_the_unfilled(alice: Person, emulator):
    channel = await open_crisis(alice)
    await alice.types("/crisis role care <@U0BOB>", channel=channel)
    # not just "Customer care": the pinned plan names every role from the start
    await emulator.wait_for(lambda: any("<@U0BOB> is now *Customer care*" in m for m in said_in(emulator, channel)))

    await alice.types("/crisis roles", channel=channel)

    told = await alice.sees_privately("Roles in this crisis")
    assert "*Crisis lead*: <@U0ALICE>" in told.text
    assert "*Customer care*: <@U0BOB>" in told.text
    assert "*Legal*: :warning: _unassigned_" in told.text


async def test_unknown_roles_and_people_get_clear_answers(alice: Person, emulator):
    channel = await open_crisis(alice)

    await alice.types("/crisis role janitor <@U0BOB>", channel=channel)
    await alice.sees_privately("I know no role `janitor`")
    await alice.types("/crisis role legal nobody", channel=channel)  # a plain name is looked up
    await alice.sees_privately("I can't find anyone called `nobody`")


async def test_take_a_role_button_on_the_pinned_plan(alice: Person, bob: Person, emulator):
    channel = await open_crisis(alice)
    plan = emulator.messages(channel)[0]

    await bob.ws.click("U0BOB", channel, plan.ts, "take_role", value=None)
    await fill_in(bob, {"role": "listening"})

    await emulator.wait_for(lambda: any("<@U0BOB> is now *Social listening*" in m for m in said_in(emulator, channel)))
    await bob.sees_privately("You are now *Social listening*")


async def test_default_holders_are_invited_and_assigned_at_open(emulator, database_url, clock, workspace):
    plan = load_plan()
    roles = tuple(replace(r, default_holders=("U0DAN",)) if r.key == "legal"
                  else replace(r, default_holders=("S0COMMS",)) if r.key == "spokesperson" else r
                  for r in plan.roles)
    bot = await BotUnderTest(emulator, database_url, clock, plan=replace(plan, roles=roles)).start()
    try:
        workspace.bot_url = bot.events_url
        alice = Person("U0ALICE", workspace, emulator)
        channel = await open_crisis(alice)

        await emulator.wait_for(lambda: {"U0DAN", "U0BOB", "U0CARLA"} <= emulator.members(channel))
        await alice.types("/crisis roles", channel=channel)
        told = await alice.sees_privately("Roles in this crisis")
        assert "*Legal*: <@U0DAN>" in told.text
        assert "*Spokesperson*: <@U0BOB>" in told.text  # the first of the user group
    finally:
        await bot.stop()
