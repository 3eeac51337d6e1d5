"""The crisis plan: phases, severities, roles, situation-report fields, do's and don'ts.

Pure data. `Plan.from_dict` validates a mapping (as read from YAML) and raises
`PlanError` with every problem it found, so a team sees all mistakes in their
plan file at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from bot.domain.words import fold


class PlanError(ValueError):
    """The plan file is not a valid plan."""


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
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        return _PlanReader(data).read()


def _lookup(items, word, names):
    wanted = fold(word)
    for item in items:
        if wanted in {fold(n) for n in names(item)}:
            return item
    return None


class _PlanReader:
    """Collects every problem in a plan mapping before raising."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = data if isinstance(data, Mapping) else {}
        self.problems: list[str] = [] if isinstance(data, Mapping) else ["the plan must be a mapping"]

    def read(self) -> Plan:
        d = self.data
        phases = tuple(self._items("phases", Phase, ("key", "name", "summary")))
        severities = tuple(self._items("severities", Severity, ("key", "label")))
        roles = tuple(self._items("roles", Role, ("key", "name")))
        sitrep = tuple(self._items("sitrep", SitrepField, ("key", "label")))
        dos, donts = self._texts("dos"), self._texts("donts")
        limits = Limits(**self._numbers("limits", Limits))
        reminders = self._reminders()
        alerts = self._alerts()
        plan = None
        if not self.problems:
            plan = Plan(
                name=str(d.get("name") or "Crisis plan"),
                version=int(d.get("version") or 1),
                phases=phases,
                severities=severities,
                default_severity=str(d.get("default_severity") or (severities[0].key if severities else "")),
                roles=roles,
                lead_role=str(d.get("lead_role") or (roles[0].key if roles else "")),
                sitrep=sitrep,
                dos=dos,
                donts=donts,
                first_response_minutes=int(d.get("first_response_minutes") or 60),
                limits=limits,
                reminders=reminders,
                lessons_shown=int(d.get("lessons_shown") or 5),
                alerts=alerts,
                private_managers_line=(None if d.get("private_managers_line") is None
                                       else str(d.get("private_managers_line"))),
            )
            if plan.severity(plan.default_severity) is None:
                self.problems.append(f"default_severity {plan.default_severity!r} is not one of the severities")
            if plan.role(plan.lead_role) is None:
                self.problems.append(f"lead_role {plan.lead_role!r} is not one of the roles")
            for name, tier in [("alerts.auto_open", plan.alerts.auto_open),
                               *((f"alerts.tiers.{k}", v) for k, v in plan.alerts.tiers.items())]:
                if plan.severity(tier) is None:
                    self.problems.append(f"{name} {tier!r} is not one of the severities")
            if plan.first_response_minutes <= 0:
                self.problems.append("first_response_minutes must be positive")
        if self.problems:
            raise PlanError("invalid crisis plan: " + "; ".join(self.problems))
        assert plan is not None
        return plan

    def _numbers(self, section: str, kind, raw: Mapping | None = None) -> dict[str, int]:
        raw = self.data.get(section) or {} if raw is None else raw
        out: dict[str, int] = {}
        for name, value in (raw.items() if isinstance(raw, Mapping) else ()):
            if name not in kind.__dataclass_fields__:
                self.problems.append(f"{section}.{name}: unknown setting")
            elif not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                self.problems.append(f"{section}.{name}: must be a positive whole number")
            else:
                out[name] = value
        return out

    def _reminders(self) -> Reminders:
        raw = dict(self.data.get("reminders") or {})
        snooze = raw.pop("snooze_minutes", [30, 60])
        numbers = self._numbers("reminders", Reminders, raw)
        if not isinstance(snooze, list) or not snooze or not all(isinstance(v, int) and v > 0 for v in snooze):
            self.problems.append("reminders.snooze_minutes: must be a list of positive whole numbers")
            snooze = [30, 60]
        return Reminders(**numbers, snooze_minutes=tuple(snooze))

    def _alerts(self) -> AlertPolicy:
        raw = self.data.get("alerts") or {}
        if not isinstance(raw, Mapping):
            self.problems.append("alerts: must be a mapping")
            return AlertPolicy()
        unknown = set(raw) - set(AlertPolicy.__dataclass_fields__)
        if unknown:
            self.problems.append(f"alerts: unknown setting(s) {', '.join(sorted(unknown))}")
        tiers = self._default_tiers()
        tiers.update({str(k): str(v) for k, v in (raw.get("tiers") or {}).items()})
        if set(tiers) - set(NEUTRAL_SEVERITIES):
            self.problems.append(f"alerts.tiers: keys must be among {', '.join(NEUTRAL_SEVERITIES)}")
        words = {str(src): {str(w).lower(): str(n) for w, n in table.items()}
                 for src, table in (raw.get("words") or {}).items() if isinstance(table, Mapping)}
        for src, table in words.items():
            if bad := [n for n in table.values() if n not in NEUTRAL_SEVERITIES]:
                self.problems.append(f"alerts.words.{src}: {', '.join(bad)} not among {', '.join(NEUTRAL_SEVERITIES)}")
        digest = raw.get("digest_seconds", 60)
        if not isinstance(digest, int) or digest <= 0:
            self.problems.append("alerts.digest_seconds: must be a positive whole number")
            digest = 60
        return AlertPolicy(
            auto_open=str(raw.get("auto_open") or tiers["high"]),
            triage_channel=str(raw["triage_channel"]) if raw.get("triage_channel") else None,
            digest_seconds=digest,
            lead=str(raw["lead"]) if raw.get("lead") else None,
            tiers=tiers,
            words=words,
        )

    def _default_tiers(self) -> dict[str, str]:
        """Neutral alert severities onto the plan's own tiers: by name when it has them, else by rank."""
        keys = [str(s.get("key", "")).lower() for s in self.data.get("severities") or [] if isinstance(s, Mapping)]
        if not keys:
            return dict(AlertPolicy().tiers)
        named = AlertPolicy().tiers
        if all(tier in keys for tier in named.values()):
            return dict(named)
        top = len(keys) - 1  # the plan lists its tiers least severe first
        ranks = {"critical": top, "high": max(0, top - 1), "medium": top // 2, "low": 0, "info": 0}
        return {neutral: keys[rank] for neutral, rank in ranks.items()}

    def _texts(self, section: str) -> tuple[str, ...]:
        raw = self.data.get(section) or []
        if not isinstance(raw, list) or any(isinstance(v, (dict, list)) for v in raw):
            self.problems.append(f"{section}: must be a list of texts (quote any with a colon)")
            return ()
        return tuple(str(v) for v in raw)

    def _items(self, section: str, kind, required: tuple[str, ...]):
        raw = self.data.get(section)
        if not isinstance(raw, list) or not raw:
            self.problems.append(f"{section}: a non-empty list is required")
            return
        seen: set[str] = set()
        for i, item in enumerate(raw):
            if not isinstance(item, Mapping):
                self.problems.append(f"{section}[{i}]: must be a mapping")
                continue
            missing = [k for k in required if not item.get(k)]
            if missing:
                self.problems.append(f"{section}[{i}]: missing {', '.join(missing)}")
                continue
            key = fold(str(item["key"]))
            if key in seen:
                self.problems.append(f"{section}: duplicate key {key!r}")
            seen.add(key)
            fields = {}
            for name, value in item.items():
                if name not in kind.__dataclass_fields__:
                    self.problems.append(f"{section}[{i}]: unknown field {name!r}")
                    continue
                if isinstance(value, list):
                    if any(isinstance(v, (dict, list)) for v in value):
                        self.problems.append(f"{section}[{i}].{name}: entries must be text (quote any with a colon)")
                        continue
                    value = tuple(_choice_text(v) for v in value)
                elif name in ("key",):
                    value = key
                fields[name] = value
            yield kind(**fields)


def _choice_text(value: Any) -> str:
    # YAML reads a bare yes/no as booleans; a plan means the words.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)
