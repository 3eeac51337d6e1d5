"""`crisisbot demo` tells a whole crisis through the emulator."""

from __future__ import annotations

from bot.demo import run_demo


async def test_the_demo_shows_the_room_its_pinned_plan_and_the_closing_story():
    lines: list[str] = []

    await run_demo(lines.append)

    shown = "\n".join(lines)
    assert "#crisis-" in shown and "influencer-video-claims-our-serum-burns-skin" in shown
    assert "📌" in shown and "*The 5 R method*" in shown
    for phase in ("Reduction", "Response", "Reaction", "Recovery", "Rethink"):
        assert f"*{phase}* recorded by" in shown
    assert "Crisis closed: Influencer video claims our serum burns skin" in shown
    assert "New crisis:" in shown  # the managers' announcement
    assert "You are *Spokesperson*" in shown  # bob's brief
