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


def next_due(kind: ReminderKind, plan: Plan, fired_at: datetime) -> datetime | None:
    step = interval(kind, plan)
    return fired_at + step if step is not None else None
