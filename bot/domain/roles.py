"""Who holds which role of the plan, and handoffs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Assignment:
    role: str
    user: str
    assigned_by: str
    at: datetime
    ended_at: datetime | None = None


def holders(assignments: list[Assignment]) -> dict[str, str]:
    """Current holder of each role (the latest assignment not ended)."""
    current: dict[str, str] = {}
    for a in sorted(assignments, key=lambda a: a.at):
        if a.ended_at is None:
            current[a.role] = a.user
    return current


# Slack's IDs are short (at most 21 characters in its docs' words); a longer run of capitals is a name or noise.
_MENTION = re.compile(r"^<@([UW][A-Z0-9]{1,20})(?:\|[^>]*)?>$")
_BARE_ID = re.compile(r"^@?([UW][A-Z0-9]{2,20})$")


def user_id(text: str) -> str | None:
    """A user from Slack's escaped mention `<@U123|name>`, `<@U123>`, or a bare ID."""
    text = text.strip()
    match = _MENTION.match(text) or _BARE_ID.match(text)
    return match.group(1) if match else None
