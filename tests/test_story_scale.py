"""The closing story of a long crisis: everybody named once, in order, within Slack's limits; and told once.

How fast it is, is measured by bench/story.py, not here.
"""

from __future__ import annotations

from datetime import timedelta

from bot.catalog import Catalog
from bot.domain.roles import Assignment
from bot.domain.story import build_story
from bot.domain.timeline import Entry, Kind
from bot.emulator.blockcheck import check_blocks
from bot.export import story_markdown
import handlers.blocks.story as story_module
from handlers.blocks.story import story_blocks
from tests.support.crisis import open_crisis
from tests.support.people import Person
from tests.test_story import PLAN, T0, a_dossier, at, closed_crisis, close_with

EVENTS, PEOPLE = 2_000, 300


def person(k: int) -> str:
    return f"U{k:04d}X"


def a_long_dossier():
    """2,000 timeline entries by 300 people, who first speak in a known order (not their numbers' order),
    then keep speaking; some hold roles, one role changes hands, alerts have no author."""
    dossier = a_dossier()
    dossier.crisis = closed_crisis(minutes=EVENTS + 10)
    first_order = [(k * 37) % PEOPLE for k in range(PEOPLE)]  # 37 is prime to 300: each person once
    dossier.roles = [Assignment("lead", person(first_order[5]), person(0), T0, ended_at=at(30)),
                     Assignment("spokesperson", person(first_order[200]), person(0), at(2)),
                     Assignment("lead", person(first_order[5]), person(0), at(30), ended_at=at(60)),
                     Assignment("lead", person(first_order[250]), person(0), at(60))]
    timeline = []
    for i in range(EVENTS):
        when = T0 + timedelta(minutes=1 + i * 0.5)
        if i % 7 == 3:
            timeline.append(Entry(Kind.ALERT, when, None, {"title": f"spike {i}", "source": "Brandwatch"}))
        elif i < PEOPLE * 2:
            # the first 600 entries: each person's first word, in first_order, each said twice in a row
            timeline.append(Entry(Kind.NOTE, when, person(first_order[i // 2]), {"text": f"note {i}"}))
        else:
            timeline.append(Entry(Kind.NOTE, when, person((i * 11) % PEOPLE), {"text": f"note {i}"}))
    dossier.timeline = timeline[::-1]  # the story orders them itself
    return dossier, first_order


def test_a_long_story_names_each_person_once_in_order_of_first_appearance():
    dossier, first_order = a_long_dossier()
    holders = [person(first_order[250]), person(first_order[200])]  # the lead now, then the spokesperson
    # an alert every 7th entry, and 2 entries per person: some people's first entries were alerts' turns
    spoke = [p for i, p in enumerate(person(first_order[i // 2]) for i in range(PEOPLE * 2)) if i % 7 != 3]
    expected = list(dict.fromkeys(holders + [person(first_order[5])] + spoke
                                  + [person((i * 11) % PEOPLE) for i in range(PEOPLE * 2, EVENTS) if i % 7 != 3]))

    story = build_story(dossier, PLAN)

    assert story.people == expected
    assert len(story.people) == len(set(story.people)) == PEOPLE
    assert story.people[:3] == [person(first_order[250]), person(first_order[200]), person(first_order[5])]
    assert story.others == [p for p in expected if p not in holders]
    assert len(story.moments) + story.alert_count == EVENTS
    assert [m.at for m in story.moments] == sorted(m.at for m in story.moments)

    markdown = story_markdown(dossier, PLAN, Catalog.load())
    (also,) = [line for line in markdown.splitlines() if line.startswith("Also took part: ")]
    named = also[len("Also took part: "):-1].split(", ")
    assert named == [f"@{p}" for p in story.others]  # each once, in the same order


def test_a_long_story_stays_within_slacks_limits():
    dossier, _ = a_long_dossier()

    text, blocks = story_blocks(build_story(dossier, PLAN), PLAN, Catalog.load())

    assert check_blocks(blocks) == []  # 50 blocks, 3,000 characters a section, what Slack checks
    assert len(blocks) <= 50
    shown = str(blocks)
    assert "more moments; the full story is in the export" in shown
    assert "crisisbot export 7" in shown and text.startswith("Crisis closed: Serum video.")


async def test_closing_tells_the_story_once_where_each_audience_reads(alice: Person, emulator, bot, clock,
                                                                      monkeypatch):
    rendered = []
    render = story_module.story_blocks

    def counting(story, plan, t):
        rendered.append(story)
        return render(story, plan, t)

    monkeypatch.setattr(story_module, "story_blocks", counting)
    channel = await open_crisis(alice, "Serum video")
    for i in range(3):
        clock.advance(minutes=1)
        await alice.types(f"/crisis note Update {i}", channel=channel)
        await emulator.wait_for(lambda: len([t for t in alice.private_texts() if "Added to the timeline" in t]) > i)

    await close_with(alice, channel, "The video was taken down", "Pre-approve a holding statement")
    await bot.settled()

    stories = [c for c in emulator.calls_to("chat.postMessage") if "Crisis closed: " in str(c.args.get("blocks"))]
    assert sorted(c.args["channel"] for c in stories) == sorted([channel, "C0MANAGERS"])  # once each
    assert all(c.response.get("ok") for c in stories)
    assert len(rendered) == 1  # rendered once, for both
    assert stories[0].args["blocks"] == stories[1].args["blocks"]
    assert "Update 2" in str(stories[0].args["blocks"])
