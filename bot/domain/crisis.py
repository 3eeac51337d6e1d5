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
    language: str = "en"  # what its shared messages speak (plan, story, milestones, the managers' lines)
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


# Characters that change how the text *around* them reads: bidi embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069) and the directional marks (U+200E, U+200F, U+061C), and invisible ones (the
# zero-width space, joiners, word joiner, BOM). A title is shown inside sentences, so an override left in it
# would flip the rest of the line ("Trojan Source", CVE-2021-42574). They are dropped from titles.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_DROPPED = {ord(c): None for c in BIDI_CONTROLS + INVISIBLE}


def clean_title(text: str) -> str:
    """A title as it is kept: no control, bidi or invisible characters, no lone surrogates (a JSON body may
    carry one, and no database or Slack takes it), runs of spaces made one. Mentions and mrkdwn stay as
    typed: they are escaped on the way out (handlers/escape.py)."""
    kept = clean(text).translate(_DROPPED)
    kept = kept.encode("utf-8", "replace").decode("utf-8") if any(0xD800 <= ord(c) <= 0xDFFF for c in kept) \
        else kept
    return " ".join(kept.split())


@dataclass(frozen=True)
class OpenRequest:
    """What somebody asked for: from `/crisis open`, the modal, or (later) an alert."""

    title: str
    requested_by: str
    severity: str | None = None
    description: str = ""
    private: bool = False
    origin_channel: str | None = None
    language: str | None = None  # chosen at open (`--lang es`, the form); None: the installation's

    def to_crisis(self, plan: Plan, now: datetime, language: str = "en") -> Crisis:
        title = clean_title(self.title)
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
            language=self.language or language,
        )
