"""The crisis: what happened, who leads it, and where it lives."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.errors import AlreadyClosed, CrisisError, TitleRequired, TooLong
from bot.domain.plan import Plan
from bot.domain.words import clean


class CrisisClosed(CrisisError):
    """Something only an open crisis takes (a report, a note, a phase, a role, the severity…)."""

    key = "error.crisis_closed"


class NotClosed(CrisisError):
    key = "error.not_closed"


class Status(StrEnum):
    OPENING = "opening"  # recorded; Slack steps still running
    OPEN = "open"
    CLOSED = "closed"


@dataclass
class Crisis:
    title: str
    severity: str
    opened_by: str
    lead: str
    opened_at: datetime
    description: str = ""
    private: bool = False
    origin_channel: str | None = None
    channel_id: str | None = None
    channel_name: str | None = None
    plan_ts: str | None = None
    status: Status = Status.OPENING
    closed_at: datetime | None = None
    closed_by: str | None = None
    phase: str | None = None  # the latest recorded phase of the plan
    outcome: str | None = None
    alert_source: str | None = None  # set when an alert opened it
    alert_key: str | None = None
    previous_crisis_id: int | None = None  # an earlier, closed crisis of the same alert key
    archived_at: datetime | None = None  # when the bot archived its channel, after the close
    id: int | None = None

    @property
    def is_closed(self) -> bool:
        return self.status is Status.CLOSED

    def age(self, now: datetime) -> timedelta:
        return (self.closed_at or now) - self.opened_at

    def require_open(self) -> None:
        """The one guard of every change a closed crisis refuses: raises CrisisClosed."""
        if self.is_closed:
            raise CrisisClosed(title=self.title)

    def reopened(self) -> Crisis:
        """This crisis active again, as a copy (raises NotClosed unless it is closed)."""
        if not self.is_closed:
            raise NotClosed(title=self.title)
        return replace(self, status=Status.OPEN, closed_at=None, closed_by=None, outcome=None, archived_at=None)

    def close(self, by: str, at: datetime, outcome: str | None = None) -> None:
        if self.is_closed:
            raise AlreadyClosed(title=self.title, closed_by=self.closed_by)
        self.status = Status.CLOSED
        self.outcome = outcome
        self.closed_by = by
        self.closed_at = at


@dataclass(frozen=True)
class OpenRequest:
    """What somebody asked for: from `/crisis open`, the modal, or (later) an alert."""

    title: str
    requested_by: str
    severity: str | None = None
    description: str = ""
    private: bool = False
    origin_channel: str | None = None

    def to_crisis(self, plan: Plan, now: datetime) -> Crisis:
        title = " ".join(clean(self.title).split())
        if not title:
            raise TitleRequired()
        if len(title) > plan.limits.title:
            raise TooLong(what="title", limit=plan.limits.title, length=len(title))
        description = clean(self.description).strip()
        if len(description) > plan.limits.description:
            raise TooLong(what="description", limit=plan.limits.description, length=len(description))
        severity = plan.severity(self.severity or plan.default_severity) or plan.severity(plan.default_severity)
        assert severity is not None
        return Crisis(
            title=title,
            severity=severity.key,
            description=description,
            private=self.private,
            opened_by=self.requested_by,
            lead=self.requested_by,
            opened_at=now,
            origin_channel=self.origin_channel,
        )
