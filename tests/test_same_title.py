"""Two openings of the same title at the same moment: each crisis gets a channel of its own.

An opening claims a channel name in the database before it asks Slack for it (storage/channel_claims.py);
it adopts a channel Slack says exists only under a name it claimed itself.
"""

from __future__ import annotations

import asyncio
import os

import aiohttp
import pytest

from bot.domain.crisis import OpenRequest
from bot.emulator import SlackEmulator, Workspace
from bot.emulator.state import BOT_USER_ID
from tests.support.crisis import crisis_channels
from tests.support.people import Person
from tests.support.processes import PROCESS_TOKEN, BotProcess

ROUNDS = int(os.environ.get("CRISISBOT_SOAK_ROUNDS", "8"))  # 20 for the figures in issue 10's note
NAME = "crisis-20261121-leaked-memo"
WRONG = "went wrong"


def plans(emulator, channel_id: str) -> list:
    return [m for m in emulator.messages(channel_id) if "The 5 R method" in str(m.blocks)]


def everything_told(emulator, user: str) -> list[str]:
    """What a person was told privately: ephemerals, slash-command answers and DMs."""
    return [e.text + str(e.blocks) for e in emulator.ephemerals(user=user)] + [
        m.text + str(m.blocks) for m in emulator.dms(user)]


@pytest.fixture
async def process_emulator():
    emu = SlackEmulator(bot_token=PROCESS_TOKEN)
    await emu.start()
    yield emu
    await emu.close()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="replicas share a PostgreSQL server")
async def test_two_replicas_open_the_same_title_at_the_same_moment(process_emulator, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL server")
    emulator = process_emulator
    replicas = [BotProcess(emulator, database_url), BotProcess(emulator, database_url)]
    await asyncio.gather(*(r.start() for r in replicas))
    people = ("U0ALICE", "U0BOB")
    try:
        async with aiohttp.ClientSession() as session:
            spaces = [Workspace(emulator, bot_url=r.url + "/slack/events", signing_secret=r.signing_secret,
                                session=session) for r in replicas]
            rooms: list[list[str]] = []
            for n in range(ROUNDS):
                replies = await asyncio.gather(*(space.slash(user, "C0GENERAL", f"open high Leaked memo {n}")
                                                 for space, user in zip(spaces, people)))
                assert [r.status for r in replies] == [200, 200]

                def both_told():
                    if any(WRONG in t for u in people for t in everything_told(emulator, u)):
                        return True  # fail at once, below
                    told = [opened(emulator, u) for u in people]
                    return all(len(t) > n for t in told) and [t[n] for t in told]

                await emulator.wait_for(both_told, timeout=60, message=f"round {n}: both told the room is open")
                assert not [t for u in people for t in everything_told(emulator, u) if WRONG in t], f"round {n}"
                rooms.append([opened(emulator, u)[n] for u in people])
    finally:
        await asyncio.gather(*(r.stop() for r in replicas))

    channels = crisis_channels(emulator)
    created = [c for c in emulator.calls_to("conversations.create") if c.response.get("ok")]
    assert len(channels) == 2 * ROUNDS  # two crises a round, each in its own channel: no duplicates
    assert len(created) == 2 * ROUNDS
    for channel in channels:
        assert len(plans(emulator, channel.id)) == 1, channel.name
        assert emulator.pins(channel.id) == [plans(emulator, channel.id)[0].ts], channel.name
    for n, pair in enumerate(rooms):  # each person's own room: one has the base name, the other the next
        names = sorted(emulator.channel(c).name for c in pair)
        assert names[0].endswith(f"-leaked-memo-{n}") and names[1] == names[0] + "-2", names


def opened(emulator, user: str) -> list[str]:
    """The rooms a person was told are open, in order."""
    return [e.text.split("<#")[1].split(">")[0].split("|")[0]
            for e in emulator.ephemerals(user=user) if "is open" in e.text]


def _crisis(bot, title: str, by: str):
    return bot.services.crises.validate(OpenRequest(title=title, requested_by=by, origin_channel="C0GENERAL"))


async def test_a_crash_after_claim_and_create_is_resumed_into_its_own_channel(bot, emulator):
    store = bot.services.deps.crises
    # Recorded, its name claimed, the channel made; then the process died before recording the channel.
    crisis = await store.add(_crisis(bot, "Leaked memo", "U0ALICE"))
    assert await store.claim_channel_name(NAME, crisis.id)
    made = emulator.add_channel(NAME, members=[BOT_USER_ID], creator=BOT_USER_ID)

    await bot.services.tick()

    resumed = await store.get(crisis.id)
    assert (resumed.channel_id, resumed.channel_name, resumed.status.value) == (made.id, NAME, "open")
    assert [c.name for c in crisis_channels(emulator)] == [NAME]  # adopted, not a second channel
    assert emulator.pins(made.id) == [plans(emulator, made.id)[0].ts]
    assert "U0ALICE" in emulator.members(made.id)


async def test_another_crisis_claimed_name_is_not_adopted(bot, emulator, alice: Person):
    store = bot.services.deps.crises
    # Crisis 1 claimed the name and made the channel, then its process died before recording it.
    first = await store.add(_crisis(bot, "Leaked memo", "U0BOB"))
    assert await store.claim_channel_name(NAME, first.id)
    made = emulator.add_channel(NAME, members=[BOT_USER_ID], creator=BOT_USER_ID)

    await alice.types("/crisis open high Leaked memo")  # the same title, the same day
    told = await alice.sees_privately("is open", timeout=60)

    second = next(c for c in await store.active() if c.id != first.id)
    assert second.channel_name == NAME + "-2"  # not the other crisis's channel
    assert second.channel_id != made.id and second.channel_id in told.text
    assert not [t for t in everything_told(emulator, "U0ALICE") if WRONG in t]
    assert not await store.claim_channel_name(NAME, second.id)  # the name stays the first crisis's

    await bot.services.tick()  # crisis 1 resumes into the channel it made

    resumed = await store.get(first.id)
    assert (resumed.channel_id, resumed.status.value) == (made.id, "open")
    assert sorted(c.name for c in crisis_channels(emulator)) == [NAME, NAME + "-2"]
    for channel in crisis_channels(emulator):
        assert len(plans(emulator, channel.id)) == 1
        assert len(emulator.pins(channel.id)) == 1
