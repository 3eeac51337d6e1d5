"""The crisis timeline: every lifecycle action, notes, and pinned messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    OPENED = "opened"
    ROLE = "role"
    SITREP = "sitrep"
    MILESTONE = "milestone"
    NOTE = "note"
    PINNED = "pinned"  # a message marked with the pushpin reaction
    ESCALATION = "escalation"
    SEVERITY = "severity"
    ALERT = "alert"
    CLOSED = "closed"
    UPDATE = "update"  # a stakeholder update (`/crisis update`)
    REOPENED = "reopened"
    INVITED = "invited"  # responders invited into the channel without a role (`/crisis invite`)
    ARCHIVED = "archived"  # the channel, some time after the close (the plan's archive_after_close)
    CHANGE = "change"  # a change event (a deploy, a config change) from a sender, e.g. PagerDuty


@dataclass(frozen=True)
class Entry:
    kind: Kind
    at: datetime
    author: str | None
    data: dict = field(default_factory=dict)  # what happened, in structured form; rendered per language
    ref: str | None = None  # identifies an entry from outside (e.g. "C123/1700000000.000100")
    id: int | None = None


def message_ref(channel: str, ts: str) -> str:
    return f"{channel}/{ts}"
