"""Durable reminders and escalations: what is due when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.plan import Plan


class ReminderKind(StrEnum):
    SITREP_MISSING = "sitrep_missing"  # required report fields are missing: remind the lead
    SITREP_REFRESH = "sitrep_refresh"  # ask for a fresh report
    GOLDEN_HOUR = "golden_hour"  # no Response milestone within the first-response target: escalate
    ARCHIVE_NOTICE = "archive_notice"  # a closed crisis: tell the channel when it will be archived
    ARCHIVE = "archive"  # a closed crisis: archive its channel (the plan's archive_after_close)


# What a closed crisis keeps; every other reminder is for an active crisis only.
AFTER_CLOSE = (ReminderKind.ARCHIVE_NOTICE, ReminderKind.ARCHIVE)
WHILE_ACTIVE = tuple(k for k in ReminderKind if k not in AFTER_CLOSE)


@dataclass(frozen=True)
class Reminder:
    crisis_id: int
    kind: ReminderKind
    due_at: datetime
    id: int | None = None


def interval(kind: ReminderKind, plan: Plan) -> timedelta | None:
    """How often a reminder repeats; None for a one-shot escalation."""
    if kind is ReminderKind.SITREP_MISSING:
        return timedelta(minutes=plan.reminders.sitrep_missing_minutes)
    if kind is ReminderKind.SITREP_REFRESH:
        return timedelta(minutes=plan.reminders.sitrep_refresh_minutes)
    return None


def at_open(crisis_id: int, opened_at: datetime, plan: Plan) -> list[Reminder]:
    """The reminders a crisis starts with."""
    reminders = [
        Reminder(crisis_id, ReminderKind.GOLDEN_HOUR, opened_at + timedelta(minutes=plan.first_response_minutes))
    ]
    for kind in (ReminderKind.SITREP_MISSING, ReminderKind.SITREP_REFRESH):
        step = interval(kind, plan)
        assert step is not None
        reminders.append(Reminder(crisis_id, kind, opened_at + step))
    return reminders


def at_close(crisis_id: int, closed_at: datetime, plan: Plan) -> list[Reminder]:
    """The archive and its notice: a day before, or half-way when the plan waits less than two days."""
    after = plan.archive_after_close
    if after is None:
        return []
    notice = after - timedelta(days=1) if after >= timedelta(days=2) else after / 2
    return [Reminder(crisis_id, ReminderKind.ARCHIVE_NOTICE, closed_at + notice),
            Reminder(crisis_id, ReminderKind.ARCHIVE, closed_at + after)]


def at_reopen(crisis_id: int, opened_at: datetime, now: datetime, plan: Plan) -> list[Reminder]:
    """The reminders of an active crisis, counted from the reopening; the golden hour only if it is still ahead."""
    return [r if r.kind is ReminderKind.GOLDEN_HOUR else Reminder(crisis_id, r.kind, now + (r.due_at - opened_at))
            for r in at_open(crisis_id, opened_at, plan)
            if r.kind is not ReminderKind.GOLDEN_HOUR or r.due_at > now]


def next_due(kind: ReminderKind, plan: Plan, fired_at: datetime) -> datetime | None:
    step = interval(kind, plan)
    return fired_at + step if step is not None else None
