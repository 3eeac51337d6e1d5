"""`/crisis …` text to a command. Parsing only: no side effects."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.plan import Plan
from bot.domain.words import fold


@dataclass(frozen=True)
class Open:
    title: str  # empty: ask with the modal
    severity: str | None = None


@dataclass(frozen=True)
class Status:
    pass


@dataclass(frozen=True)
class Close:
    learnings: str = ""  # empty: ask with the modal


@dataclass(frozen=True)
class Role:
    role: str  # as typed; resolved against the plan by the service
    user: str  # as typed: a mention, or empty for "me"


@dataclass(frozen=True)
class Roles:
    pass


@dataclass(frozen=True)
class Sitrep:
    text: str = ""  # empty: the modal; "field: value" sets one field


@dataclass(frozen=True)
class Milestone:
    phase: str
    note: str = ""


@dataclass(frozen=True)
class Note:
    text: str


@dataclass(frozen=True)
class Severity:
    level: str  # as typed; resolved against the plan by the service


@dataclass(frozen=True)
class ShowPlan:
    pass


@dataclass(frozen=True)
class Help:
    unknown: str | None = None  # the subcommand we did not understand


Command = Open | Status | Close | Role | Roles | Sitrep | Milestone | Note | Severity | ShowPlan | Help

# Subcommand words, with the Spanish and Italian a team is likely to type.
_WORDS: dict[str, type] = {
    "open": Open, "abrir": Open, "apri": Open, "new": Open,
    "status": Status, "estado": Status, "stato": Status,
    "close": Close, "cerrar": Close, "chiudi": Close,
    "role": Role, "rol": Role, "ruolo": Role, "assign": Role,
    "roles": Roles, "roli": Roles, "ruoli": Roles, "team": Roles,
    "sitrep": Sitrep, "report": Sitrep, "informe": Sitrep, "rapporto": Sitrep,
    "milestone": Milestone, "phase": Milestone, "fase": Milestone, "hito": Milestone,
    "note": Note, "nota": Note,
    "severity": Severity, "severidad": Severity, "gravita": Severity, "level": Severity,
    "plan": ShowPlan, "piano": ShowPlan,
    "help": Help, "ayuda": Help, "aiuto": Help,
}


def parse(text: str, plan: Plan) -> Command:
    words = (text or "").split()
    if not words:
        return Open(title="")
    verb = _WORDS.get(fold(words[0]))
    rest_words = words[1:]
    rest = (text or "").strip()[len(words[0]):].strip()  # the rest, its own spacing and lines kept
    if verb is Open:
        severity = None
        if rest_words and plan.severity(rest_words[0]) is not None:
            severity = plan.severity(rest_words[0]).key
            rest_words = rest_words[1:]
        return Open(title=" ".join(rest_words), severity=severity)
    if verb is Role:
        return Role(role=rest_words[0] if rest_words else "", user=" ".join(rest_words[1:2]))
    if verb is Milestone:
        phase, _, note = rest.partition(" ")
        return Milestone(phase=phase, note=note.strip())
    if verb in (Close, Sitrep, Note, Severity):
        return verb(rest)
    if verb is Help or verb is None:
        return Help(unknown=None if verb else words[0][:40])
    return verb()
