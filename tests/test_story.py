"""The closing story: told in the crisis channel and to the managers, for someone who was not there."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.catalog import Catalog
from bot.domain.crisis import Crisis, Status
from bot.domain.dossier import Dossier
from bot.domain.lessons import Lesson
from bot.domain.milestones import Milestone
from bot.domain.roles import Assignment
from bot.domain.sitrep import Sitrep
from bot.domain.story import build_story
from bot.domain.timeline import Entry, Kind
from bot.emulator import render_message
from bot.emulator.blockcheck import check_blocks
from bot.plan_loader import load_plan
from handlers.blocks.story import story_blocks
from tests.support.crisis import open_crisis
from tests.support.people import Person, fill_in, mrkdwn_texts

T0 = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)
PLAN = load_plan()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def closed_crisis(minutes: float = 130, **kw) -> Crisis:
    values = dict(title="Serum video", severity="high", opened_by="U0ALICE", lead="U0BOB", opened_at=T0,
                  status=Status.CLOSED, closed_at=at(minutes), closed_by="U0ALICE", outcome="Video taken down",
                  channel_id="C0CRISIS", id=7)
    values.update(kw)
    return Crisis(**values)


def a_dossier() -> Dossier:
    sitrep = Sitrep()
    sitrep.change(PLAN, {"origin": "a TikTok video", "caused": "no"}, "U0ALICE", at(5))
    return Dossier(
        crisis=closed_crisis(),
        roles=[Assignment("lead", "U0ALICE", "U0ALICE", T0, ended_at=at(30)),
               Assignment("spokesperson", "U0CARLA", "U0ALICE", at(2)),
               Assignment("lead", "U0BOB", "U0ALICE", at(30))],
        sitrep=sitrep,
        milestones=[Milestone("reduction", "U0ALICE", at(10), "Ads paused"),
                    Milestone("response", "U0CARLA", at(75), "Holding statement", True, ("reaction",)),
                    Milestone("reduction", "U0ALICE", at(80))],
        timeline=[Entry(Kind.OPENED, T0, "U0ALICE", {"title": "Serum video", "severity": "high"}),
                  Entry(Kind.NOTE, at(40), "U0DAN", {"text": "El País called"}),
                  Entry(Kind.ALERT, at(41), None, {"title": "Mentions spike", "source": "Brandwatch", "count": 3}),
                  Entry(Kind.CLOSED, at(130), "U0ALICE", {"outcome": "Video taken down", "lessons": 2})],
        lessons=[Lesson(7, "Brief customer care early", "U0ALICE", at(130)),  # the store gives newest first
                 Lesson(7, "Pre-approve a holding statement", "U0ALICE", at(130))],
    )


def test_the_story_computes_phases_first_response_team_and_learnings():
    story = build_story(a_dossier(), PLAN)

    reduction, response, reaction, recovery, rethink = story.phases
    assert (reduction.at, reduction.since_open, reduction.times, reduction.note) == (at(10), timedelta(minutes=10),
                                                                                    2, "Ads paused")
    assert response.since_open == timedelta(minutes=75) and response.out_of_order
    assert [p.name for p in story.missed] == ["Reaction", "Recovery", "Rethink"]
    assert story.first_response.took == timedelta(minutes=75)
    assert not story.first_response.within_target
    assert story.first_response.over_by == timedelta(minutes=15)
    assert [(f.label, f.value) for f in story.report] == [("Origin", "a TikTok video"),
                                                          ("Our action or omission caused it", "no")]
    assert story.report_missing == ["Type of criticism", "Networks where it spreads"]
    assert {h.role: h.user for h in story.holders if h.user} == {"lead": "U0BOB", "spokesperson": "U0CARLA"}
    (handoff,) = story.handoffs
    assert (handoff.previous, handoff.user, handoff.since_open) == ("U0ALICE", "U0BOB", timedelta(minutes=30))
    assert story.others == ["U0ALICE", "U0DAN"]
    assert [m.kind for m in story.moments] == [Kind.OPENED, Kind.NOTE, Kind.CLOSED]
    assert story.alert_count == 1
    assert story.duration == timedelta(hours=2, minutes=10)
    assert story.lessons == ["Pre-approve a holding statement", "Brief customer care early"]


def test_a_response_within_the_golden_hour_is_on_target():
    dossier = a_dossier()
    dossier.milestones = [Milestone("response", "U0CARLA", at(60))]

    story = build_story(dossier, PLAN)

    assert story.first_response.within_target and story.first_response.over_by is None
    assert [p.key for p in story.missed] == ["reduction", "reaction", "recovery", "rethink"]


def test_the_message_says_what_happened_in_sentences():
    text, blocks = story_blocks(build_story(a_dossier(), PLAN), PLAN, Catalog.load())

    assert blocks[0]["text"]["text"] == ":white_check_mark: Crisis closed: Serum video"
    shown = "\n".join(mrkdwn_texts(blocks))
    assert "It lasted *2 h 10 min*" in shown
    assert "Outcome: Video taken down" in shown
    assert "• *Origin*: a TikTok video" in shown
    assert "• *Crisis lead*: <@U0BOB>" in shown
    assert "Crisis lead passed from <@U0ALICE> to <@U0BOB>" in shown
    assert "First response after *1 h 15 min*: *15 min* past the golden hour" in shown
    assert "1. *Reduction*: <!date^" in shown and "10 min after opening (recorded 2 times) — Ads paused" in shown
    assert "Missed phases: *Reaction*, *Recovery*, *Rethink*." in shown
    assert "<@U0DAN> noted: El País called" in shown
    assert "Alerts received: 1." in shown and "Alert from Brandwatch: Mentions spike (×3)" in shown
    assert "• Pre-approve a holding statement\n• Brief customer care early" in shown
    assert "These lessons now show in the pinned plan of every new crisis." in shown
    assert "`crisisbot export 7`" in shown
    assert text == "Crisis closed: Serum video. It lasted 2 h 10 min."


def test_a_long_story_is_summarised_within_block_kits_limits():
    dossier = a_dossier()
    dossier.crisis = closed_crisis(minutes=600, title="T" * 150, outcome="o" * 2000)
    dossier.timeline += [Entry(Kind.NOTE, at(50 + i), "U0DAN", {"text": f"note {i} <!channel> " + "x" * 1900})
                         for i in range(300)]
    dossier.timeline += [Entry(Kind.ALERT, at(50 + i), None, {"title": f"alert {i}", "source": "X"})
                         for i in range(40)]
    dossier.lessons = [Lesson(7, f"lesson {i} " + "l" * 200, "U0ALICE", at(600)) for i in range(40)]
    sitrep = Sitrep()
    sitrep.change(PLAN, {f.key: "v" * 1000 for f in PLAN.sitrep if not f.choices}, "U0ALICE", at(5))
    dossier.sitrep = sitrep

    _, blocks = story_blocks(build_story(dossier, PLAN), PLAN, Catalog.load())

    assert check_blocks(blocks) == []  # what Slack itself checks: 50 blocks, 3,000 per section, 150 per header
    shown = "\n".join(mrkdwn_texts(blocks))
    assert "… and 288 more moments; the full story is in the export: `crisisbot export 7`" in shown
    assert "… and 36 more alerts" in shown
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert "lesson 39" in shown


async def close_with(person: Person, channel: str, outcome: str, learnings: str) -> None:
    await person.types("/crisis close", channel=channel)
    await fill_in(person, {"outcome": outcome, "learnings": learnings})
    await person.sees_privately("is closed")


def story_in(emulator, channel: str):
    return next(m for m in reversed(emulator.messages(channel)) if "Crisis closed: " in str(m.blocks))


async def test_the_story_is_told_in_the_room_and_to_the_managers(alice: Person, workspace, emulator, bot, clock):
    channel = await open_crisis(alice, "Serum video")
    clock.advance(minutes=2)
    await alice.types("/crisis role spokesperson <@U0BOB|bob>", channel=channel)
    await emulator.wait_for(lambda: emulator.dms("U0BOB"))  # bob is briefed once the role is his
    clock.advance(minutes=3)
    await alice.types("/crisis sitrep origin: a TikTok video by @glowqueen", channel=channel)
    await alice.sees_privately("version 1")
    await alice.types("/crisis sitrep caused: no", channel=channel)
    await alice.sees_privately("version 2")
    clock.advance(minutes=5)
    await alice.types("/crisis milestone reduction Ads paused on every network", channel=channel)
    await alice.sees_privately("Reduction recorded")
    said = await workspace.say("U0BOB", channel, "Holding statement draft: we are testing the batch")
    await workspace.react("U0ALICE", channel, said.ts, "pushpin")
    crisis = await bot.services.crises.in_channel(channel)
    await emulator.wait_for(lambda: _has_pin(bot, crisis.id))
    clock.advance(minutes=15)
    await alice.types("/crisis milestone response Holding statement published", channel=channel)
    await alice.sees_privately("Response recorded")
    await alice.types("/crisis note Journalist from El País called", channel=channel)
    await alice.sees_privately("Added to the timeline")
    clock.advance(minutes=65)
    await alice.types("/crisis milestone recovery", channel=channel)
    await alice.sees_privately("Recovery recorded")
    clock.advance(minutes=40)

    await close_with(alice, channel, "The video was taken down",
                     "Pre-approve a holding statement\nBrief customer care in the first 15 minutes")

    for where in (channel, "C0MANAGERS"):
        story = render_message(story_in(emulator, where), emulator)
        assert "== :white_check_mark: Crisis closed: Serum video ==" in story
        assert "It lasted *2 h 10 min*" in story
        assert "Outcome: The video was taken down" in story
        # what happened, from the report
        assert "• *Origin*: a TikTok video by @glowqueen" in story
        assert "• *Our action or omission caused it*: no" in story
        # who responded
        assert "• *Crisis lead*: @alice" in story and "• *Spokesperson*: @bob" in story
        # how it unfolded: phases, their times, the golden hour, what was missed
        assert "First response after *25 min*, within the golden hour of 1 h 00 min." in story
        assert ":white_check_mark: 1. *Reduction*: 2026-11-21 09:10 UTC, 10 min after opening — Ads paused" in story
        assert ":white_check_mark: 2. *Response*: 2026-11-21 09:25 UTC, 25 min after opening" in story
        assert ":white_large_square: 3. *Reaction*: missed" in story
        assert ":white_check_mark: 4. *Recovery*: 2026-11-21 10:30 UTC, 1 h 30 min after opening (out of order)" in story
        assert "Missed phases: *Reaction*, *Rethink*." in story
        # key moments, from the timeline
        assert "@alice opened the crisis, severity High." in story
        assert "@bob became *Spokesperson*." in story
        assert "@alice noted: Journalist from El País called" in story
        assert "@bob said: Holding statement draft: we are testing the batch (pinned by @alice)" in story
        assert "@alice closed the crisis." in story
        assert "No alerts were received." in story
        # what we learned, and what changes in the plan
        assert "• Pre-approve a holding statement\n    • Brief customer care in the first 15 minutes" in story
        assert "These lessons now show in the pinned plan of every new crisis." in story

    second = await open_crisis(alice, "Boycott hashtag")
    assert second != channel
    plan_ts = emulator.pins(second)[0]
    plan = str(emulator.find_message(second, plan_ts).blocks)
    assert "Lessons from past crises" in plan
    assert "Pre-approve a holding statement" in plan and "Brief customer care in the first 15 minutes" in plan


async def _has_pin(bot, crisis_id: int) -> bool:
    return any(e.kind is Kind.PINNED for e in await bot.services.deps.dossier.timeline(crisis_id))


async def test_a_crisis_without_a_first_response_says_so(alice: Person, emulator, clock):
    channel = await open_crisis(alice, "Fake <!here> coupon & scam")
    clock.advance(minutes=95)

    await alice.types("/crisis close We should have answered within the hour", channel=channel)
    await alice.sees_privately("is closed")

    message = story_in(emulator, channel)
    shown = "\n".join(mrkdwn_texts(message.blocks))
    assert "No first response was recorded; the golden hour target was *1 h 00 min*." in shown
    assert "Missed phases: *Reduction*, *Response*, *Reaction*, *Recovery*, *Rethink*." in shown
    assert "Outcome: not recorded." in shown
    assert "• We should have answered within the hour" in shown
    assert "<!here>" not in shown + message.text and "Fake @here coupon &amp; scam" in message.text


def test_counts_in_the_story_read_right_in_the_singular():
    dossier = a_dossier()
    dossier.timeline += [Entry(Kind.NOTE, at(50 + i), "U0DAN", {"text": f"note {i}"}) for i in range(20)]
    story = build_story(dossier, PLAN)
    dossier.timeline = dossier.timeline[: len(dossier.timeline) - (len(story.moments) - 16)]  # one past the 15 shown

    _, blocks = story_blocks(build_story(dossier, PLAN), PLAN, Catalog.load())

    shown = "\n".join(mrkdwn_texts(blocks))
    assert "… and 1 more moment; the full story is in the export" in shown
    assert "1 more moments" not in shown
