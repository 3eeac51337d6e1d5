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
    pass


@dataclass(frozen=True)
class Help:
    unknown: str | None = None  # the subcommand we did not understand


Command = Open | Status | Close | Help

# Subcommand words, with the Spanish and Italian a team is likely to type.
_WORDS: dict[str, type] = {
    "open": Open, "abrir": Open, "apri": Open, "new": Open,
    "status": Status, "estado": Status, "stato": Status,
    "close": Close, "cerrar": Close, "chiudi": Close,
    "help": Help, "ayuda": Help, "aiuto": Help,
}


def parse(text: str, plan: Plan) -> Command:
    words = (text or "").split()
    if not words:
        return Open(title="")
    verb = _WORDS.get(fold(words[0]))
    rest = words[1:]
    if verb is Open:
        severity = None
        if rest and plan.severity(rest[0]) is not None:
            severity = plan.severity(rest[0]).key
            rest = rest[1:]
        return Open(title=" ".join(rest), severity=severity)
    if verb in (Status, Close):
        return verb()
    if verb is Help:
        return Help()
    return Help(unknown=words[0][:40])
