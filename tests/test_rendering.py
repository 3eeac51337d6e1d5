"""The pinned plan stays within Block Kit's limits whatever the plan holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from bot.catalog import Catalog
from bot.domain.crisis import OpenRequest
from bot.domain.plan import Phase
from bot.plan_loader import load_plan
from handlers.blocks.plan import plan_message


def test_a_huge_plan_is_cut_visibly_to_50_blocks_of_3000_characters():
    plan = load_plan()
    phases = tuple(Phase(key=f"p{i}", name=f"Phase {i}", summary="s" * 900, actions=("a" * 2500,)) for i in range(80))
    plan = replace(plan, phases=phases)
    crisis = OpenRequest(title="Huge", requested_by="U1").to_crisis(plan, datetime.now(timezone.utc))

    _, blocks = plan_message(crisis, plan, Catalog.load())

    assert len(blocks) == 50
    assert "more blocks cut to fit" in blocks[-1]["elements"][0]["text"]
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000

