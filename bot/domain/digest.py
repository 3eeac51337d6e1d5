"""Alerts told to people: the per-crisis digest and the triage request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Digest:
    """Alerts of one crisis not yet told to its channel, taken together for one message."""

    crisis_id: int
    alerts: int
    resolved: int
    since: datetime | None
    titles: tuple[str, ...]


PENDING = "pending"  # a triage's status until someone opens a crisis from it or dismisses it


@dataclass(frozen=True)
class Triage:
    """Alerts below the auto-open severity, waiting for a person: open a crisis, or dismiss."""

    id: int
    source: str
    key: str
    title: str
    severity: str
    status: str  # pending, opened, dismissed
    alert_count: int
    channel: str | None
    ts: str | None
    decided_by: str | None = None
    crisis_id: int | None = None

    @property
    def is_pending(self) -> bool:
        """Nobody has decided on it yet."""
        return self.status == PENDING
