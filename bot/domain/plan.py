"""The crisis plan: phases, severities, roles, situation-report fields, do's and don'ts.

Pure data. `Plan.from_dict` validates a mapping (as read from YAML) and raises
`PlanError` with every problem it found, so a team sees all mistakes in their
plan file at once. A new setting is a field of `Plan` (or of one of its sections),
read in `bot/domain/plan_reader.py`.

Languages: a plan is written in its `language` (default "en") and may carry `translations` of its texts
(names, labels, descriptions, summaries, actions, briefs, choice labels, do's and don'ts, the private
managers' line). `plan.translated("es")` is the same plan with the Spanish texts where given and the plan's
own where not; `plan.untranslated("es")` lists the paths of those that fell back. Keys, aliases, numbers and
stored values never change: a situation-report choice is stored as the plan's own value ("yes"), shown as
`SitrepField.choice_label(value)` and read back with `SitrepField.choice_value(word)` (or, in any of the
plan's languages, `Plan.choice_label` / `Plan.choice_value`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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


# The metadata of a field a plan file does not set (the reader neither accepts nor lists it).
NOT_IN_FILE = {"in_file": False}


@dataclass(frozen=True)
class SitrepField:
    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # the stored values, in the plan's own language, whatever language is shown
    # The choices as shown, one for each choice in the same order (set by `Plan.translated`); (): the choices
    choice_labels: tuple[str, ...] = field(default=(), metadata=NOT_IN_FILE)

    @property
    def labels(self) -> tuple[str, ...]:
        """The choices as this field shows them (its plan's language)."""
        return self.choice_labels or self.choices

    def choice_label(self, value: str) -> str:
        """A stored choice (`yes`) as this field shows it (`sí`); any other value as it is."""
        return next((label for choice, label in zip(self.choices, self.labels) if choice == value), value)

    def choice_value(self, word: str) -> str | None:
        """The stored choice for a choice or its shown label (case and accents ignored); None: neither."""
        wanted = fold(word)
        return next((choice for choice, label in zip(self.choices, self.labels)
                     if wanted in (fold(choice), fold(label))), None)


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


# ----- statements (issue 13): kinds, approvers, the golden-hour clock, the cadence, SCCT guidance ----------

STATEMENT_KINDS = ("holding", "update", "apology", "correction", "closing")
CRISIS_TYPES = ("victim", "accidental", "preventable")
# What a template may name besides the plan's situation-report fields ({origin}, {criticism}, {networks}…).
STATEMENT_PLACEHOLDERS = ("title", "severity", "next_update")


@dataclass(frozen=True)
class StatementKind:
    key: str  # one of STATEMENT_KINDS
    name: str
    approvers: tuple[str, ...]  # role keys: each must approve (or its backup, after `approval_wait`)
    template: tuple[str, ...] = ()  # its parts (paragraphs), with {placeholders}


@dataclass(frozen=True)
class CadenceRule:
    """An update every `every`; with `first` and `then`: every `every` for `first` after the opening, then
    every `then`."""

    every: timedelta
    first: timedelta | None = None
    then: timedelta | None = None

    def interval(self, opened_at, at) -> timedelta:
        if self.first is not None and self.then is not None and at >= opened_at + self.first:
            return self.then
        return self.every


@dataclass(frozen=True)
class Escalations:
    """When the golden-hour reminders escalate, as fractions of `first_response_minutes`."""

    no_draft: float = 0.5
    no_approval: float = 0.75
    not_published: float = 1.0


@dataclass(frozen=True)
class Strategy:
    key: str
    name: str
    line: str  # what it means, in one line


@dataclass(frozen=True)
class CrisisType:
    key: str  # one of CRISIS_TYPES (Coombs' clusters)
    name: str
    line: str
    strategies: tuple[str, ...]  # strategy keys that fit it, best first
    contradicts: tuple[str, ...] = ()  # strategy keys a statement is flagged for ("denial in a preventable crisis")


@dataclass(frozen=True)
class Scct:
    types: tuple[CrisisType, ...]
    strategies: tuple[Strategy, ...]
    donts: tuple[str, ...] = ()

    def type(self, key: str) -> CrisisType | None:
        return next((t for t in self.types if t.key == key), None)

    def strategy(self, key: str) -> Strategy | None:
        return next((s for s in self.strategies if s.key == key), None)

    def fitting(self, crisis_type: str) -> tuple[Strategy, ...]:
        found = self.type(crisis_type)
        return tuple(s for key in (found.strategies if found else ()) if (s := self.strategy(key)))


DEFAULT_KINDS = (
    StatementKind("holding", "Holding statement", ("lead",), (
        "What we know: {criticism} about {title}, which started on {origin} and is spreading on {networks}.",
        "These are early facts and they may change as we learn more.",
        "What we are doing: we are looking into it now, and we will put right anything we got wrong.",
        "We will post the next update by {next_update}.",
        "We understand why people are upset, and we are sorry for the worry this causes.",
    )),
    StatementKind("update", "Update", ("lead",), (
        "An update on {title}.",
        "What we have learnt since our last message: …",
        "What we are doing: …",
        "We will post the next update by {next_update}.",
    )),
    StatementKind("apology", "Apology", ("legal", "lead"), (
        "We got this wrong, and we are sorry: {criticism}.",
        "What happened: …",
        "What we are doing to put it right for those affected: …",
        "What we are changing so it does not happen again: …",
    )),
    StatementKind("correction", "Correction", ("legal", "lead"), (
        "A correction about {title}: some of what is being shared on {networks} is not accurate.",
        "The facts: …",
        "If you are affected, here is what to do: …",
    )),
    StatementKind("closing", "Closing statement", ("lead",), (
        "Our last update on {title}.",
        "What happened and what we did: …",
        "What we have changed: …",
        "Thank you to everyone who raised this with us.",
    )),
)

DEFAULT_STRATEGIES = (
    Strategy("instructing_information", "Instructing information",
             "Tell people what happened and what to do to protect themselves."),
    Strategy("correct_rumour", "Correct the rumour", "State the facts that correct the false claim, with evidence."),
    Strategy("denial", "Denial", "Say it did not happen: only when it is false, and show why."),
    Strategy("explain", "Explain", "Explain what went wrong and why, without excuses."),
    Strategy("concern", "Express concern", "Say that we care about the people affected."),
    Strategy("corrective_action", "Corrective action", "Say what we are doing so that it does not happen again."),
    Strategy("apology", "Full apology", "Take full responsibility and apologise, without conditions."),
    Strategy("compensation", "Compensation", "Offer those affected something real: a refund, a repair, help."),
    Strategy("attack", "Attack the critic", "Confront the person or group who criticises us."),
    Strategy("scapegoat", "Scapegoat", "Blame someone outside the company."),
)

DEFAULT_TYPES = (
    CrisisType("victim", "Victim", "A rumour, tampering or a malicious post: we are a victim too.",
               ("instructing_information", "correct_rumour", "denial"), ("attack", "scapegoat")),
    CrisisType("accidental", "Accidental", "A technical error or a misunderstood campaign: we did not mean it.",
               ("explain", "concern", "corrective_action"), ("denial", "attack", "scapegoat")),
    CrisisType("preventable", "Preventable", "Our misconduct or negligence: we could have avoided it.",
               ("apology", "compensation", "corrective_action"), ("denial", "attack", "scapegoat")),
)

DEFAULT_SCCT_DONTS = (
    "No arrogance.",
    "Never attack the critic.",
    "Never exploit a competitor.",
)

# A backup answers for a role once `approval_wait` has passed since the review was asked (at once when nobody
# holds the role). The lead's backup is the spokesperson (the other person who speaks for the crisis); legal's is
# the lead, who then answers for the legal review too.
DEFAULT_BACKUPS = {"lead": "spokesperson", "legal": "lead"}

# The common practice: critical every 15 min in the first hour, then every 30; high 30; medium 60; low none.
DEFAULT_CADENCE = {
    "critical": CadenceRule(timedelta(minutes=15), first=timedelta(hours=1), then=timedelta(minutes=30)),
    "high": CadenceRule(timedelta(minutes=30)),
    "medium": CadenceRule(timedelta(minutes=60)),
    "low": None,
}


@dataclass(frozen=True)
class Statements:
    """The plan's `statements:` section: what each kind of statement needs, and the clocks on it."""

    kinds: tuple[StatementKind, ...] = DEFAULT_KINDS
    backups: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_BACKUPS))  # role -> backup role
    approval_wait: timedelta = timedelta(minutes=15)
    escalations: Escalations = field(default_factory=Escalations)
    cadence: Mapping[str, CadenceRule | None] = field(default_factory=lambda: dict(DEFAULT_CADENCE))  # severity key
    scct: Scct = field(default_factory=lambda: Scct(DEFAULT_TYPES, DEFAULT_STRATEGIES, DEFAULT_SCCT_DONTS))
    # True when the plan file gives the section: only then are its texts the plan's to translate (a plan without
    # one shows the built-in English texts in every language, and `untranslated` does not list them).
    given: bool = field(default=False, metadata=NOT_IN_FILE)

    def kind(self, key: str) -> StatementKind | None:
        return next((k for k in self.kinds if k.key == fold(key)), None)

    def cadence_for(self, severity: str) -> CadenceRule | None:
        return self.cadence.get(severity)


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
    language: str = "en"  # the language of the plan's own texts: two lowercase letters
    # language -> its texts, as the plan file gives them (checked by the reader): {"es": {"name": …,
    # "phases": {"reduction": {"name": …, "actions": (…)}}, "dos": (…)}}; a list's missing item is None.
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    statements: Statements = field(default_factory=Statements)  # issue 13: official statements

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

    # A word is looked up by key, name (label) and aliases; on a translated plan, then by the names of the
    # plan as read (a lead_role or default_severity given by name still resolves), and the item returned is
    # the translated one. The plan as read knows only its own names: a translated label is no keyword of it
    # ("abrir Alta costura" is a title, not a severity, for an English plan).

    def severity(self, word: str) -> Severity | None:
        return self._find("severities", word, lambda s: (s.key, s.label))

    def phase(self, word: str) -> Phase | None:
        return self._find("phases", word, lambda p: (p.key, p.name, *p.aliases))

    def role(self, word: str) -> Role | None:
        return self._find("roles", word, lambda r: (r.key, r.name, *r.aliases))

    def sitrep_field(self, word: str) -> SitrepField | None:
        return self._find("sitrep", word, lambda f: (f.key, f.label, *f.aliases))

    def _find(self, section: str, word: str, names):
        items = getattr(self, section)
        found = _lookup(items, word, names)
        original = self._original
        if found is not None or original is self:
            return found
        hit = _lookup(getattr(original, section), word, names)
        return None if hit is None else next(item for item in items if item.key == hit.key)

    # ----- languages --------------------------------------------------------------------------------------

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the plan has texts for: its own first, then its translations' in the file's order."""
        original = self._original
        return (original.language, *(code for code in original.translations if code != original.language))

    @property
    def text_language(self) -> str:
        """The language this plan's texts are shown in: `language`, or the one `translated` was asked for."""
        return self.__dict__.get("_text_language", self.language)

    def translated(self, language: str | None) -> Plan:
        """The plan with every text in `language` where the plan gives it, and in the plan's own where not.

        `language` is a code such as "es"; "ES", "es-ES" and "es_ES" are read as "es". The plan's own language,
        a language it has no translation for, or None: the plan as read, itself. Keys, aliases, numbers and
        stored choices are the same in every language. Cached per language: cheap to call for every message.
        On a translated plan, it translates the plan as read (`translated("en")` is the English plan again).
        """
        original = self._original
        code = _language_code(language)
        if code is None or code == original.language or code not in original.translations:
            return original
        return original._translation(code)[0]

    def untranslated(self, language: str | None) -> tuple[str, ...]:
        """The paths of the texts `translated(language)` shows in the plan's own language, in the plan's
        order: ("phases.rethink.summary", "phases.reduction.actions[1]", "dos", …); a list the translation
        leaves out is one path, a missing item of a list it gives is the item's. () for the plan's own
        language (or None) and for a complete translation; every text's path for a language the plan has no
        translation for (see `languages`). Texts the plan leaves empty need no translation."""
        original = self._original
        code = _language_code(language)
        if code is None or code == original.language:
            return ()
        if code not in original.translations:
            return _text_paths(original)
        return original._translation(code)[1]

    def choice_label(self, field_key: str, value: str, language: str | None = None) -> str:
        """A stored choice of the report field `field_key` as shown in `language` (None: this plan's own):
        `plan.choice_label("caused_by_us", "yes", "es")` -> "sí". Anything else is returned as it is."""
        spec = self.translated(language) if language is not None else self
        found = spec.sitrep_field(field_key)
        return found.choice_label(value) if found is not None else value

    def choice_value(self, field_key: str, word: str) -> str | None:
        """The stored choice of the report field `field_key` that `word` names, as a choice or as its label in
        any of the plan's languages: ("caused_by_us", "Sì") -> "yes"; None when it names none."""
        for plan in (self, *self._other_languages()):
            spec = plan.sitrep_field(field_key)
            value = spec.choice_value(word) if spec is not None else None
            if value is not None:
                return value
        return None

    @property
    def _original(self) -> Plan:
        """The plan as read (a translated plan remembers it)."""
        return self.__dict__.get("_original_plan", self)

    def _other_languages(self) -> list[Plan]:
        original = self._original
        plans = [original, *(original.translated(code) for code in original.languages[1:])]
        return [plan for plan in plans if plan is not self]

    def _translation(self, code: str) -> tuple[Plan, tuple[str, ...]]:
        # Not a field (fields are the plan file's settings; equality ignores it): a frozen plan may still cache.
        cache = self.__dict__.setdefault("_translations_cache", {})
        if code not in cache:
            plan, missing = _translate(self, self.translations[code])
            object.__setattr__(plan, "_original_plan", self)
            object.__setattr__(plan, "_text_language", code)
            cache[code] = (plan, missing)
        return cache[code]

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


def _language_code(language: str | None) -> str | None:
    """ "es", "ES", "es-ES", "es_ES" -> "es"; None or no text -> None."""
    if not isinstance(language, str) or not language.strip():
        return None
    return language.strip().replace("_", "-").split("-", 1)[0].lower()


class _Fallbacks:
    """Reads a translation's texts, the plan's own where it gives none, and records the paths that fell back."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def text(self, path: str, own: str | None, given: Any) -> str | None:
        if not own:  # nothing to translate
            return own
        if given is None:
            self.paths.append(path)
            return own
        return given

    def texts(self, path: str, own: tuple[str, ...], given: Any) -> tuple[str, ...]:
        if not own:
            return own
        if given is None:
            self.paths.append(path)
            return own
        return tuple(self.text(f"{path}[{i}]", mine, theirs) for i, (mine, theirs) in enumerate(zip(own, given)))


def _translate(plan: Plan, texts: Mapping[str, Any]) -> tuple[Plan, tuple[str, ...]]:
    """The plan with `texts` (one language's, as `Plan.translations` holds them), and the paths that fell back."""
    fall = _Fallbacks()
    name = fall.text("name", plan.name, texts.get("name"))

    def items(section: str, own: tuple, texts_of: tuple[str, ...], lists: Mapping[str, str] | None = None) -> tuple:
        """Each item of a section with its texts (`texts_of`) and lists (given name -> the field it fills)."""
        given = texts.get(section) or {}
        out = []
        for item in own:
            theirs, at = given.get(item.key) or {}, f"{section}.{item.key}"
            changes = {name: fall.text(f"{at}.{name}", getattr(item, name), theirs.get(name)) for name in texts_of}
            changes |= {field: fall.texts(f"{at}.{name}", getattr(item, name), theirs.get(name))
                        for name, field in (lists or {}).items()}
            out.append(replace(item, **changes))
        return tuple(out)

    severities = items("severities", plan.severities, ("label", "description"))
    phases = items("phases", plan.phases, ("name", "summary"), {"actions": "actions"})
    roles = items("roles", plan.roles, ("name", "brief"))
    sitrep = items("sitrep", plan.sitrep, ("label",), {"choices": "choice_labels"})
    statements = _translate_statements(plan.statements, texts.get("statements") or {}, fall)
    translated = replace(
        plan,
        name=name,
        severities=severities, phases=phases, roles=roles, sitrep=sitrep, statements=statements,
        dos=fall.texts("dos", plan.dos, texts.get("dos")),
        donts=fall.texts("donts", plan.donts, texts.get("donts")),
        private_managers_line=fall.text("private_managers_line", plan.private_managers_line,
                                        texts.get("private_managers_line")),
    )
    return translated, tuple(fall.paths)


def _translate_statements(own: Statements, texts: Mapping[str, Any], fall: _Fallbacks) -> Statements:
    """The statements section with `texts` (`translations.<code>.statements`); paths `statements.kinds.…`."""
    if not own.given:
        return own

    def entry(*keys: str) -> Mapping[str, Any]:
        found: Any = texts
        for key in keys:
            found = (found or {}).get(key) if isinstance(found, Mapping) else None
        return found or {}

    at = "statements"
    kinds = tuple(
        replace(k, name=fall.text(f"{at}.kinds.{k.key}.name", k.name, t.get("name")),
                template=fall.texts(f"{at}.kinds.{k.key}.template", k.template, t.get("template")))
        for k in own.kinds for t in [entry("kinds", k.key)])
    scct = own.scct
    types = tuple(
        replace(c, name=fall.text(f"{at}.scct.types.{c.key}.name", c.name, t.get("name")),
                line=fall.text(f"{at}.scct.types.{c.key}.line", c.line, t.get("line")))
        for c in scct.types for t in [entry("scct", "types", c.key)])
    strategies = tuple(
        replace(s, name=fall.text(f"{at}.scct.strategies.{s.key}.name", s.name, t.get("name")),
                line=fall.text(f"{at}.scct.strategies.{s.key}.line", s.line, t.get("line")))
        for s in scct.strategies for t in [entry("scct", "strategies", s.key)])
    donts = fall.texts(f"{at}.scct.donts", scct.donts, entry("scct").get("donts"))
    return replace(own, kinds=kinds, scct=Scct(types, strategies, donts))


def _text_paths(plan: Plan) -> tuple[str, ...]:
    """Every translatable text's path, as `untranslated` names them for a language with no texts at all."""
    return _translate(plan, {})[1]


def _lookup(items, word, names):
    wanted = fold(word)
    for item in items:
        if wanted in {fold(n) for n in names(item)}:
            return item
    return None
