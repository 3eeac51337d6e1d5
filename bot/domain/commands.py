"""`/crisis …` text to a command. Parsing only: no side effects.

Subcommand words come in English, Spanish and Italian (`WORDS_BY_LANGUAGE`), accents and case ignored:
`/crisis abrir …`, `/crisis apri …` and `/crisis open …` are the same command. `words_of("es")` gives each
command's word in a language (for help texts); `word_of(command)` its English word.

`/crisis open` takes a language option anywhere after the word: `--lang xx` (or `--language`, `--idioma`,
`--lingua`; `--lang=xx` too; the "—" and "–" Slack's autocorrect makes of "--" too). It is taken out of the
title and sets `Open.language` to the lowercase two-letter code; whether the plan has that language is the
service's question, not the parser's. An option with no value, or with a value that is not two letters
("spanish", "es-ES"), parses as `BadLanguage`, for the handler to explain. `/crisis --lang es` alone (or
followed by `open …`) is the same as `/crisis open --lang es`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.domain.plan import Plan
from bot.domain.mentions import readable
from bot.domain.words import fold


@dataclass(frozen=True)
class Open:
    title: str  # empty: ask with the modal
    severity: str | None = None
    language: str | None = None  # `--lang xx`: a lowercase two-letter code, not checked against the plan


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


@dataclass(frozen=True)
class BadLanguage:
    """`/crisis open … --lang <value>` with no value ("") or one that is no two-letter code."""

    value: str  # as typed (at most 40 characters); "": none given
    option: str = "--lang"  # the option as typed: "--idioma", "—lingua", …


Command = (Open | Status | Close | Role | Roles | Sitrep | Milestone | Note | Severity | ShowPlan | Help | Reopen
           | Update | Usage | Invite | BadLanguage)

# Subcommand words by language: each command's words, the first the one shown (help texts), accents as written.
# A word may be shared by languages ("plan", "nota") but never by two commands: checked below, at import.
WORDS_BY_LANGUAGE: dict[str, dict[type, tuple[str, ...]]] = {
    "en": {
        Open: ("open", "new"),
        Status: ("status",),
        Close: ("close",),
        Reopen: ("reopen",),
        Role: ("role", "assign"),
        Roles: ("roles", "team"),
        Sitrep: ("sitrep", "report"),
        Milestone: ("milestone", "phase"),
        Note: ("note",),
        Severity: ("severity", "level"),
        ShowPlan: ("plan",),
        Update: ("update",),
        Invite: ("invite",),
        Help: ("help",),
    },
    "es": {
        Open: ("abrir", "abre", "nueva", "nuevo"),
        Status: ("estado",),
        Close: ("cerrar", "cierra"),
        Reopen: ("reabrir", "reabre"),
        Role: ("rol", "asignar", "asigna"),
        Roles: ("roles", "equipo"),
        Sitrep: ("informe",),
        Milestone: ("fase", "hito"),
        Note: ("nota",),
        Severity: ("severidad", "gravedad", "nivel"),
        ShowPlan: ("plan",),
        Update: ("actualizar", "actualización", "actualiza"),
        Invite: ("invitar", "invita"),
        Help: ("ayuda",),
    },
    "it": {  # the imperative first, as the Italian catalog writes them
        Open: ("apri", "aprire", "nuova", "nuovo"),
        Status: ("stato",),
        Close: ("chiudi", "chiudere"),
        Reopen: ("riapri", "riaprire"),
        Role: ("ruolo", "assegna", "assegnare"),
        Roles: ("ruoli", "roli", "squadra"),  # "roli": accepted before the table was by language
        Sitrep: ("rapporto",),
        Milestone: ("fase",),
        Note: ("nota",),
        Severity: ("gravità", "livello"),
        ShowPlan: ("piano",),
        Update: ("aggiorna", "aggiornare", "aggiornamento"),
        Invite: ("invita", "invitare"),
        Help: ("aiuto",),
    },
}

# Subcommands that mean nothing without an argument: typed bare, they get their usage line.
NEEDS_ARGUMENT: set[type] = {Role, Milestone, Note, Severity, Update, Invite}


def _by_word() -> dict[str, tuple[type, str]]:
    table: dict[str, tuple[type, str]] = {}
    for language, kinds in WORDS_BY_LANGUAGE.items():
        for kind, words in kinds.items():
            for word in words:
                key = fold(word)
                known = table.setdefault(key, (kind, language))
                if known[0] is not kind:
                    raise ValueError(f"/crisis {word} ({language}) would be both {known[0].__name__} "
                                     f"({known[1]}) and {kind.__name__}")
    kinds = set(WORDS_BY_LANGUAGE["en"])
    for language, given in WORDS_BY_LANGUAGE.items():
        if set(given) != kinds:
            raise ValueError(f"{language}: words for {sorted(k.__name__ for k in given)}, not for every command")
    return table


# A folded word -> (its command, the first language listing it: en, es, it).
WORDS: dict[str, tuple[type, str]] = _by_word()
# A folded word -> its command (the English words first).
_WORDS: dict[str, type] = {word: kind for word, (kind, _) in WORDS.items()}


def word_of(command: type) -> str:
    """A subcommand's English word: the first one listed for it."""
    return WORDS_BY_LANGUAGE["en"][command][0]


def words_of(language: str | None) -> dict[type, str]:
    """Each command's word in `language` ("es", "ES", "es-ES"), as shown: {Open: "abrir", Severity:
    "severidad", …}. A language without a table of its own (or None): the English words."""
    code = (language or "").strip().replace("_", "-").split("-", 1)[0].lower()
    kinds = WORDS_BY_LANGUAGE.get(code, WORDS_BY_LANGUAGE["en"])
    return {kind: words[0] for kind, words in kinds.items()}


# The language option: "--lang", "--language", "--idioma", "--lingua", with "—"/"–" for "--"; "=value" too.
_LANGUAGE_OPTION = re.compile(r"(?:--|—|–)(lang|language|idioma|lingua)(?:=(.*))?", re.IGNORECASE | re.DOTALL)
_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2}")


def _take_language(words: list[str]) -> tuple[list[str], str | None, BadLanguage | None]:
    """`words` without the language options and their values; the last option's code; or what was wrong."""
    kept: list[str] = []
    language: str | None = None
    i = 0
    while i < len(words):
        option = _LANGUAGE_OPTION.fullmatch(words[i])
        if option is None:
            kept.append(words[i])
            i += 1
            continue
        name = words[i] if option.group(2) is None else words[i].partition("=")[0]
        if option.group(2) is not None:
            value, i = option.group(2), i + 1
        elif i + 1 < len(words):
            value, i = words[i + 1], i + 2
        else:
            value, i = "", i + 1
        if not _LANGUAGE_CODE.fullmatch(value):
            return kept, None, BadLanguage(value=value[:40], option=name[:40])
        language = value.lower()
    return kept, language, None


def _open(words: list[str], plan: Plan, verb_language: str | None = None) -> Open | BadLanguage:
    """A severity word is read in the plan as given, then in the crisis's language (`--lang`) and in the language
    of the verb typed (`apri alta …`): whoever types Italian words types Italian severities."""
    words, language, bad = _take_language(words)
    if bad is not None:
        return bad
    severity = None
    if words:
        for speaking in (plan, *(plan.translated(lang) for lang in (language, verb_language) if lang)):
            if (found := speaking.severity(words[0])) is not None:
                severity = found.key
                words = words[1:]
                break
    return Open(title=" ".join(words), severity=severity, language=language)


def parse(text: str, plan: Plan) -> Command:
    words = (text or "").split()
    if not words:
        return Open(title="")
    if _LANGUAGE_OPTION.fullmatch(words[0]):  # `/crisis --lang es`, alone or before `open …`
        rest, language, bad = _take_language(readable(text).split())
        if rest and _WORDS.get(fold(rest[0])) is not Open:
            return Help(unknown=words[0][:40])
        return bad or replace(_open(rest[1:], plan), language=language)
    verb = _WORDS.get(fold(words[0]))
    if verb not in (Role, Invite):  # free text reads as typed, not as Slack's escaped mentions and links
        text = readable(text)
        words = text.split()
    rest_words = words[1:]
    rest = (text or "").strip()[len(words[0]):].strip()  # the rest, its own spacing and lines kept
    if verb in NEEDS_ARGUMENT and not rest:
        return Usage(word_of(verb))
    if verb is Open:
        return _open(rest_words, plan, WORDS[fold(words[0])][1])
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
