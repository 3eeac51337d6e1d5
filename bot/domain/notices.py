"""What the bot tells people, as data. Handlers render each kind to Block Kit."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.crisis import Crisis


class Audience(StrEnum):
    CHANNEL = "channel"  # the crisis channel
    MANAGERS = "managers"  # the managers' channel, when one is set
    DM = "dm"  # one person, privately (`user`)
    TRIAGE = "triage"  # where alerts below the auto-open severity wait for a decision


@dataclass(frozen=True)
class Notice:
    kind: str  # a renderer's name, e.g. "milestone"
    crisis: Crisis | None  # None only for notices about no crisis yet (triage)
    audience: Audience = Audience.CHANNEL
    data: dict = field(default_factory=dict)
    user: str | None = None  # for DM
