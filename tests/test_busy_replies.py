"""Twenty people typing at once: every slash command is answered, the work after the acks is bounded, and a
person it cannot serve now is told so at once, honestly, in the acknowledgement itself.

A read-only command (`/crisis status`) touches no database before its ack; one that changes state is still
recorded before its ack (handlers/journal.py), and is never turned away as busy.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from bot.app import INFLIGHT, REQUESTS
from storage.requests import DONE
from tests.support.crisis import open_crisis
from tests.support.people import Person, text_of
from tests.test_timeline import timeline

BUSY = "crisisbot is busy"
WRONG = "Something went wrong"


def trigger_of(person: Person) -> str:
    """The trigger_id of the last request this person's workspace sent."""
    body, _ = person.ws.sent[-1]
    return parse_qs(body)["trigger_id"][0]


class HeldReads:
    """The status read waits at a gate until the test lets it go (a slow database, as a person sees it)."""

    def __init__(self, bot):
        self.reads = bot.services.crises.status_reads
        self.real = self.reads._read
        self.gate = asyncio.Event()
        self.started = asyncio.Event()
        self.reads._read = self._read

    async def _read(self, channel_id: str):
        self.started.set()
        await self.gate.wait()
        return await self.real(channel_id)


async def test_forty_people_asking_at_once_are_all_answered(alice: Person, workspace, emulator, bot):
    channel = await open_crisis(alice)
    people = [alice] + [Person(emulator.add_user(f"person{i}").id, workspace, emulator) for i in range(39)]

    replies = await asyncio.gather(*(p.types("/crisis status", channel=channel if i % 2 else "C0GENERAL")
                                     for i, p in enumerate(people)))
    await bot.settled()

    assert [r.status for r in replies] == [200] * 40
    for i, (person, reply) in enumerate(zip(people, replies)):
        if BUSY in text_of(reply):  # told at once, and only that
            assert person.private_texts()[person.typed_at:] == [text_of(reply)]
            continue
        told = await person.sees_privately("Open for" if i % 2 else "Active crises")
        assert "Serum video" in told.text + str(told.blocks)
        assert not any(WRONG in text for text in person.private_texts())


async def test_with_one_reply_at_a_time_the_others_are_told_busy_while_the_first_completes(
        alice: Person, bob: Person, emulator, bot):
    channel = await open_crisis(alice)
    bot.running.app[INFLIGHT].replies.limit = 1
    held = HeldReads(bot)

    first = await alice.types("/crisis status", channel=channel)
    await held.started.wait()  # acknowledged, its read under way and slow
    others = [await bob.types("/crisis status", channel=channel), await bob.types("/crisis status")]

    assert text_of(first) == ""
    for reply in others:  # the answer is the acknowledgement itself: nothing waits behind the slow read
        assert reply.status == 200 and BUSY in text_of(reply) and "try again in a moment" in text_of(reply)
    assert emulator.ephemerals(user="U0ALICE")[alice.typed_at:] == []  # the first is still being read
    held.gate.set()
    told = await alice.sees_privately("Open for")
    assert "Serum video" in told.text + str(told.blocks)
    await bot.settled()

    again = await bob.types("/crisis status", channel=channel)  # the bound is free again
    assert text_of(again) == ""
    await bob.sees_privately("Open for")
    assert not any(WRONG in text for text in alice.private_texts() + bob.private_texts())


async def test_a_change_is_recorded_before_its_ack_and_never_turned_away_as_busy(
        alice: Person, bob: Person, emulator, bot):
    channel = await open_crisis(alice)
    requests = bot.running.app[REQUESTS]
    bot.running.app[INFLIGHT].replies.limit = 1
    held = HeldReads(bot)
    await alice.types("/crisis status", channel=channel)
    await held.started.wait()  # the one reply allowed is taken

    reply = await bob.types("/crisis note The influencer replied to our DM", channel=channel)

    assert reply.status == 200 and BUSY not in text_of(reply)
    assert await requests.state_of(f"slash:{trigger_of(bob)}") is not None  # recorded before the ack
    await bob.sees_privately("Added to the timeline")
    assert any("The influencer replied" in str(e) for e in await timeline(bot, channel))
    held.gate.set()
    await bot.settled()
    assert await requests.state_of(f"slash:{trigger_of(bob)}") == DONE


async def test_a_status_is_not_written_to_the_database(alice: Person, bot):
    channel = await open_crisis(alice)
    requests = bot.running.app[REQUESTS]

    for place in (channel, "C0GENERAL"):
        await alice.types("/crisis status", channel=place)
        await alice.sees_privately("Serum video")
        assert await requests.state_of(f"slash:{trigger_of(alice)}") is None


async def test_the_one_read_shows_a_private_crisis_to_its_role_holders_and_no_one_else(
        alice: Person, workspace, emulator, bot):
    from tests.test_privacy import open_private

    channel = await open_private(alice, emulator, "Data leak of VIP customers")
    await alice.types("/crisis role legal <@U0CARLA>", channel=channel)
    await bot.settled()
    await alice.types("/crisis open high Public boycott")
    await alice.sees_privately("is open")
    emulator.inject("conversations.members", error="internal_error", times=None)  # only the recorded team counts
    carla, dan = Person("U0CARLA", workspace, emulator), Person("U0DAN", workspace, emulator)

    await carla.types("/crisis status")
    assert "Data leak" in (await carla.sees_privately("Public boycott")).text  # she holds one of its roles
    await dan.types("/crisis status")
    assert "Data leak" not in (await dan.sees_privately("Public boycott")).text
