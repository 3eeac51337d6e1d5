"""Closing, handing over the lead and changing severity are the lead's and admins'."""

from __future__ import annotations

from tests.support.crisis import open_crisis, said_in
from tests.support.harness import BotUnderTest
from tests.support.people import Person


async def test_only_the_lead_closes_hands_over_or_changes_severity(alice: Person, bob: Person, emulator):
    channel = await open_crisis(alice)
    await alice.types("/crisis role legal <@U0BOB>", channel=channel)

    await bob.types("/crisis close Done", channel=channel)
    await bob.sees_privately("Only the crisis lead (<@U0ALICE>) or an admin can close this crisis")
    await bob.types("/crisis role lead <@U0BOB>", channel=channel)
    await bob.sees_privately("can hand over the lead")
    await bob.types("/crisis severity critical", channel=channel)
    await bob.sees_privately("can change the severity")
    assert "Lead: <@U0ALICE>" in emulator.channel(channel).topic
    assert "High" in emulator.channel(channel).topic

    await alice.types("/crisis severity critical", channel=channel)
    await alice.sees_privately("Severity is now *Critical*")
    await emulator.wait_for(lambda: emulator.channel(channel).topic.startswith(":rotating_light: Critical"))
    plan = next(m for m in emulator.messages(channel) if m.ts in emulator.channel(channel).pins)
    await emulator.wait_for(lambda: "Severity *Critical*" in str(plan.blocks))  # the pinned plan follows
    assert any("changed the severity of *Serum video* from *High* to *Critical*" in m
               for m in said_in(emulator, "C0MANAGERS"))
    await alice.types("/crisis role lead <@U0BOB>", channel=channel)
    await emulator.wait_for(lambda: "Lead: <@U0BOB>" in emulator.channel(channel).topic)
    await bob.types("/crisis close Done", channel=channel)
    await bob.sees_privately("is closed")


async def test_the_close_button_refuses_before_the_form(alice: Person, bob: Person, emulator, workspace):
    channel = await open_crisis(alice)
    await alice.types("/crisis role legal <@U0BOB>", channel=channel)
    plan = emulator.messages(channel)[0]

    await workspace.click("U0BOB", channel, plan.ts, "close_open")

    await bob.sees_privately("can close this crisis")
    assert emulator.open_views("U0BOB") == []


async def test_admins_by_id_or_user_group_may_steer_any_crisis(emulator, database_url, clock, workspace):
    bot = await BotUnderTest(emulator, database_url, clock, crisisbot_admins="U0DAN,S0COMMS").start()
    try:
        workspace.bot_url = bot.events_url
        alice, dan, carla = (Person(u, workspace, emulator) for u in ("U0ALICE", "U0DAN", "U0CARLA"))
        channel = await open_crisis(alice)
        await alice.types("/crisis role care <@U0CARLA>", channel=channel)

        await carla.types("/crisis severity low", channel=channel)  # carla is in the comms group
        await carla.sees_privately("Severity is now *Low*")
        await dan.types("/crisis close Admin closed it", channel=channel)
        await dan.sees_privately("is closed")
    finally:
        await bot.stop()


async def test_an_unknown_severity_lists_the_levels(alice: Person, emulator):
    channel = await open_crisis(alice)

    await alice.types("/crisis severity apocalyptic", channel=channel)

    await alice.sees_privately("I know no severity `apocalyptic`. Severities: low, medium, high, critical")
