"""`crisisbot demo` tells a whole crisis through the emulator, the same way on every run."""

from __future__ import annotations

from bot.demo import run_demo


async def demo_transcript() -> list[str]:
    lines: list[str] = []
    await run_demo(lines.append)
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
