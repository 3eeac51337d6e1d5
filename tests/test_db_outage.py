"""The database cut away (a TCP proxy in front of PostgreSQL) while people type: what they are told is true.

Nothing is acknowledged as done that is not recorded; what could not be recorded is said so within Slack's 3 s,
with a Retry button that records it once the database is back.
"""

from __future__ import annotations

import os

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from bot.domain.timeline import Kind
from bot.emulator import Workspace
from handlers.journal import RETRY
from tests.support.crisis import crisis_channels, open_crisis
from tests.support.harness import SIGNING_SECRET, BotUnderTest
from tests.support.people import Person, text_of
from tests.support.tcpproxy import TcpProxy
from tests.test_timeline import timeline

CANNOT = "cannot record this right now, so nothing was done"


@pytest.fixture
async def proxied(database_url, emulator, clock):
    if not database_url.startswith("postgresql"):
        pytest.skip("a TCP cut needs a database over TCP: set TEST_DATABASE_URL")
    url = make_url(database_url)
    proxy = await TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    bot = BotUnderTest(emulator, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
                       clock, crisisbot_managers_channel="C0MANAGERS", crisisbot_record_timeout_seconds=1.0)
    await bot.start()
    async with aiohttp.ClientSession() as session:
        yield proxy, bot, Workspace(emulator, bot_url=bot.events_url, signing_secret=SIGNING_SECRET, session=session)
    await bot.stop()
    await proxy.close()


def retry_button(person: Person):
    """The latest "cannot record" answer to this person, with its Retry button."""
    for message in reversed(person.emu.ephemerals(user=person.id)):
        if CANNOT in message.text:
            assert any(e.get("action_id") == RETRY for b in message.blocks for e in b.get("elements", [])), message
            return message
    raise AssertionError(f"no '{CANNOT}' answer: {person.private_texts()}")


async def test_what_is_typed_while_the_database_is_cut_is_refused_honestly_and_retried_once(proxied, emulator):
    proxy, bot, ws = proxied
    alice = Person("U0ALICE", ws, emulator)
    channel = await open_crisis(alice, "Serum video")

    proxy.cut()
    opening = await alice.types("/crisis open high Boycott hashtag trending")
    note = await alice.types("/crisis note Journalist from El País called", channel=channel)
    refused = [retry_button(alice)]

    for reply in (opening, note):  # said at once, within Slack's 3 s, and not as "opening" or "added"
        assert reply.status == 200 and CANNOT in text_of(reply), text_of(reply)
        assert reply.elapsed < 3.0
    assert "Opening a crisis room" not in text_of(opening)
    proxy.heal()
    refused = [m for m in emulator.ephemerals(user="U0ALICE") if CANNOT in m.text]
    assert len(refused) == 2

    for message in refused:  # one click each, once the database is back
        await ws.click("U0ALICE", message.channel, message.ts, RETRY)
    await alice.sees_privately("Added to the timeline", since_typed=False)
    opened = await emulator.wait_for(lambda: [c for c in crisis_channels(emulator) if "boycott" in c.name])
    await bot.settled()

    # acknowledged vs recorded: 2 crises, 1 note; nothing doubled
    assert len(crisis_channels(emulator)) == 2 and len(opened) == 1
    assert len(await bot.services.crises.active()) == 2
    notes = [e for e in await timeline(bot, channel) if e.kind is Kind.NOTE]
    assert [e.data.get("text") for e in notes] == ["Journalist from El País called"]
    assert not any("Something went wrong" in t for t in alice.private_texts())


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="a TCP cut needs TEST_DATABASE_URL")
async def test_an_open_form_submitted_while_the_database_is_cut_stays_open_and_says_why(proxied, emulator):
    proxy, bot, ws = proxied
    alice = Person("U0ALICE", ws, emulator)
    await alice.types("/crisis")
    modal = (await emulator.wait_for(lambda: emulator.open_views("U0ALICE")))[-1]

    proxy.cut()
    refused = await ws.submit_view("U0ALICE", modal.id, {"title": "Deepfake of our CEO", "severity": "critical"})
    proxy.heal()

    assert refused.body["response_action"] == "errors"
    assert "nothing was done" in str(refused.body["errors"])
    assert emulator.open_views("U0ALICE")  # still open, with what was typed
    await ws.submit_view("U0ALICE", modal.id, {"title": "Deepfake of our CEO", "severity": "critical"})
    await alice.sees_privately("is open", since_typed=False)
    assert len(crisis_channels(emulator)) == 1
