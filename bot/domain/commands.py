"""`/crisis …` text to a command. Parsing only: no side effects."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.plan import Plan
from bot.domain.mentions import readable
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
class Reopen:
    pass


@dataclass(frozen=True)
class Update:
    text: str  # a stakeholder update: the channel, the managers (as the plan allows), the timeline


@dataclass(frozen=True)
class Invite:
    people: str  # as typed: mentions or @names (bot.domain.mentions.people splits them)


@dataclass(frozen=True)
class Help:
    unknown: str | None = None  # the subcommand we did not understand


@dataclass(frozen=True)
class Usage:
    command: str  # the subcommand's English word, typed without the argument it needs


Command = (Open | Status | Close | Role | Roles | Sitrep | Milestone | Note | Severity | ShowPlan | Help | Reopen
           | Update | Usage | Invite)

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
    "reopen": Reopen, "reabrir": Reopen, "riapri": Reopen,
    "update": Update, "actualizar": Update, "actualizacion": Update, "aggiorna": Update, "aggiornamento": Update,
    "invite": Invite, "invitar": Invite, "invita": Invite,
    "help": Help, "ayuda": Help, "aiuto": Help,
}

# Subcommands that mean nothing without an argument: typed bare, they get their usage line.
NEEDS_ARGUMENT: set[type] = {Role, Milestone, Note, Severity, Update, Invite}


def word_of(command: type) -> str:
    """A subcommand's English word: the first one listed for it."""
    return next(word for word, kind in _WORDS.items() if kind is command)


def parse(text: str, plan: Plan) -> Command:
    words = (text or "").split()
    if not words:
        return Open(title="")
    verb = _WORDS.get(fold(words[0]))
    if verb not in (Role, Invite):  # free text reads as typed, not as Slack's escaped mentions and links
        text = readable(text)
        words = text.split()
    rest_words = words[1:]
    rest = (text or "").strip()[len(words[0]):].strip()  # the rest, its own spacing and lines kept
    if verb in NEEDS_ARGUMENT and not rest:
        return Usage(word_of(verb))
    if verb is Open:
        severity = None
        if rest_words and plan.severity(rest_words[0]) is not None:
            severity = plan.severity(rest_words[0]).key
            rest_words = rest_words[1:]
        return Open(title=" ".join(rest_words), severity=severity)
    if verb is Role:
        return Role(role=rest_words[0] if rest_words else "", user=" ".join(rest_words[1:]))  # "@Bob Smith" too
    if verb is Milestone:
        phase, _, note = rest.partition(" ")
        return Milestone(phase=phase, note=note.strip())
    if verb in (Close, Sitrep, Note, Severity, Update, Invite):
        return verb(rest)
    if verb is Help or verb is None:
        return Help(unknown=None if verb else words[0][:40])
    return verb()
