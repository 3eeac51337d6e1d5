"""Private crises stay private: the managers hear one line when one opens and one when it closes."""

from __future__ import annotations

from tests.support.crisis import open_crisis, said_in
from tests.support.harness import BotUnderTest
from tests.support.people import Person, fill_in


async def open_private(alice: Person, emulator, title: str) -> str:
    await alice.types("/crisis")
    await fill_in(alice, {"title": title, "severity": "critical", "private": True})
    told = await alice.sees_privately("is open")
    return told.text.split("<#")[1].split(">")[0]


async def test_the_managers_never_read_a_private_crisis(alice: Person, emulator, bot, clock):
    channel = await open_private(alice, emulator, "Data leak of VIP customers")
    await alice.types("/crisis milestone reduction Accounts locked", channel=channel)
    await alice.sees_privately("Reduction recorded")
    clock.advance(minutes=61)
    await bot.tick()  # the golden hour passes without a response
    await alice.types("/crisis close Rotate the keys quarterly", channel=channel)
    await alice.sees_privately("is closed")

    managers = said_in(emulator, "C0MANAGERS")
    assert len(managers) == 2
    assert "A private crisis was opened. Severity *Critical*" in managers[0]
    assert "A private crisis was closed" in managers[1]
    everything = " ".join(managers)
    for secret in ("Data leak", "VIP", "Accounts locked", "Rotate the keys", channel, "Reduction"):
        assert secret not in everything
    assert any("Crisis closed: Data leak of VIP customers" in m for m in said_in(emulator, channel))


async def test_a_private_crisis_is_on_the_home_tab_only_for_its_people(alice: Person, emulator, workspace):
    await open_private(alice, emulator, "Data leak of VIP customers")

    await workspace.open_home("U0BOB")
    await workspace.open_home("U0ALICE")

    await emulator.wait_for(lambda: emulator.home("U0BOB") and emulator.home("U0ALICE"))
    assert "Data leak" not in str(emulator.home("U0BOB"))
    assert "Data leak" in str(emulator.home("U0ALICE"))


# ----- every surface that lists or quotes a crisis -------------------------------------------------------------

SECRETS = ("Data leak", "VIP", "Rotate the keys")


def leaks(texts) -> int:
    """How many of the texts show a private detail."""
    return sum(1 for text in texts if any(secret in str(text) for secret in SECRETS))


async def forged_click(workspace, user: str, action_id: str, value: str, selected: bool = False):
    """A block_actions payload naming a crisis id, as anyone who saw (or guessed) the id can send."""
    action = {"type": "static_select" if selected else "button", "action_id": action_id, "block_id": "b",
              "action_ts": "1.2"}
    action.update({"selected_option": {"value": value, "text": {"type": "plain_text", "text": "x"}}} if selected
                  else {"value": value})
    payload = {"type": "block_actions", **workspace._common(user), "trigger_id": workspace.emu.issue_trigger(user),
               "container": {"type": "message", "message_ts": "1.1", "channel_id": "C0GENERAL"},
               "channel": {"id": "C0GENERAL", "name": "general"},
               "response_url": workspace.emu.response_url_for(workspace.emu.new_response_url_token(user,
                                                                                                 "C0GENERAL")),
               "actions": [action]}
    return await workspace._post_payload(payload)


async def test_private_details_seen_by_non_members_0(alice: Person, bob: Person, emulator, bot, workspace):
    channel = await open_private(alice, emulator, "Data leak of VIP customers")
    crisis = await bot.services.deps.crises.by_channel(channel)
    await alice.types("/crisis open high Public boycott")
    await alice.sees_privately("is open")
    seen: list = []

    # /crisis status in #general
    await bob.types("/crisis status")
    seen.append((await bob.sees_privately("Public boycott")).text)
    await alice.types("/crisis status")
    assert "Data leak" in (await alice.sees_privately("Public boycott")).text  # a member sees it

    # buttons, menus and reminders naming the crisis id
    before = len(await bot.services.deps.dossier.milestones(crisis.id))
    for action_id, value, selected in (("take_role", str(crisis.id), False), ("close_open", str(crisis.id), False),
                                       ("phase_select", f"{crisis.id}:reduction", True),
                                       ("record_recovery", str(crisis.id), False),
                                       ("reminder_snooze", f'{{"crisis": {crisis.id}, "kind": "sitrep_missing", '
                                                           f'"minutes": 30}}', False)):
        await forged_click(workspace, "U0BOB", action_id, value, selected)
        seen.append((await bob.sees_privately("not one of its members")).text)
    assert emulator.open_views("U0BOB") == []
    assert len(await bot.services.deps.dossier.milestones(crisis.id)) == before

    # the close with its lessons, then /crisis plan and a later crisis's pinned plan
    await alice.types("/crisis close Rotate the keys quarterly", channel=channel)
    await alice.sees_privately("is closed")
    await bob.types("/crisis plan")
    reply = await bob.sees_privately("5 R")
    seen.append(reply.text + str(reply.blocks))
    await alice.types("/crisis plan")
    mine = await alice.sees_privately("Rotate the keys")  # its member still reads its lessons
    assert mine is not None
    later = await open_crisis(bob, "Another boycott")
    seen += said_in(emulator, later)

    # the Home tab, active and closed
    await workspace.open_home("U0BOB")
    home = await emulator.wait_for(lambda: emulator.home("U0BOB"))
    seen.append(str(home))
    await bot.settled()
    seen += [m for m in said_in(emulator, "C0MANAGERS")]

    print("private details seen by non-members:", leaks(seen))
    assert leaks(seen) == 0
    assert len(seen) >= 10


async def test_an_admin_adopts_a_private_crisis_lessons_into_later_plans(emulator, database_url, clock, workspace):
    bot = await BotUnderTest(emulator, database_url, clock, crisisbot_admins="U0DAN",
                             crisisbot_managers_channel="C0MANAGERS").start()
    try:
        workspace.bot_url = bot.events_url
        alice, bob, dan = (Person(u, workspace, emulator) for u in ("U0ALICE", "U0BOB", "U0DAN"))
        channel = await open_private(alice, emulator, "Data leak of VIP customers")
        hidden = await open_private(alice, emulator, "Another VIP matter")
        await alice.types("/crisis invite <@U0DAN>", channel=channel)
        await emulator.wait_for(lambda: "U0DAN" in emulator.channels_by_id[channel].members)
        for room in (channel, hidden):
            await alice.types("/crisis close Rotate the keys quarterly", channel=room)
            await alice.sees_privately("is closed")

        await workspace.open_home("U0DAN")
        await emulator.wait_for(lambda: emulator.home("U0DAN"))
        assert "Another VIP matter" not in str(emulator.home("U0DAN"))  # an admin outside a crisis sees nothing
        home = emulator.home("U0DAN")
        assert str(home).count("lessons_adopt") == 1  # the crisis dan is in, not the other one
        view_id = emulator.homes["U0DAN"]
        await workspace.click_in_view("U0DAN", view_id, "lessons_adopt")
        await emulator.wait_for(lambda: any("1 lesson is now shown" in m.text for m in emulator.dms("U0DAN")))

        later = await open_crisis(bob, "Another boycott")
        assert any("Rotate the keys quarterly" in m for m in said_in(emulator, later))
        assert not any("Data leak" in m for m in said_in(emulator, later))  # the lesson, not the crisis
    finally:
        await bot.stop()


async def test_only_an_admin_may_adopt(alice: Person, emulator, bot, workspace):
    channel = await open_private(alice, emulator, "Data leak of VIP customers")
    crisis = await bot.services.deps.crises.by_channel(channel)
    await alice.types("/crisis close Rotate the keys quarterly", channel=channel)
    await alice.sees_privately("is closed")
    await forged_click(workspace, "U0ALICE", "lessons_adopt", str(crisis.id))
    await emulator.wait_for(lambda: any("Only a crisisbot admin" in m.text for m in emulator.dms("U0ALICE")))
    later = await open_crisis(alice, "Another boycott")
    assert not any("Rotate the keys" in m for m in said_in(emulator, later))
