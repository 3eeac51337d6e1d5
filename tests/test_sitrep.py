"""The situation report: the prompt, the modal, one field at a time, versions."""

from __future__ import annotations

from tests.support.crisis import open_crisis, said_in
from tests.support.people import Person, fill_in


async def test_opening_prompts_for_the_report_with_a_button_to_the_form(alice: Person, emulator):
    channel = await open_crisis(alice)
    prompt = next(m for m in emulator.messages(channel) if "Required:" in m.text)
    assert "Required: Origin, Type of criticism, Networks where it spreads, Our action or omission caused it" in (
        prompt.text)

    await alice.ws.click("U0ALICE", channel, prompt.ts, "sitrep_open", value=None)
    modal = await emulator.wait_for(lambda: emulator.open_views("U0ALICE"))
    labels = [b["label"]["text"] for b in modal[-1].view["blocks"]]
    assert "Origin (required)" in labels and "Reach" in labels

    await fill_in(alice, {"origin": "An influencer's TikTok video", "criticism": "Product safety",
                          "networks": "TikTok, Instagram", "caused_by_us": "unknown"})

    update = await emulator.wait_for(lambda: [m for m in said_in(emulator, channel) if "version 1" in m])
    assert "*Origin*: An influencer's TikTok video" in update[0]
    assert "All required fields are in" in update[0]


async def test_one_field_at_a_time_with_aliases_and_versions(alice: Person, bob: Person, emulator):
    channel = await open_crisis(alice)

    await alice.types("/crisis sitrep origen: a <!channel> post on X", channel=channel)
    await alice.sees_privately("version 1")
    await bob.types("/crisis sitrep causa: sí", channel=channel)
    await bob.sees_privately("version 2")

    updates = [m for m in said_in(emulator, channel) if "updated the situation report" in m]
    assert "<@U0BOB> updated the situation report (version 2)" in updates[-1]
    assert "*Our action or omission caused it*: yes" in updates[-1]
    assert "Still missing: Type of criticism, Networks where it spreads" in updates[-1]
    assert "a @channel post on X" in updates[0] and "<!channel>" not in updates[0]  # as typed, pinging nobody

    await alice.types("/crisis status", channel=channel)
    told = await alice.sees_privately("Situation report* (version 2)")
    assert "*Origin*: a @channel post on X" in str(told.blocks)


async def test_bad_fields_and_choices_are_explained(alice: Person, emulator):
    channel = await open_crisis(alice)

    await alice.types("/crisis sitrep mood: grim", channel=channel)
    await alice.sees_privately("I know no report field `mood`")
    await alice.types("/crisis sitrep caused: perhaps", channel=channel)
    await alice.sees_privately("takes yes / no / unknown, not `perhaps`")
    await alice.types("/crisis sitrep origin: " + "x" * 1001, channel=channel)
    await alice.sees_privately("1001 characters long; the plan allows 1000")
