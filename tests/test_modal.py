"""`/crisis` with no title asks with a modal."""

from __future__ import annotations

from tests.support.people import Person


async def test_the_modal_opens_a_private_crisis(alice: Person, emulator):
    reply = await alice.types("/crisis", channel="C0GENERAL")
    assert reply.status == 200

    view = await emulator.wait_for(lambda: emulator.open_views("U0ALICE"))
    modal = view[-1]
    (call,) = emulator.calls_to("views.open")
    assert call.response["ok"] is True  # within the trigger's 3 s

    answer = await alice.ws.submit_view("U0ALICE", modal.id, {
        "title": "Deepfake of our CEO",
        "severity": "critical",
        "description": "A fake video of our CEO <!here> insulting customers",
        "private": True,
    })
    assert answer.status == 200

    told = await alice.sees_privately("is open")
    channel = emulator.channel_by_name("crisis-20261121-deepfake-of-our-ceo")
    assert channel.is_private
    assert f"<#{channel.id}>" in told.text
    plan = str(emulator.messages(channel.id)[0].blocks)
    assert "A fake video of our CEO &lt;!here&gt; insulting customers" in plan
    assert "Severity *Critical*" in plan


async def test_open_without_title_also_uses_the_modal(alice: Person, emulator):
    await alice.types("/crisis open")

    await emulator.wait_for(lambda: emulator.open_views("U0ALICE"))


async def test_an_empty_title_keeps_the_modal_open_with_an_error(alice: Person, emulator):
    await alice.types("/crisis")
    modal = (await emulator.wait_for(lambda: emulator.open_views("U0ALICE")))[-1]

    answer = await alice.ws.submit_view("U0ALICE", modal.id, {"title": "   ", "severity": "high"})

    assert answer.body["response_action"] == "errors"
    assert "needs a title" in answer.body["errors"]["title"]
    assert emulator.calls_to("conversations.create") == []
