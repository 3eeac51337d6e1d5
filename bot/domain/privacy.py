"""What may leave a private crisis: to the managers' channel, only the line the plan allows."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.notices import Audience, Notice
from bot.domain.plan import Plan

PRIVATE_LINE = "private_line"
# The moments the managers hear of a private crisis at all: that one opened, and that it closed.
TOLD = {"announce": "opened", "story": "closed"}


def for_audience(notice: Notice, plan: Plan) -> Notice | None:
    """The notice as its audience may see it; None when they may not see it at all."""
    crisis = notice.crisis
    if notice.audience is not Audience.MANAGERS or crisis is None or not crisis.private:
        return notice
    moment = TOLD.get(notice.kind)
    if moment is None or plan.private_managers_line == "":
        return None
    return replace(notice, kind=PRIVATE_LINE, data={"moment": moment})
