"""`crisisbot demo` tells a whole crisis through the emulator, the same way on every run."""

from __future__ import annotations

import pytest

from bot import cli
from bot.catalog import Catalog
from bot.demo import STORIES, demo_languages, literal, run_demo
from bot.domain.commands import Open, words_of
from bot.plan_loader import load_plan
from bot.settings import available_languages


async def demo_transcript(lang: str = "en") -> list[str]:
    lines: list[str] = []
    await run_demo(lines.append, lang=lang)
    return "\n".join(lines).splitlines()


def replies_to(lines: list[str], command: str) -> list[str]:
    """The `→` lines printed under the first line that shows this command, up to the next step."""
    start = next(i for i, line in enumerate(lines) if line.endswith(command))
    replies = []
    for line in lines[start + 1:]:
        if line.startswith("["):
            break
        if line.startswith("  → "):
            replies.append(line)
    return replies


async def test_the_demo_tells_the_whole_crisis_the_same_way_on_every_run_on_its_own_clock():
    first, second = await demo_transcript(), await demo_transcript()

    assert first == second
    shown = "\n".join(first)
    assert "#crisis-" in shown and "influencer-video-claims-our-serum-burns-skin" in shown
    assert "📌" in shown and "*The 5 R method*" in shown
    for phase in ("Reduction", "Response", "Reaction", "Recovery", "Rethink"):
        assert f"*{phase}* recorded by" in shown
    assert "Crisis closed: Influencer video claims our serum burns skin" in shown
    assert "New crisis:" in shown  # the managers' announcement
    # Message times follow the story's clock (it opens at 14:05 on 21 November), not the machine's.
    assert any(line.startswith("📌 [14:05] crisisbot") for line in first)
    assert "[15:50 (day 2)] @alice in #crisis-20261121-influencer-video-claims-our-serum-burns-skin: /crisis close" \
        in first


async def test_each_reply_is_printed_once_under_the_command_that_caused_it():
    lines = await demo_transcript()

    response = replies_to(lines, "/crisis milestone respuesta Holding statement out on TikTok and Instagram")
    assert [r for r in response if "Response recorded." in r] == ["  → Response recorded."]
    assert any("*Response* recorded by @bob" in r for r in response)
    assert any(r.startswith("  → (#managers) ") and "*Response*" in r for r in response)
    opened = replies_to(lines, "/crisis open high Influencer video claims our serum burns skin")
    assert len([r for r in opened if "is open, and the plan is pinned there" in r]) == 1
    transcript = "\n".join(lines)
    assert transcript.count("Reaction recorded.") == 1
    assert "You are *Spokesperson*" in "\n".join(replies_to(lines, "/crisis role spokesperson @bob"))
    closed = replies_to(lines, "/crisis note Legal sign-off on the follow-up post")
    assert closed == ["  → This crisis is closed; `/crisis reopen` to reopen it."]


@pytest.mark.parametrize("lang", ["es", "it"])
async def test_the_demo_tells_the_crisis_in_spanish_and_in_italian(lang):
    lines = await demo_transcript(lang)

    shown, story = "\n".join(lines), STORIES[lang]
    ours, english = Catalog.load(lang), Catalog.load("en")
    # The team types its own words, opens the crisis in its language, and the demo runs to its end.
    words = words_of(lang)
    assert f"/crisis {words[Open]} --lang {lang} {story.severity} {story.title}" in shown
    assert any(line.startswith("Slack calls the bot made: ") for line in lines)
    # The pinned plan: the catalog's headings and the plan's own texts, translated.
    plan, translated = load_plan(None), load_plan(None).translated(lang)
    for key in ("plan.phases_title", "plan.lessons_title", "plan.golden_hour", "plan.sitrep_title"):
        assert literal(ours, key) in shown, key
        assert literal(english, key) not in shown, key
    for theirs, en in [*zip(translated.dos, plan.dos), *zip(translated.donts, plan.donts),
                       *((t.summary, e.summary) for t, e in zip(translated.phases, plan.phases)),
                       *((t.name, e.name) for t, e in zip(translated.roles, plan.roles))]:
        assert theirs in shown
        if en != theirs:
            assert en not in shown, en
    # The reminder, the closing story, and the answer to a note once it is closed.
    for key in ("reminders.sitrep_refresh.body", "reminders.sitrep_refresh.fallback", "story.learned",
                "story.header", "story.plan_changes", "story.alerts_none", "open.done", "sitrep.saved",
                "timeline.noted", "error.crisis_closed"):
        assert literal(ours, key) in shown, key
        assert literal(english, key) not in shown, key
    # What the team wrote is told back in the story: the outcome and each learning.
    assert story.outcome in shown
    for learning in story.learnings.splitlines():
        assert f"• {learning}" in shown


async def test_every_language_of_the_bot_has_its_demo():
    assert demo_languages() == available_languages()
    with pytest.raises(ValueError, match="no demo in 'pt'"):
        await run_demo(lambda line: None, lang="pt")


def test_an_unknown_language_is_refused_with_those_there_are(capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main(["demo", "--lang", "pt"])

    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'pt'" in err
    assert all(f"'{lang}'" in err for lang in available_languages())
    assert "Traceback" not in err


def test_the_installation_language_tells_the_demo_when_no_lang_is_given(cli_env, capsys):
    cli_env.setenv("CRISISBOT_LANGUAGE", "it")

    assert cli.main(["demo", "--database", "demo.db"]) == 0

    shown = capsys.readouterr().out
    assert "/crisis apri --lang it" in shown
    assert "Traceback" not in shown
