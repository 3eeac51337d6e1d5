"""The story of a crisis, as facts: what happened, who responded, how it unfolded, what we learned.

`build_story` computes everything the closing message and the Markdown export tell from one
Dossier and the plan. Nothing here is worded: the renderers phrase these facts per language.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain

from bot.domain.crisis import Crisis
from bot.domain.dossier import Dossier
from bot.domain.milestones import Milestone, first
from bot.domain.plan import Phase, Plan
from bot.domain.roles import holders as current_holders
from bot.domain.timeline import Entry, Kind

RESPONSE = "response"  # the phase whose first milestone is the first response (the golden hour)

# What the key moments show first when a message has room for only some of them.
_PRIORITY = {
    Kind.OPENED: 0, Kind.CLOSED: 0, Kind.MILESTONE: 1, Kind.ESCALATION: 1, Kind.PINNED: 2, Kind.NOTE: 2,
    Kind.ROLE: 3, Kind.SEVERITY: 1, Kind.SITREP: 4, Kind.ALERT: 5, Kind.UPDATE: 1,
}


@dataclass(frozen=True)
class PhaseFact:
    """One phase of the plan in this crisis: when it was first reached, or missed."""

    key: str
    name: str
    number: int  # 1-based, in the plan's order
    at: datetime | None = None  # first time it was recorded; None: missed
    since_open: timedelta | None = None
    by: str | None = None
    note: str = ""
    times: int = 0  # how often it was recorded
    out_of_order: bool = False  # recorded before an earlier phase

    @property
    def reached(self) -> bool:
        return self.at is not None


@dataclass(frozen=True)
class FirstResponse:
    """The first Response milestone against the golden hour."""

    target: timedelta
    took: timedelta | None  # None: no first response was recorded
    at: datetime | None = None

    @property
    def recorded(self) -> bool:
        return self.took is not None

    @property
    def within_target(self) -> bool:
        return self.took is not None and self.took <= self.target

    @property
    def over_by(self) -> timedelta | None:
        """How late it was; None when on time or not recorded."""
        if self.took is None or self.took <= self.target:
            return None
        return self.took - self.target


@dataclass(frozen=True)
class ReportField:
    key: str
    label: str
    value: str


@dataclass(frozen=True)
class Holder:
    role: str
    name: str
    user: str | None  # None: nobody holds it now


@dataclass(frozen=True)
class Handoff:
    role: str
    name: str
    previous: str
    user: str
    by: str
    at: datetime
    since_open: timedelta


@dataclass(frozen=True)
class Moment:
    """A timeline entry, placed in the crisis."""

    kind: Kind
    at: datetime
    since_open: timedelta
    author: str | None
    data: dict


@dataclass(frozen=True)
class Story:
    crisis: Crisis
    severity: str  # the plan's label
    opened_at: datetime
    closed_at: datetime | None
    duration: timedelta | None  # None while the crisis is still active
    report: list[ReportField]
    report_versions: int
    report_missing: list[str]  # labels of required fields never filled
    holders: list[Holder]
    handoffs: list[Handoff]
    people: list[str]  # everybody who took part: holders first, then other authors
    phases: list[PhaseFact]
    first_response: FirstResponse
    moments: list[Moment]  # every timeline entry but alerts, oldest first
    alerts: list[Moment]
    outcome: str | None
    lessons: list[str]  # learnings captured in this crisis, in the order they were written

    @property
    def missed(self) -> list[PhaseFact]:
        return [p for p in self.phases if not p.reached]

    @property
    def alert_count(self) -> int:
        return len(self.alerts)

    @property
    def others(self) -> list[str]:
        """People who took part without holding a role at the end."""
        holding = {h.user for h in self.holders if h.user}
        return [p for p in self.people if p not in holding]

    def highlights(self, limit: int) -> list[Moment]:
        """At most `limit` moments, the most telling first chosen, shown oldest first."""
        if len(self.moments) <= limit:
            return list(self.moments)
        ranked = heapq.nsmallest(limit, range(len(self.moments)),
                                 key=lambda i: (_PRIORITY.get(self.moments[i].kind, 9), i))
        keep = sorted(ranked)
        return [self.moments[i] for i in keep]


def response_phase(plan: Plan) -> Phase | None:
    return plan.phase(RESPONSE)


def first_response(plan: Plan, opened_at: datetime, milestones: list[Milestone]) -> FirstResponse:
    target = timedelta(minutes=plan.first_response_minutes)
    phase = response_phase(plan)
    reached = first(milestones, phase.key) if phase else None
    if reached is None:
        return FirstResponse(target, None)
    return FirstResponse(target, max(timedelta(0), reached.at - opened_at), reached.at)


def build_story(dossier: Dossier, plan: Plan) -> Story:
    crisis = dossier.crisis
    opened = crisis.opened_at

    def since(at: datetime) -> timedelta:
        return max(timedelta(0), at - opened)

    by_phase: dict[str, list[Milestone]] = {}
    for m in dossier.milestones:
        by_phase.setdefault(m.phase, []).append(m)
    phases = []
    for number, phase in enumerate(plan.phases, start=1):
        records = by_phase.get(phase.key, [])
        reached = first(records, phase.key)
        if reached is None:
            phases.append(PhaseFact(phase.key, phase.name, number))
        else:
            phases.append(PhaseFact(phase.key, phase.name, number, reached.at, since(reached.at), reached.by,
                                    reached.note, len(records), reached.out_of_order))

    current = dossier.sitrep.current
    report = [ReportField(f.key, f.label, f.choice_label(current[f.key])) for f in plan.sitrep if current.get(f.key)]
    known = {f.key for f in plan.sitrep}
    report += [ReportField(key, key, value) for key, value in current.items() if key not in known and value]

    now_holding = current_holders(dossier.roles)
    holders = [Holder(r.key, r.name, now_holding.get(r.key)) for r in plan.roles]
    planned = {r.key for r in plan.roles}
    holders += [Holder(key, key, user) for key, user in now_holding.items() if key not in planned]

    handoffs = []
    last: dict[str, str] = {}
    for a in sorted(dossier.roles, key=lambda a: a.at):
        previous = last.get(a.role)
        if previous is not None and previous != a.user:
            role = plan.role(a.role)
            handoffs.append(Handoff(a.role, role.name if role else a.role, previous, a.user, a.assigned_by, a.at,
                                    since(a.at)))
        last[a.role] = a.user

    moments: list[Moment] = []
    alerts: list[Moment] = []
    for e in sorted(dossier.timeline, key=lambda e: e.at):  # the store's order already: a sort in one pass
        (alerts if e.kind is Kind.ALERT else moments).append(_moment(e, since(e.at)))

    # everybody once, in order of first appearance: a dict keeps insertion order and answers "seen?" at once
    people = list(dict.fromkeys(user for user in chain((h.user for h in holders), (a.user for a in dossier.roles),
                                                       (m.author for m in moments)) if user))

    lessons = sorted(reversed(dossier.lessons), key=lambda lesson: lesson.at)  # the store gives newest first
    return Story(
        crisis=crisis,
        severity=_severity(plan, crisis.severity),
        opened_at=opened,
        closed_at=crisis.closed_at,
        duration=since(crisis.closed_at) if crisis.closed_at else None,
        report=report,
        report_versions=len(dossier.sitrep.versions),
        report_missing=[f.label for f in dossier.sitrep.missing(plan)],
        holders=holders,
        handoffs=handoffs,
        people=people,
        phases=phases,
        first_response=first_response(plan, opened, dossier.milestones),
        moments=moments,
        alerts=alerts,
        outcome=crisis.outcome or None,
        lessons=[lesson.text for lesson in lessons],
    )


def _moment(entry: Entry, since_open: timedelta) -> Moment:
    return Moment(entry.kind, entry.at, since_open, entry.author, dict(entry.data))


def _severity(plan: Plan, key: str) -> str:
    severity = plan.severity(key)
    return severity.label if severity else key
