"""People named as they are typed: `@bob` escaped by Slack, a plain `@Bob Smith`, and `/crisis invite`."""

from __future__ import annotations

from tests.support.crisis import open_crisis, said_in
from tests.support.people import Person


async def test_a_typed_at_name_gets_the_role(alice: Person, emulator):
    channel = await open_crisis(alice)

    await alice.types("/crisis role legal @bob", channel=channel)  # the emulator escapes it, as Slack does

    await emulator.wait_for(lambda: any("<@U0BOB> is now *Legal*" in m for m in said_in(emulator, channel)))
    assert "U0BOB" in emulator.members(channel)


async def test_a_plain_display_name_not_escaped_gets_the_role(alice: Person, workspace, emulator):
    emulator.add_user("bsmith", "Bob Smith")
    smith = emulator.user_by_name("bsmith")
    channel = await open_crisis(alice)

    # Enterprise Grid or a copy-paste: Slack sends the text as typed
    await workspace.slash("U0ALICE", channel, "role legal @bob smith", escape=False)

    await emulator.wait_for(lambda: any(f"<@{smith.id}> is now *Legal*" in m for m in said_in(emulator, channel)))
    assert emulator.calls_to("users.list"), "the name was looked up"


async def test_names_match_without_accents_and_the_lookup_is_cached(alice: Person, workspace, emulator):
    channel = await open_crisis(alice)

    await workspace.slash("U0ALICE", channel, "role care carla mendez", escape=False)  # Carla Méndez
    await emulator.wait_for(lambda: any("<@U0CARLA> is now *Customer care*" in m for m in said_in(emulator, channel)))
    await workspace.slash("U0ALICE", channel, "role legal @Dan Whitfield", escape=False)
    await emulator.wait_for(lambda: any("<@U0DAN> is now *Legal*" in m for m in said_in(emulator, channel)))

    assert len(emulator.calls_to("users.list")) == 1


async def test_an_unknown_name_gets_a_clear_error(alice: Person, emulator):
    channel = await open_crisis(alice)

    await alice.types("/crisis role legal @nobody", channel=channel)

    told = await alice.sees_privately("can't find anyone called `nobody`")
    assert "Mention them" in told.text
    assert not any("is now *Legal*" in m for m in said_in(emulator, channel))


async def test_an_ambiguous_name_lists_the_candidates(alice: Person, workspace, emulator):
    emulator.add_user("bobby", "Bob Rossi")   # a second Bob Rossi
    channel = await open_crisis(alice)

    await workspace.slash("U0ALICE", channel, "role legal @Bob Rossi", escape=False)

    told = await alice.sees_privately("Several people are called `Bob Rossi`")
    assert "Bob Rossi (@bob)" in told.text and "Bob Rossi (@bobby)" in told.text


async def test_invite_brings_people_in_without_a_role(alice: Person, workspace, emulator):
    channel = await open_crisis(alice)

    await alice.types("/crisis invite @bob @carla", channel=channel)

    told = await emulator.wait_for(lambda: [m for m in said_in(emulator, channel) if "invited" in m])
    assert "<@U0ALICE> invited <@U0BOB>, <@U0CARLA> to the crisis room." in told[0]
    assert {"U0BOB", "U0CARLA"} <= emulator.members(channel)
    await alice.sees_privately("Invited: <@U0BOB>, <@U0CARLA>.")
    await alice.types("/crisis roles", channel=channel)
    roster = await alice.sees_privately("Legal")
    assert "U0BOB" not in roster.text and "U0CARLA" not in roster.text   # no role given
    invites = emulator.calls_to("conversations.invite")
    assert invites[-1].args["users"] in ("U0BOB,U0CARLA", ["U0BOB", "U0CARLA"])   # one call for both


async def test_invite_takes_plain_names_and_writes_the_timeline(alice: Person, workspace, emulator, bot):
    channel = await open_crisis(alice)

    await workspace.slash("U0ALICE", channel, "invite @Dan Whitfield", escape=False)

    await emulator.wait_for(lambda: any("invited <@U0DAN>" in m for m in said_in(emulator, channel)))
    crisis = await bot.services.deps.crises.by_channel(channel)
    entries = await bot.services.deps.dossier.timeline(crisis.id)
    assert [e.data for e in entries if e.kind == "invited"] == [{"users": ["U0DAN"]}]


async def test_invite_refuses_outside_a_crisis_without_anyone_or_for_strangers(alice: Person, emulator):
    await alice.types("/crisis invite @bob", channel="C0GENERAL")
    await alice.sees_privately("crisis channel")
    assert "U0BOB" in emulator.members("C0GENERAL")   # nothing changed, and nobody was invited anywhere
    assert not emulator.calls_to("conversations.invite")

    channel = await open_crisis(alice)
    reply = await alice.types("/crisis invite", channel=channel)
    assert "Usage: `/crisis invite" in str(reply.body)

    await alice.types("/crisis invite @bob @nobody", channel=channel)
    await alice.sees_privately("can't find anyone called `nobody`")
    assert "U0BOB" not in emulator.members(channel)   # all or nothing: fix the name and send again


async def test_inviting_more_than_a_hundred_takes_several_calls(alice: Person, emulator):
    crowd = [emulator.add_user(f"volunteer{i}") for i in range(120)]
    channel = await open_crisis(alice)
    before = len(emulator.calls_to("conversations.invite"))

    await alice.types("/crisis invite " + " ".join(f"<@{u.id}|{u.name}>" for u in crowd), channel=channel)

    await alice.sees_privately("Invited: ")
    calls = emulator.calls_to("conversations.invite")[before:]
    assert len(calls) == 2 and all(c.response["ok"] for c in calls)   # Slack takes at most 100 a call
    assert {u.id for u in crowd} <= emulator.members(channel)


async def test_the_closing_story_tells_who_was_invited(alice: Person, emulator):
    channel = await open_crisis(alice)
    await alice.types("/crisis invite @carla", channel=channel)
    await alice.sees_privately("Invited: <@U0CARLA>.")

    await alice.types("/crisis close We should have invited legal earlier", channel=channel)

    await alice.sees_privately("is closed")
    assert any("<@U0ALICE> invited <@U0CARLA>." in m for m in said_in(emulator, channel))
    await alice.types("/crisis invite @bob", channel=channel)
    await alice.sees_privately("closed")   # a closed crisis takes nobody in
    assert "U0BOB" not in emulator.members(channel)


async def test_someone_new_in_the_workspace_is_found_after_a_fresh_listing(alice: Person, workspace, emulator,
                                                                           clock):
    channel = await open_crisis(alice)
    await workspace.slash("U0ALICE", channel, "invite @Dan Whitfield", escape=False)
    await alice.sees_privately("Invited: <@U0DAN>.")
    newcomer = emulator.add_user("erin", "Erin Okafor")   # joins the workspace after the listing

    await workspace.slash("U0ALICE", channel, "invite @Erin Okafor", escape=False)
    await alice.sees_privately("can't find anyone called `Erin Okafor`")   # the listing is seconds old
    clock.advance(seconds=11)
    await workspace.slash("U0ALICE", channel, "invite @Erin Okafor", escape=False)

    await alice.sees_privately(f"Invited: <@{newcomer.id}>.")
    assert len(emulator.calls_to("users.list")) == 2
