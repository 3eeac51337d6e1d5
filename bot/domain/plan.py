"""The crisis plan: phases, severities, roles, situation-report fields, do's and don'ts.

Pure data. `Plan.from_dict` validates a mapping (as read from YAML) and raises
`PlanError` with every problem it found, so a team sees all mistakes in their
plan file at once. A new setting is a field of `Plan` (or of one of its sections),
read in `bot/domain/plan_reader.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable, Mapping

from bot.domain.words import fold


class PlanError(ValueError):
    """The plan file is not a valid plan: every problem found, each starting with its path in the YAML."""

    def __init__(self, problems: list[str] | str, source: str | None = None):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.source = source  # the plan file, as the user named it; None: the default plan
        super().__init__(self.problems)

    def lines(self) -> list[str]:
        """One line per problem, prefixed with the file: `plan.yaml: reminders.snooze_minutes: …`."""
        return [f"{self.source}: {p}" if self.source else p for p in self.problems]

    def __str__(self) -> str:
        return "invalid crisis plan: " + "; ".join(self.lines())


@dataclass(frozen=True)
class Phase:
    key: str
    name: str
    summary: str
    aliases: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Severity:
    key: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    brief: str = ""
    aliases: tuple[str, ...] = ()
    default_holders: tuple[str, ...] = ()  # user IDs (U…) or user-group IDs (S…), assigned at open


@dataclass(frozen=True)
class SitrepField:
    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Limits:
    title: int = 150
    description: int = 2000
    field: int = 1000  # one situation-report field
    note: int = 2000  # a timeline note, an outcome or the learnings


@dataclass(frozen=True)
class Reminders:
    sitrep_missing_minutes: int = 15  # remind the lead while required fields are missing
    sitrep_refresh_minutes: int = 60  # ask for a fresh report while the crisis is active
    snooze_minutes: tuple[int, ...] = (30, 60)


NEUTRAL_SEVERITIES = ("critical", "high", "medium", "low", "info")


MAPPED_FIELDS = ("title", "summary", "severity", "dedup_key", "networks", "link", "status", "started_at")
ALERT_AUTH = ("bearer", "hmac", "basic")


@dataclass(frozen=True)
class AlertSource:
    """A sender the plan declares (`alerts.sources.<name>`): `POST /alerts/<name>` reads its JSON through
    `fields`, each a JMESPath expression (checked when the plan is loaded), with no code of its own."""

    name: str
    fields: dict[str, str]
    auth: str = "bearer"  # bearer | hmac | basic
    secret_env: str | None = None  # the environment variable holding its secret; None: CRISISBOT_ALERT_TOKEN
    username: str | None = None  # for basic; None: the source's name
    severity_map: dict[str, str] = field(default_factory=dict)  # its word -> a neutral severity
    status_map: dict[str, str] = field(default_factory=dict)  # its word -> firing | resolved
    form: bool = False  # a form-encoded body is read as a JSON object of its fields


@dataclass(frozen=True)
class AlertPolicy:
    """How alerts from monitoring and social-listening tools become crises."""

    auto_open: str = "high"  # a firing alert at or above this plan tier opens a crisis
    triage_channel: str | None = None  # where alerts below it go; None: the managers' channel
    digest_seconds: int = 60  # at most one alert digest per crisis per interval
    lead: str | None = None  # who leads a crisis an alert opened; None: the lead role's default holder
    tiers: dict[str, str] = field(default_factory=lambda: {
        "critical": "critical", "high": "high", "medium": "medium", "low": "low", "info": "low"})
    words: dict[str, dict[str, str]] = field(default_factory=dict)  # per source: its word -> neutral severity
    sources: dict[str, AlertSource] = field(default_factory=dict)  # senders mapped by the plan


@dataclass(frozen=True)
class Plan:
    name: str
    phases: tuple[Phase, ...]
    severities: tuple[Severity, ...]
    default_severity: str
    roles: tuple[Role, ...]
    lead_role: str
    sitrep: tuple[SitrepField, ...]
    dos: tuple[str, ...] = ()
    donts: tuple[str, ...] = ()
    first_response_minutes: int = 60
    version: int = 1
    limits: Limits = field(default_factory=Limits)
    reminders: Reminders = field(default_factory=Reminders)
    lessons_shown: int = 5
    alerts: AlertPolicy = field(default_factory=AlertPolicy)
    # What the managers' channel hears of a private crisis, at open and at close ({severity}, {moment}:
    # opened/closed); None: the catalog's line; "": nothing at all.
    private_managers_line: str | None = None
    archive_after_close: timedelta | None = None  # the channel is archived this long after the close; None: never

    def tier_rank(self, key: str) -> int:
        """Position of a severity tier, least severe first (the plan lists them that way)."""
        return next(i for i, s in enumerate(self.severities) if s.key == key)

    def alert_tier(self, neutral: str) -> str:
        """The plan tier for an alert's neutral severity."""
        tier = self.alerts.tiers.get(neutral)
        return tier if tier and self.severity(tier) else self.default_severity

    @property
    def required_fields(self) -> tuple[SitrepField, ...]:
        return tuple(f for f in self.sitrep if f.required)

    def phase_index(self, key: str) -> int:
        return next(i for i, p in enumerate(self.phases) if p.key == key)

    def severity(self, word: str) -> Severity | None:
        return _lookup(self.severities, word, lambda s: (s.key, s.label))

    def phase(self, word: str) -> Phase | None:
        return _lookup(self.phases, word, lambda p: (p.key, p.name, *p.aliases))

    def role(self, word: str) -> Role | None:
        return _lookup(self.roles, word, lambda r: (r.key, r.name, *r.aliases))

    def sitrep_field(self, word: str) -> SitrepField | None:
        return _lookup(self.sitrep, word, lambda f: (f.key, f.label, *f.aliases))

    @property
    def lead(self) -> Role:
        role = self.role(self.lead_role)
        assert role is not None  # checked in from_dict
        return role

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str | None = None,
                  check_path: Callable[[str], str | None] | None = None) -> Plan:
        """Validates a mapping read from YAML; PlanError lists every problem (bot/domain/plan_reader.py).

        `check_path` returns the problem with a mapped source's field expression, or None (the loader
        passes JMESPath's compiler; the domain knows no query language)."""
        from bot.domain.plan_reader import PlanReader

        return PlanReader(data, source, check_path).read()


def _lookup(items, word, names):
    wanted = fold(word)
    for item in items:
        if wanted in {fold(n) for n in names(item)}:
            return item
    return None
