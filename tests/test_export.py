"""`crisisbot export`: the whole story as Markdown, with nothing summarised."""

from __future__ import annotations

import asyncio

import pytest

from bot.catalog import Catalog
from bot.cli import main
from bot.domain.errors import UnknownCrisis
from bot.domain.timeline import Entry, Kind
from bot.export import export, story_markdown
from bot.plan_loader import load_plan
from tests.support.crisis import open_crisis
from tests.support.people import Person
from tests.test_story import a_dossier, at, story_in

NOTES = 60


async def test_the_export_keeps_the_whole_story_the_message_summarises(alice: Person, emulator, bot, clock):
    channel = await open_crisis(alice, "Boycott hashtag")
    for i in range(NOTES):
        clock.advance(minutes=1)
        await alice.types(f"/crisis note Update {i:02d}: volume still rising", channel=channel)
        await emulator.wait_for(lambda: len([t for t in alice.private_texts() if "Added to the timeline" in t]) > i)
    clock.advance(minutes=20)
    await alice.types("/crisis milestone response Statement out", channel=channel)
    await alice.sees_privately("Response recorded")
    await alice.types("/crisis close Answer within the hour; Keep a holding statement ready", channel=channel)
    await alice.sees_privately("is closed")

    message = str(story_in(emulator, channel).blocks)
    crisis_id = message.split("crisisbot export ")[1].split("`")[0]
    assert "more moments; the full story is in the export: `crisisbot export " in message
    assert "Update 00" in message  # the message shows some moments...
    assert sum(f"Update {i:02d}:" in message for i in range(NOTES)) < NOTES  # ...not all of them

    name = emulator.channel(channel).name
    markdown = await export(bot.settings, crisis_id)
    assert markdown == await export(bot.settings, channel) == await export(bot.settings, f"#{name}")
    assert markdown.startswith("# Crisis story: Boycott hashtag\n")
    assert "It lasted **1 h 20 min**." in markdown
    for i in range(NOTES):
        assert f"@U0ALICE noted: Update {i:02d}: volume still rising" in markdown
    assert "- 2026-11-21 09:01 UTC · +1 min · @U0ALICE noted: Update 00" in markdown
    assert "First response after **1 h 20 min**: **20 min** past the golden hour of 1 h 00 min." in markdown
    assert "- [x] 2. **Response**: 2026-11-21 10:20 UTC, 1 h 20 min after opening (out of order) — Statement out" in markdown
    assert "- [ ] 1. **Reduction**: missed" in markdown
    assert "- Answer within the hour\n- Keep a holding statement ready\n" in markdown
    assert "more moments" not in markdown


async def test_an_unknown_crisis_is_a_clear_error(alice: Person, emulator, bot):
    await open_crisis(alice)

    with pytest.raises(UnknownCrisis):
        await export(bot.settings, "crisis-20261121-nothing-like-it")


async def test_the_command_line_writes_the_file_and_refuses_an_unknown_crisis(
        alice: Person, emulator, bot, database_url, tmp_path, monkeypatch, capsys):
    channel = await open_crisis(alice, "Serum video")
    monkeypatch.setenv("DATABASE_URL", database_url)
    out = tmp_path / "story.md"

    code = await asyncio.to_thread(main, ["export", channel, "--out", str(out)])

    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Crisis story: Serum video\n") and "still active" in text

    code = await asyncio.to_thread(main, ["export", "4242"])

    assert code == 2
    assert "I know no crisis called `4242`" in capsys.readouterr().err


def test_user_text_cannot_become_markdown_or_html():
    dossier = a_dossier()
    dossier.crisis.title = "# <script>alert(1)</script> *bold* [x](http://evil)"
    dossier.timeline.append(Entry(Kind.NOTE, at(50), "U0DAN", {"text": "line one\n# not a heading\n<b>hi</b>"}))

    markdown = story_markdown(dossier, load_plan(), Catalog.load())

    assert markdown.startswith(
        "# Crisis story: \\# \\<script\\>alert(1)\\</script\\> \\*bold\\* \\[x\\](http://evil)\n")
    assert "@U0DAN noted: line one  \n  \\# not a heading  \n  \\<b\\>hi\\</b\\>" in markdown
    assert "<b>" not in markdown and "<script>" not in markdown
