"""The five phases of the "5 R" method, as recorded during a crisis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.plan import Plan


@dataclass(frozen=True)
class Milestone:
    phase: str
    by: str
    at: datetime
    note: str = ""
    out_of_order: bool = False  # an earlier phase of the plan had not been recorded
    skipped: tuple[str, ...] = ()  # those earlier phases


def record(plan: Plan, history: list[Milestone], phase: str, by: str, at: datetime, note: str = "") -> Milestone:
    """A milestone for `phase`; recording a phase again keeps the history."""
    done = {m.phase for m in history}
    index = plan.phase_index(phase)
    skipped = tuple(p.key for p in plan.phases[:index] if p.key not in done)
    return Milestone(phase=phase, by=by, at=at, note=note, out_of_order=bool(skipped), skipped=skipped)


def first(history: list[Milestone], phase: str) -> Milestone | None:
    return next((m for m in sorted(history, key=lambda m: m.at) if m.phase == phase), None)


DOUBLE_CLICK = timedelta(seconds=30)


def repeat_of(history: list[Milestone], phase: str, by: str, at: datetime) -> Milestone | None:
    """The same person recording the same phase again within seconds: one click twice, not a new record."""
    return next((m for m in reversed(history)
                 if m.phase == phase and m.by == by and timedelta(0) <= at - m.at <= DOUBLE_CLICK), None)


def click_key(crisis_id: int, phase: str, by: str, at: datetime) -> str:
    """What makes two records one click: the crisis, the phase, the person, the half-minute."""
    return f"{crisis_id}:{phase}:{by}:{int(at.timestamp() // DOUBLE_CLICK.total_seconds())}"
