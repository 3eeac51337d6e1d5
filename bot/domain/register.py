"""The instigator and the advocates (issue 13): who started the crisis, what they are unhappy about, the real
solution offered and how it went; and the people asked to speak up for us, and whether they did.

Plain domain: no Slack, SQL or HTTP. People type these in slash commands, so the parsers here are lenient
about how a number of followers is written (English, Spanish and Italian styles) and how a network is named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from bot.domain.errors import CrisisError, TooLong
from bot.domain.words import clean, fold

HANDLE_LIMIT = 100
TEXT_LIMIT = 2000  # a grievance, a solution, a note
# TooLong's {what} here: 'handle', 'grievance', 'solution', 'note' (the catalogs' what.* words)


# --- errors -------------------------------------------------------------------------------------------------


class EmptyHandle(CrisisError):
    """`/crisis instigator` or `/crisis advocate` without a who. params: what ('instigator' | 'advocate')."""

    key = "error.register.empty_handle"


class UnparseableReach(CrisisError):
    """The reach is not a number of people. params: reach (as typed)."""

    key = "error.register.unparseable_reach"


class UnknownOutcome(CrisisError):
    """params: outcome (as typed), outcomes (the accepted values, comma-separated)."""

    key = "error.register.unknown_outcome"


class UnknownAdvocate(CrisisError):
    """A response recorded for someone never asked. params: handle, network."""

    key = "error.register.unknown_advocate"


# --- networks -----------------------------------------------------------------------------------------------

_NETWORK_ALIASES: dict[str, str] = {}
for _name, _aliases in {
    "tiktok": ("tiktok", "tik tok", "tik-tok", "tt", "tiktok.com"),
    "instagram": ("instagram", "insta", "ig", "instagram.com"),
    "x": ("x", "twitter", "x/twitter", "twitter/x", "x.com", "twitter.com", "tw"),
    "facebook": ("facebook", "fb", "face", "facebook.com"),
    "youtube": ("youtube", "yt", "you tube", "youtube.com"),
    "linkedin": ("linkedin", "linked in", "linkedin.com"),
    "threads": ("threads", "threads.net"),
    "reddit": ("reddit", "reddit.com"),
}.items():
    for _alias in _aliases:
        _NETWORK_ALIASES[_alias] = _name

NETWORKS = tuple(dict.fromkeys(_NETWORK_ALIASES.values()))


def known_network(text: str) -> str | None:
    """The canonical name of a known network ('Twitter' -> 'x', 'TikTok' -> 'tiktok'), or None."""
    return _NETWORK_ALIASES.get(fold(text).strip(" .,;:"))


def normalise_network(text: str | None) -> str | None:
    """A known network by its canonical name; an unknown one kept as typed (trimmed); nothing as None."""
    if text is None or not text.strip():
        return None
    return known_network(text) or clean(text).strip()


def normalise_handle(text: str, what: str = "instigator") -> str:
    """The handle without its leading '@'s and surrounding space. Raises EmptyHandle, TooLong."""
    handle = clean(text).strip().lstrip("@").strip()
    if not handle:
        raise EmptyHandle(what=what)
    if len(handle) > HANDLE_LIMIT:
        raise TooLong(what="handle", limit=HANDLE_LIMIT, length=len(handle))
    return handle


def _key(handle: str, network: str | None) -> tuple[str, str]:
    """Identity of a person on a network: handles compare without case or accents."""
    return fold(handle).lstrip("@"), fold(network or "")


def _text(value: str | None, what: str) -> str | None:
    """A typed text kept (trimmed, no control characters), or None when empty. what: the catalog's word for
    a TooLong refusal ('grievance', 'solution', 'note')."""
    if value is None:
        return None
    kept = clean(value).strip()
    if len(kept) > TEXT_LIMIT:
        raise TooLong(what=what, limit=TEXT_LIMIT, length=len(kept))
    return kept or None


# --- reach --------------------------------------------------------------------------------------------------

_THOUSAND, _MILLION, _BILLION = 10**3, 10**6, 10**9

# folded, dots removed. 'mil' is Spanish for thousand (and '1.2 mil' English slang for a million: see
# parse_reach's language).
_SCALES: dict[str, int] = {
    **dict.fromkeys(("k", "mil", "miles", "mila", "thousand", "thousands", "thou"), _THOUSAND),
    **dict.fromkeys(("m", "mm", "mn", "mln", "mio", "mill", "million", "millions", "millon", "millones",
                     "milione", "milioni"), _MILLION),
    **dict.fromkeys(("b", "bn", "billion", "billions", "mil millones", "millardo", "millardos", "mld", "mrd",
                     "miliardo", "miliardi"), _BILLION),
}
# words that may follow a reach and mean nothing more: '1.2M followers', '3 500 seguidores'
_PEOPLE = {"followers", "follower", "fans", "subscribers", "subs", "seguidores", "suscriptores", "seguaci",
           "iscritti", "abbonati", "people", "personas", "persone"}

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_READING = re.compile(r"(?P<num>\d+(?:[ .,'’]\d+)*)\s*(?P<scale>[a-z][a-z. ]*)?")


def parse_reach(text: str, language: str | None = None) -> int | None:
    """How many people a handle reaches, from how a person writes it; None when it is not such a number.

    '1.2M', '1,2 M', '120k', '120 mil' (es), '120 mila' (it), '3 500', '3.500', '3,500', "3'500",
    '1.234.567', '1,234,567', '1.234,5 mil', '2 mil millones', '1.2M followers', '~40k', '40k+'. A single
    '.' or ',' followed by three digits and no scale is a thousands separator ('3.500' and '3,500' are both
    3500); with a scale it is a decimal mark ('1,2M', '1.5k'). A reach without a scale must be whole.
    'mil' is a thousand, except in English (language 'en'), where '1.2 mil' means 1.2 million.
    """
    if text is None:
        return None
    s = _SPACES.sub(" ", fold(text)).strip().lstrip("~≈").rstrip("+").strip()
    words = s.split(" ")
    if len(words) > 1 and words[-1] in _PEOPLE:
        s = " ".join(words[:-1]).rstrip("+").strip()
    match = _READING.fullmatch(s)
    if not match:
        return None
    scale = 1
    if match["scale"]:
        name = " ".join(match["scale"].replace(".", " ").split())
        if name == "mil" and (language or "").lower().startswith("en"):
            name = "million"
        if name not in _SCALES:
            return None
        scale = _SCALES[name]
    number = _number(match["num"].strip(), scaled=scale != 1)
    if number is None:
        return None
    value = number * scale
    if value != value.to_integral_value() and scale == 1:
        return None
    return int(value.to_integral_value())


def _number(num: str, scaled: bool) -> Decimal | None:
    groups = re.split(r"[ .,'’]", num)
    seps = re.findall(r"[ .,'’]", num)
    if not seps:
        return Decimal(num)
    last = seps[-1]
    decimal_at: int | None = None  # index into seps
    if last in ".,":
        if "." in seps and "," in seps:
            decimal_at = len(seps) - 1  # '1.234,5' / '1,234.5': the last mark is the decimal one
            if seps.count(last) > 1:
                return None
        elif seps.count(last) > 1:
            decimal_at = None  # '1.234.567': every mark groups thousands
        elif scaled or len(seps) > 1 or len(groups[-1]) != 3:
            decimal_at = len(seps) - 1  # '1,2M', '3 500,5', '1.5'
        # else: '3.500' / '3,500' — thousands
    integer = groups if decimal_at is None else groups[: decimal_at + 1]
    fraction = "" if decimal_at is None else groups[-1]
    thousands = seps if decimal_at is None else seps[:decimal_at]
    if thousands:
        if len(set(thousands)) > 1 and not set(thousands) <= {" ", "'", "’"}:
            return None
        if not 1 <= len(integer[0]) <= 3 or any(len(g) != 3 for g in integer[1:]):
            return None
    try:
        return Decimal("".join(integer) + ("." + fraction if fraction else ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits digits only
        return None


# --- outcome ------------------------------------------------------------------------------------------------


class Outcome(StrEnum):
    WON_OVER = "won_over"
    UNRESOLVED = "unresolved"
    ESCALATED = "escalated"


_OUTCOME_WORDS: dict[str, Outcome] = {}
for _outcome, _words in {
    Outcome.WON_OVER: ("won_over", "won over", "won-over", "won", "resolved", "convinced",
                       "ganado", "ganada", "convencido", "convencida", "resuelto", "resuelta", "recuperado",
                       "recuperada", "conquistato", "conquistata", "convinto", "convinta", "risolto",
                       "risolta", "recuperato", "recuperata"),
    Outcome.UNRESOLVED: ("unresolved", "open", "pending", "sin resolver", "no resuelto", "no resuelta",
                         "pendiente", "irrisolto", "irrisolta", "non risolto", "non risolta", "in sospeso",
                         "aperto", "aperta"),
    Outcome.ESCALATED: ("escalated", "escalado", "escalada", "agravado", "agravada", "empeorado",
                        "escalation", "escalato", "escalata", "aggravato", "aggravata", "peggiorato",
                        "degenerato"),
}.items():
    for _word in _words:
        _OUTCOME_WORDS[_word] = _outcome


def parse_outcome(text: str | Outcome) -> Outcome:
    """'won over', 'Won_Over', 'ganado', 'risolto', 'escalado'… -> an Outcome. Raises UnknownOutcome."""
    if isinstance(text, Outcome):
        return text
    word = " ".join(fold(text or "").replace("_", " ").split()).strip(" .!")
    found = _OUTCOME_WORDS.get(word) or _OUTCOME_WORDS.get(word.replace(" ", "_"))
    if found is None:
        raise UnknownOutcome(outcome=(text or "").strip(), outcomes=", ".join(o.value for o in Outcome))
    return found


# --- the instigator -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One dated entry of an instigator's story. what: 'registered' | 'handle' | 'network' | 'reach' |
    'grievance' | 'solution' | 'outcome'; before and after are the values (None when there was none)."""

    at: datetime
    by: str
    what: str
    before: object = None
    after: object = None


@dataclass
class Instigator:
    handle: str
    network: str | None = None
    reach: int | None = None
    grievance: str | None = None
    solution: str | None = None  # the real solution offered
    outcome: Outcome | None = None  # None: not recorded yet
    outcome_by: str | None = None
    outcome_at: datetime | None = None
    registered_by: str | None = None
    registered_at: datetime | None = None
    history: list[Change] = field(default_factory=list)

    @classmethod
    def register(cls, handle: str, by: str, at: datetime, network: str | None = None, reach: int | None = None,
                 grievance: str | None = None, solution: str | None = None) -> Instigator:
        who = cls(handle=normalise_handle(handle), network=normalise_network(network), reach=reach,
                  grievance=_text(grievance, "grievance"), solution=_text(solution, "solution"),
                  registered_by=by, registered_at=at)
        who.history.append(Change(at, by, "registered", None, who.handle))
        return who

    @property
    def key(self) -> tuple[str, str]:
        return _key(self.handle, self.network)

    def _set(self, what: str, value: object, by: str, at: datetime) -> bool:
        before = getattr(self, what)
        if value == before:
            return False
        setattr(self, what, value)
        self.history.append(Change(at, by, what, before, value))
        return True

    def update(self, by: str, at: datetime, *, network: str | None = None, reach: int | None = None,
               grievance: str | None = None, solution: str | None = None) -> list[Change]:
        """Changes what is given (None leaves a field as it is); each real change is a dated entry.
        Returns the entries added (none when nothing changed, so a retried command adds nothing)."""
        start = len(self.history)
        if network is not None:
            self._set("network", normalise_network(network), by, at)
        if reach is not None:
            self._set("reach", reach, by, at)
        if grievance is not None:
            self._set("grievance", _text(grievance, "grievance"), by, at)
        if solution is not None:
            self._set("solution", _text(solution, "solution"), by, at)
        return self.history[start:]

    def offer_solution(self, solution: str, by: str, at: datetime) -> bool:
        return self._set("solution", _text(solution, "solution"), by, at)

    def record_outcome(self, outcome: str | Outcome, by: str, at: datetime) -> bool:
        """Records won over / unresolved / escalated (typed in en, es or it). Raises UnknownOutcome.
        The same outcome again changes nothing (False): its first recorder and time stay."""
        parsed = parse_outcome(outcome)
        if not self._set("outcome", parsed, by, at):
            return False
        self.outcome_by, self.outcome_at = by, at
        return True


# --- the advocates ------------------------------------------------------------------------------------------


@dataclass
class Advocate:
    handle: str
    network: str | None = None
    asked_at: datetime | None = None
    asked_by: str | None = None
    responded_at: datetime | None = None
    note: str | None = None

    @property
    def responded(self) -> bool:
        return self.responded_at is not None

    @property
    def key(self) -> tuple[str, str]:
        return _key(self.handle, self.network)


class Advocates:
    """The people asked to speak for us: one entry per handle and network (asking again updates it)."""

    def __init__(self, advocates: list[Advocate] | None = None):
        self._by_key: dict[tuple[str, str], Advocate] = {}
        for advocate in advocates or ():
            self._by_key[advocate.key] = advocate

    def ask(self, handle: str, by: str, at: datetime, network: str | None = None,
            note: str | None = None) -> tuple[Advocate, bool]:
        """Records that someone was asked. Returns (the advocate, True when new). Asking the same handle on
        the same network again is an update: the first asked_at stays, a note given replaces the old one."""
        handle = normalise_handle(handle, what="advocate")
        network = normalise_network(network)
        key = _key(handle, network)
        existing = self._by_key.get(key)
        if existing is not None:
            if note is not None:
                existing.note = _text(note, "note")
            return existing, False
        advocate = Advocate(handle=handle, network=network, asked_at=at, asked_by=by,
                            note=_text(note, "note"))
        self._by_key[key] = advocate
        return advocate, True

    def mark_responded(self, handle: str, at: datetime, network: str | None = None) -> Advocate:
        """They spoke up. The first response time stays. Raises UnknownAdvocate for someone never asked."""
        handle = normalise_handle(handle, what="advocate")
        network = normalise_network(network)
        advocate = self.get(handle, network)
        if advocate is None:
            raise UnknownAdvocate(handle=handle, network=network or "")
        if advocate.responded_at is None:
            advocate.responded_at = at
        return advocate

    def get(self, handle: str, network: str | None = None) -> Advocate | None:
        return self._by_key.get(_key(handle.strip().lstrip("@"), normalise_network(network)))

    def mobilised(self) -> int:
        """How many were asked."""
        return len(self._by_key)

    def responded(self) -> int:
        return sum(1 for a in self._by_key.values() if a.responded)

    def __iter__(self):
        return iter(sorted(self._by_key.values(), key=lambda a: (a.asked_at is None, a.asked_at, a.key)))

    def __len__(self) -> int:
        return len(self._by_key)


# --- the register -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterSummary:
    """What the closing story says. outcome: the instigators' overall outcome (escalated if any escalated,
    else unresolved if any is unresolved or unrecorded, else won over; None when nobody was registered).
    instigators: (handle, network, outcome or None) each, in registration order."""

    outcome: Outcome | None
    instigators: tuple[tuple[str, str | None, Outcome | None], ...]
    mobilised: int
    responded: int


class Register:
    """A crisis's instigators and advocates."""

    def __init__(self, instigators: list[Instigator] | None = None, advocates: Advocates | None = None):
        self.instigators: list[Instigator] = list(instigators or ())
        self.advocates = advocates if advocates is not None else Advocates()

    def instigator(self, handle: str, network: str | None = None) -> Instigator | None:
        key = _key(handle.strip().lstrip("@"), normalise_network(network))
        return next((i for i in self.instigators if i.key == key), None)

    def add_instigator(self, handle: str, by: str, at: datetime, network: str | None = None,
                       reach: int | None = None, grievance: str | None = None,
                       solution: str | None = None) -> tuple[Instigator, bool]:
        """Registers someone, or updates them when the handle and network are known. (instigator, True if new)"""
        existing = self.instigator(normalise_handle(handle), network)
        if existing is not None:
            existing.update(by, at, reach=reach, grievance=grievance, solution=solution)
            return existing, False
        who = Instigator.register(handle, by, at, network=network, reach=reach, grievance=grievance,
                                  solution=solution)
        self.instigators.append(who)
        return who, True

    def summary(self) -> RegisterSummary:
        outcomes = [i.outcome for i in self.instigators]
        if not outcomes:
            overall = None
        elif Outcome.ESCALATED in outcomes:
            overall = Outcome.ESCALATED
        elif all(o is Outcome.WON_OVER for o in outcomes):
            overall = Outcome.WON_OVER
        else:
            overall = Outcome.UNRESOLVED
        return RegisterSummary(
            outcome=overall,
            instigators=tuple((i.handle, i.network, i.outcome) for i in self.instigators),
            mobilised=self.advocates.mobilised(),
            responded=self.advocates.responded(),
        )


# --- slash-command text -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstigatorInput:
    handle: str
    network: str | None
    reach: int | None
    grievance: str | None


@dataclass(frozen=True)
class AdvocateInput:
    handle: str
    network: str | None


_COLON = re.compile(r":(?!//)")


def _head(tokens: list[str], language: str | None, what: str) -> tuple[str, str | None, int | None]:
    if not tokens:
        raise EmptyHandle(what=what)
    handle = normalise_handle(tokens[0], what=what)
    rest = tokens[1:]
    network: str | None = None
    known = next((n for n, t in enumerate(rest) if known_network(t)), None)
    if known is not None:
        network = known_network(rest[known])
        rest = rest[:known] + rest[known + 1:]
    elif rest and not rest[0][:1].isdigit() and rest[0][:1] not in "~≈":
        network, rest = normalise_network(rest[0]), rest[1:]
    reach: int | None = None
    if rest:
        typed = " ".join(rest)
        reach = parse_reach(typed, language)
        if reach is None:
            raise UnparseableReach(reach=typed)
    return handle, network, reach


def parse_instigator(text: str, language: str | None = None) -> InstigatorInput:
    """'@glowwithmia tiktok 1.2M: says our serum burned her skin' -> handle, network, reach, grievance.
    Network and reach are optional and may come in either order; the grievance follows the first ':'.
    Raises EmptyHandle, UnparseableReach, TooLong."""
    parts = _COLON.split(clean(text or ""), maxsplit=1)
    head, grievance = parts[0], (parts[1] if len(parts) > 1 else None)
    handle, network, reach = _head(head.split(), language, "instigator")
    return InstigatorInput(handle, network, reach, _text(grievance, "grievance") if grievance else None)


def parse_advocate(text: str) -> AdvocateInput:
    """'@ana instagram' -> handle and network (optional; an unknown one kept as typed). Raises EmptyHandle."""
    tokens = clean(text or "").split()
    if not tokens:
        raise EmptyHandle(what="advocate")
    handle = normalise_handle(tokens[0], what="advocate")
    network = normalise_network(" ".join(tokens[1:])) if len(tokens) > 1 else None
    return AdvocateInput(handle, network)
