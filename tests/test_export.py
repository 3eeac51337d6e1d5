"""`crisisbot export`: the whole story as Markdown, with nothing summarised."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.catalog import Catalog
from bot.cli import main
from bot.domain.errors import UnknownCrisis
from bot.domain.milestones import Milestone
from bot.domain.roles import Assignment
from bot.domain.sitrep import SitrepVersion
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


async def test_the_dossier_read_in_one_query_is_the_record_read_piece_by_piece(alice: Person, emulator, bot, clock):
    store, plan = bot.services.deps.dossier, load_plan()
    first = await bot.services.crises.in_channel(await open_crisis(alice, "Serum video"))
    other = await bot.services.crises.in_channel(await open_crisis(alice, "Boycott hashtag"))
    for crisis in (first, other):  # the other crisis's record must not leak into the first's
        t0 = crisis.opened_at
        for i in range(30):
            await store.add_entry(crisis.id, Entry(Kind.NOTE, t0 + timedelta(minutes=i % 7), f"U0P{i % 4}",
                                                   {"text": f"note {i}", "nested": {"n": i}}, f"ref:{i}"))
        await store.add_entry(crisis.id, Entry(Kind.ALERT, t0 + timedelta(minutes=3), None, {"title": "spike"}))
        await store.assign_role(crisis.id, Assignment("spokesperson", "U0BOB", "U0ALICE", t0 + timedelta(minutes=2)))
        await store.assign_role(crisis.id, Assignment("spokesperson", "U0DAN", "U0ALICE", t0 + timedelta(minutes=9)))
        await store.add_sitrep(crisis.id, SitrepVersion(2, {"origin": "TikTok", "caused": "no"}, ("caused",),
                                                        "U0ALICE", t0 + timedelta(minutes=5)))
        await store.add_milestone(crisis.id, Milestone("response", "U0CARLA", t0 + timedelta(minutes=4), "out",
                                                       True, ("reduction",)))
        await store.add_milestone(crisis.id, Milestone("reduction", "U0ALICE", t0 + timedelta(minutes=4)))
        await store.add_lessons(plan.name, crisis.id, ["one", "two"], "U0ALICE", t0 + timedelta(minutes=8))
        await store.add_lessons(plan.name, crisis.id, ["three"], "U0ALICE", t0 + timedelta(minutes=9))
        await store.add_lessons("another plan", crisis.id, ["not this plan's"], "U0ALICE", t0)

    dossier = await store.dossier(first, plan.name, lessons=100)

    assert dossier.crisis is first
    assert dossier.timeline == await store.timeline(first.id)
    assert len(dossier.timeline) >= 31
    assert {e.data.get("nested", {}).get("n") for e in dossier.timeline} >= set(range(30))
    assert dossier.roles == await store.roles(first.id)
    assert dossier.sitrep.versions == await store.sitreps(first.id)
    assert dossier.milestones == await store.milestones(first.id)
    assert any(m.out_of_order and m.skipped == ("reduction",) for m in dossier.milestones)
    assert any(a.ended_at is not None for a in dossier.roles)
    assert dossier.lessons == await store.lessons(plan.name, limit=100, crisis_id=first.id)
    assert [lesson.text for lesson in dossier.lessons][:1] == ["three"]  # newest first
    assert (await store.dossier(first, plan.name, lessons=2)).lessons == await store.lessons(
        plan.name, limit=2, crisis_id=first.id)
