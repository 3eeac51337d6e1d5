"""A title of mentions, links, mrkdwn, zero-width and bidi characters opens a crisis, safely shown."""

from __future__ import annotations

import re

import pytest

from bot.domain.crisis import BIDI_CONTROLS, INVISIBLE, clean_title
from bot.domain.naming import base_channel_name
from tests.support.crisis import crisis_channels, said_in
from tests.support.people import Person, mrkdwn_texts

HOSTILE = ("<!channel> <@U0BOB> <!here> <https://evil.example|Click me> *bold* _it_ ~del~ `code` "
           "\u200bzero\u200cwidth\u200d\ufeff\u2060 \u202eSDRAWKCAB\u202c \u2066iso\u2069 \u200e\u200f\u202a\u202b\u202d")
ONLY_NOISE = "\u200b\u200c\u200d\ufeff\u2060\u202e\u202c\u2066\u2069\u200e\u200f*_~`"
SLACK_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
BIDI = set(BIDI_CONTROLS) | set(INVISIBLE)


async def open_titled(alice: Person, emulator, title: str) -> str:
    await alice.types(f"/crisis open high {title}", escape=False)
    told = await alice.sees_privately("is open")
    return told.text.split("<#")[1].split(">")[0]


def no_ping(texts: list[str]) -> None:
    for text in texts:
        assert "<!channel>" not in text and "<!here>" not in text and "<@U0BOB>" not in text, text
        assert "<https://evil.example" not in text, text
        assert not BIDI & set(text), repr(text)


@pytest.mark.parametrize("title", [HOSTILE, "Boycott " + "\u202e" * 3 + "ekaf", "Leak\u200b\u200b of data"])
async def test_a_hostile_title_opens_the_crisis_and_shows_back_inert(alice: Person, emulator, bot, title):
    channel = await open_titled(alice, emulator, title)

    created = crisis_channels(emulator)
    assert len(created) == 1
    assert SLACK_NAME.fullmatch(created[0].name), created[0].name
    posted = [t for m in emulator.messages(channel) for t in [m.text, *mrkdwn_texts(m.blocks)]]
    told = [e.text for e in emulator.ephemerals(user="U0ALICE")]
    everything = posted + told + [t for m in emulator.messages("C0MANAGERS") for t in [m.text, *mrkdwn_texts(m.blocks)]]
    no_ping(everything)
    stored = (await bot.services.deps.crises.by_channel(channel)).title
    assert not BIDI & set(stored)


async def test_a_title_with_nothing_usable_for_a_name_gets_the_fallback_name(alice: Person, emulator, bot):
    await alice.types("/crisis open high 🔥🔥 \u202e🔥 ✔", escape=False)
    await alice.sees_privately("is open")
    assert [c.name for c in crisis_channels(emulator)] == ["crisis-20261121"]


async def test_a_title_of_only_invisible_characters_is_refused_plainly(alice: Person, emulator, bot):
    reply = await alice.types(f"/crisis open high {ONLY_NOISE[:11]}", escape=False)
    assert reply.status == 200
    assert "title" in str(reply.body).lower()
    assert crisis_channels(emulator) == []


async def test_the_status_and_home_show_the_title_inert(alice: Person, emulator, bot, workspace):
    channel = await open_titled(alice, emulator, HOSTILE)
    await alice.types("/crisis status")
    await alice.sees_privately("Active")
    await workspace.open_home("U0ALICE")
    home = await emulator.wait_for(lambda: emulator.home("U0ALICE"))
    no_ping([e.text for e in emulator.ephemerals(user="U0ALICE")] + mrkdwn_texts(home["blocks"])
            + said_in(emulator, channel))


def test_clean_title_keeps_words_and_drops_controls():
    assert clean_title("a\u202eb\u200bc\u2066d\u2069 e") == "abcd e"
    assert clean_title("  \u200b ") == ""
    assert clean_title("Crème <brûlée>") == "Crème <brûlée>"  # escaping is for the way out


@pytest.mark.parametrize("title", [HOSTILE, ONLY_NOISE, "", "🔥", "-_-", "ünïcödé" * 30, "a" * 200])
def test_every_channel_name_is_valid_for_slack(title, clock):
    assert SLACK_NAME.fullmatch(base_channel_name(title, clock.now()))
