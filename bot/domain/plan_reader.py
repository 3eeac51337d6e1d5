"""Reads a plan mapping (as loaded from YAML) into a `Plan`, collecting every problem before raising.

Each problem names its path in the YAML (`reminders.sitrep_missing_minutes`, `phases[2].aliases`) and says
what belongs there, so a team fixes its plan file in one go. A new plan setting is a field of `Plan` (the
top-level keys allowed are exactly its fields) read here with the same helpers: `_whole` for a number,
`_duration` for a time such as `7d`, `_text` for a text.

`translations` (language -> texts by key) are read last, against the plan's own sections: a key the plan
lacks, a list of another length than the plan's, a text that is not one, a field that is not a text or a
language code that is not two lowercase letters are problems like any other. A section that has problems of
its own is not compared (its problems come first; the translation is checked again once it is fixed).
"""

from __future__ import annotations

import difflib
import re
import string
from dataclasses import fields as dataclass_fields
from datetime import timedelta
from typing import Any, Mapping

from bot.domain.plan_sources import read_sources
from bot.domain.words import fold

# Phases the bot itself relies on, by key, and why.
REQUIRED_PHASES = {
    "response": "Response phase (key: response; the golden hour is measured on it)",
    "rethink": "Rethink phase (key: rethink; the lessons of a crisis are recorded at it)",
}

_LANGUAGE = re.compile(r"^[a-z]{2}$")

# What a translation may give, per section: the kind of entry (for messages) and its texts; lists marked [].
TRANSLATABLE = {
    "severities": ("severity", ("label", "description")),
    "phases": ("phase", ("name", "summary", "actions[]")),
    "roles": ("role", ("name", "brief")),
    "sitrep": ("field", ("label", "choices[]")),
}
TRANSLATABLE_TEXTS = ("name", *TRANSLATABLE, "dos", "donts", "private_managers_line")
_PLACEHOLDERS = ("severity", "moment")  # of private_managers_line

_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)\s*$", re.IGNORECASE)
_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(value: Any) -> timedelta | None:
    """`7d`, `12h`, `30m`, `2w`, `3 days` -> a timedelta; None for anything else."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    return timedelta(**{_DURATION_UNITS[match.group(2)[0].lower()]: int(match.group(1))})


def shown(value: Any) -> str:
    """A value as the plan file spells it: `"soon"`, `1.5`, `true`, `[30, 60]`."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit[:-1] if count == 1 and unit.endswith('s') else unit}"


class PlanReader:
    """Collects every problem in a plan mapping; `read` raises PlanError with all of them."""

    def __init__(self, data: Any, source: str | None = None, check_path=None):
        self.source = source
        self.check_path = check_path  # a mapped alert source's field expressions (bot/domain/plan_sources.py)
        self.data: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        self.problems: list[str] = []
        if data is None:
            self.problems.append("the plan is empty")
        elif not isinstance(data, Mapping):
            self.problems.append("the plan must be a mapping of settings (name:, phases:, roles:…)")

    # ----- the plan ------------------------------------------------------------------------------------

    def read(self):
        from bot.domain.plan import AlertPolicy, Limits, Phase, Plan, PlanError, Role, Severity, SitrepField

        d = self.data
        if self.problems:  # not a mapping at all: nothing else to say
            raise PlanError(self.problems, source=self.source)
        self._unknown("", d, Plan)
        phases = tuple(self._items("phases", Phase, ("key", "name", "summary")))
        severities = tuple(self._items("severities", Severity, ("key", "label")))
        roles = tuple(self._items("roles", Role, ("key", "name")))
        sitrep = tuple(self._items("sitrep", SitrepField, ("key", "label")))
        dos, donts = self._texts("dos"), self._texts("donts")
        limits = Limits(**self._numbers("limits", Limits, "characters"))
        reminders = self._reminders()
        alerts: AlertPolicy = self._alerts()
        if phases:
            keys = {p.key for p in phases}
            for key, what in REQUIRED_PHASES.items():
                if key not in keys:
                    self.problems.append(f"phases: the plan needs a {what}")
        default_severity = self._text("default_severity") or (severities[0].key if severities else "")
        lead_role = self._text("lead_role") or (roles[0].key if roles else "")
        if severities:
            self._one_of("default_severity", default_severity, severities, lambda s: (s.key, s.label))
            for name, tier in [("alerts.auto_open", alerts.auto_open),
                               *((f"alerts.tiers.{k}", v) for k, v in alerts.tiers.items())]:
                self._one_of(name, tier, severities, lambda s: (s.key, s.label))
        if roles:
            self._one_of("lead_role", lead_role, roles, lambda r: (r.key, r.name, *r.aliases), "roles")
        language = self._language()
        name = self._text("name") or "Crisis plan"
        private_line = self._text("private_managers_line", empty_is_none=False)
        statements = StatementsReader(self, roles, severities, sitrep).read(d.get("statements"))
        own = dict(severities=severities, phases=phases, roles=roles, sitrep=sitrep, dos=dos, donts=donts,
                   private_managers_line=private_line, statements=statements,
                   placeholders=statement_placeholders(sitrep))
        translations = TranslationReader(self.problems, language, own).read(self.data.get("translations"))
        values = dict(
            name=name,
            version=self._whole("version", d.get("version"), "", default=1),
            first_response_minutes=self._whole("first_response_minutes", d.get("first_response_minutes"),
                                               "minutes", default=60),
            lessons_shown=self._whole("lessons_shown", d.get("lessons_shown"), "lessons", default=5, least=0),
            private_managers_line=private_line,
            archive_after_close=self._duration("archive_after_close", d.get("archive_after_close")),
            language=language,
            translations=translations,
        )
        if self.problems:
            raise PlanError(self._in_file_order(), source=self.source)
        return Plan(phases=phases, severities=severities, default_severity=default_severity, roles=roles,
                    lead_role=lead_role, sitrep=sitrep, dos=dos, donts=donts, limits=limits,
                    reminders=reminders, alerts=alerts, statements=statements, **values)

    def _in_file_order(self) -> list[str]:
        """The problems in the order of the plan's top-level settings, as the file lists them."""
        order = {str(key): i for i, key in enumerate(self.data)}
        return sorted(self.problems, key=lambda p: order.get(re.split(r"[.\[:]", p, maxsplit=1)[0], -1))

    # ----- helpers for one value -----------------------------------------------------------------------

    def _whole(self, path: str, value: Any, unit: str, *, default: int, least: int = 1) -> int:
        """A whole number (in `unit`) at `path`, at least `least`; None or absent is the default."""
        if value is None:
            return default
        what = f"a number of {unit}" if unit else "a whole number"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problems.append(f"{path}: {shown(value)} is not {what}")
            return default
        if value != int(value):
            self.problems.append(f"{path}: {shown(value)} is not a whole number" + (f" of {unit}" if unit else ""))
            return default
        if value < least:
            self.problems.append(f"{path}: must be at least {_plural(least, unit) if unit else least} "
                                 f"(got {shown(value)})")
            return default
        return int(value)

    def _duration(self, path: str, value: Any, default: timedelta | None = None) -> timedelta | None:
        """A time such as `7d`, `12h` or `30m` at `path`; absent, empty, `never` or `no` is the default."""
        if value is None or value is False or (isinstance(value, str) and value.strip().lower() in ("", "never")):
            return default
        duration = parse_duration(value)
        if duration is None:
            self.problems.append(f"{path}: {shown(value)} is not a duration (write e.g. 7d, 12h or 30m)")
            return default
        if duration <= timedelta(0):
            self.problems.append(f"{path}: must be longer than 0 (got {shown(value)})")
            return default
        return duration

    def _text(self, path: str, *, empty_is_none: bool = True) -> str | None:
        value = self.data.get(path)
        if value is None or (empty_is_none and value == ""):
            return None
        if isinstance(value, (Mapping, list)):
            self.problems.append(f"{path}: must be a text, not {shown(value)} (quote it if it has a colon)")
            return None
        return _choice_text(value)

    def _language(self) -> str:
        value = self.data.get("language")
        if value is None or value == "":
            return "en"
        if not isinstance(value, str) or not _LANGUAGE.match(value):
            self.problems.append(f"language: {shown(value)} is not a language code (two lowercase letters, "
                                 "e.g. en, es, it)")
            return "en"
        return value

    def _one_of(self, path: str, word: str, items, names, section: str = "severities") -> None:
        wanted = fold(word)
        if not any(wanted in {fold(n) for n in names(item)} for item in items):
            choices = ", ".join(item.key for item in items)
            self.problems.append(f"{path}: {shown(word)} is not one of the {section} ({choices})")

    def _unknown(self, section: str, raw: Mapping, kind, allowed: tuple[str, ...] = ()) -> set[str]:
        known = _in_file(kind) + list(allowed)
        unknown = {str(k) for k in raw} - set(known)
        for name in sorted(unknown):
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else f" (known: {', '.join(known)})"
            self.problems.append(f"{section + '.' if section else ''}{name}: unknown setting{hint}")
        return unknown

    def _section(self, section: str) -> Mapping:
        raw = self.data.get(section)
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.problems.append(f"{section}: must be a mapping of settings, not {shown(raw)}")
            return {}
        return raw

    # ----- sections -------------------------------------------------------------------------------------

    def _numbers(self, section: str, kind, unit: str, raw: Mapping | None = None) -> dict[str, int]:
        raw = self._section(section) if raw is None else raw
        unknown = self._unknown(section, raw, kind)
        return {name: self._whole(f"{section}.{name}", value, unit, default=getattr(kind(), name))
                for name, value in raw.items() if name not in unknown}

    def _reminders(self):
        from bot.domain.plan import Reminders

        raw = dict(self._section("reminders"))
        snooze = raw.pop("snooze_minutes", None)
        numbers = self._numbers("reminders", Reminders, "minutes", raw)
        if snooze is None:
            return Reminders(**numbers)
        if not isinstance(snooze, list) or not snooze:
            self.problems.append(f"reminders.snooze_minutes: {shown(snooze)} is not a list of numbers of minutes "
                                 "(write e.g. [30, 60])")
            return Reminders(**numbers)
        before = len(self.problems)
        minutes = tuple(self._whole(f"reminders.snooze_minutes[{i}]", v, "minutes", default=30)
                        for i, v in enumerate(snooze))
        return Reminders(**numbers, snooze_minutes=minutes) if len(self.problems) == before else Reminders(**numbers)

    def _alerts(self):
        from bot.domain.plan import NEUTRAL_SEVERITIES, AlertPolicy

        raw = self._section("alerts")
        self._unknown("alerts", raw, AlertPolicy)
        tiers = self._default_tiers()
        given = raw.get("tiers") or {}
        if not isinstance(given, Mapping):
            self.problems.append(f"alerts.tiers: must be a mapping such as {{critical: critical, high: high}}, "
                                 f"not {shown(given)}")
            given = {}
        tiers.update({str(k): str(v) for k, v in given.items()})
        if extra := sorted(set(tiers) - set(NEUTRAL_SEVERITIES)):
            self.problems.append(f"alerts.tiers: {', '.join(extra)}: the keys must be among "
                                 f"{', '.join(NEUTRAL_SEVERITIES)}")
        words: dict[str, dict[str, str]] = {}
        given_words = raw.get("words") or {}
        if not isinstance(given_words, Mapping):
            self.problems.append("alerts.words: must be a mapping per source, e.g. {pagerduty: {error: critical}}")
            given_words = {}
        for src, table in given_words.items():
            if not isinstance(table, Mapping):
                self.problems.append(f"alerts.words.{src}: must be a mapping of word: severity")
                continue
            words[str(src)] = {str(w).lower(): str(n) for w, n in table.items()}
            if bad := [n for n in words[str(src)].values() if n not in NEUTRAL_SEVERITIES]:
                self.problems.append(f"alerts.words.{src}: {', '.join(bad)} not among {', '.join(NEUTRAL_SEVERITIES)}")
        return AlertPolicy(
            auto_open=str(raw.get("auto_open") or tiers.get("high", "high")),
            triage_channel=str(raw["triage_channel"]) if raw.get("triage_channel") else None,
            digest_seconds=self._whole("alerts.digest_seconds", raw.get("digest_seconds"), "seconds", default=60),
            lead=str(raw["lead"]) if raw.get("lead") else None,
            tiers=tiers,
            words=words,
            sources=read_sources(raw.get("sources"), self.problems, self.check_path),
        )

    def _default_tiers(self) -> dict[str, str]:
        """Neutral alert severities onto the plan's own tiers: by name when it has them, else by rank."""
        from bot.domain.plan import AlertPolicy

        listed = self.data.get("severities")
        keys = [str(s.get("key", "")).lower() for s in (listed if isinstance(listed, list) else [])
                if isinstance(s, Mapping) and s.get("key")]
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
        types = {f.name: str(f.type) for f in dataclass_fields(kind) if f.name in _in_file(kind)}
        seen: set[str] = set()
        for i, item in enumerate(raw):
            path = f"{section}[{i}]"
            if not isinstance(item, Mapping):
                self.problems.append(f"{path}: must be a mapping ({', '.join(required)}…), not {shown(item)}")
                continue
            missing = [k for k in required if item.get(k) in (None, "")]
            if missing:
                self.problems.append(f"{path}: missing {', '.join(missing)}")
            key = fold(str(item.get("key", "")))
            if key and key in seen:
                self.problems.append(f"{section}: duplicate key {shown(key)}")
            seen.add(key)
            values = {}
            for name, value in item.items():
                if name not in types:
                    close = difflib.get_close_matches(str(name), list(types), n=1)
                    hint = f"; did you mean {close[0]}?" if close else f" (known: {', '.join(types)})"
                    self.problems.append(f"{path}.{name}: unknown field{hint}")
                elif types[name].startswith("tuple"):
                    if isinstance(value, str):
                        value = [value]  # one alias or action written without brackets
                    if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
                        self.problems.append(f"{path}.{name}: must be a list of texts (quote any with a colon)")
                        continue
                    values[name] = tuple(_choice_text(v) for v in value)
                elif types[name] == "bool":
                    if not isinstance(value, bool):
                        self.problems.append(f"{path}.{name}: {shown(value)} is not true or false")
                        continue
                    values[name] = value
                elif isinstance(value, (Mapping, list)):
                    self.problems.append(f"{path}.{name}: must be a text, not {shown(value)} "
                                         "(quote it if it has a colon)")
                else:
                    values[name] = key if name == "key" else _choice_text(value)
            if not missing and all(name in values for name in required):
                yield kind(**values)


def _count(count: int, what: str) -> str:
    """`1 action`, `2 actions`, `1 do`, `3 don'ts`."""
    if count != 1:
        return f"{count} {what}"
    singular = what.removesuffix("'s").removesuffix("s")
    return f"{count} {singular}"


def _in_file(kind) -> list[str]:
    """The settings of a plan section a plan file may give: its fields but those marked NOT_IN_FILE."""
    return [f.name for f in dataclass_fields(kind) if f.metadata.get("in_file", True)]


class TranslationReader:
    """Reads `translations:` against the plan's own texts, adding each problem (with its path) to `problems`.

    `own` holds the plan's sections as read (severities, phases, roles, sitrep, dos, donts,
    private_managers_line); a section already named in `problems` is not compared with its translation."""

    def __init__(self, problems: list[str], language: str, own: Mapping[str, Any]):
        self.problems = problems
        self.language = language
        self.own = own
        self.unchecked = {re.split(r"[.\[:]", p, maxsplit=1)[0] for p in problems}

    def read(self, raw: Any) -> dict[str, dict[str, Any]]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.problems.append(f"translations: must be a mapping of languages (es:, it:…), not {shown(raw)}")
            return {}
        languages: dict[str, dict[str, Any]] = {}
        for code, texts in raw.items():
            path = f"translations.{code}"
            if not isinstance(code, str) or not _LANGUAGE.match(code):
                self.problems.append(f"{path}: {shown(code)} is not a language code (two lowercase letters, "
                                     "e.g. es, it)")
                continue
            if code == self.language:
                self.problems.append(f"{path}: {code} is the plan's own language; its texts are the plan's")
                continue
            if texts is None:
                languages[code] = {}
                continue
            if not isinstance(texts, Mapping):
                self.problems.append(f"{path}: must be a mapping of texts (name:, phases:, dos:…), not {shown(texts)}")
                continue
            languages[code] = self._language(path, texts)
        return languages

    def _language(self, path: str, raw: Mapping) -> dict[str, Any]:
        texts: dict[str, Any] = {}
        for name, value in raw.items():
            where = f"{path}.{name}"
            if value is None:
                continue  # not translated yet: the plan's own text is shown
            if name == "statements":  # issue 13's section: its own shape (kinds, scct)
                read = self._statements(where, value)
                if read is not None:
                    texts[name] = read
            elif name not in TRANSLATABLE_TEXTS:
                self._not_a_text(where, str(name), TRANSLATABLE_TEXTS, "the texts of a translation")
            elif name in TRANSLATABLE:
                texts[name] = self._section(where, name, value)
            elif name in ("dos", "donts"):
                read = self._list(where, value, self.own[name] if name not in self.unchecked else None,
                                  "do's" if name == "dos" else "don'ts", "the plan")
                if read is not None:
                    texts[name] = read
            else:
                read = self._one(where, value)
                if read is not None and (name == "name" or self._private_line(where, read)):
                    texts[name] = read
        return texts

    def _section(self, path: str, section: str, raw: Any) -> dict[str, dict[str, Any]]:
        kind, fields = TRANSLATABLE[section]
        items = {item.key: item for item in self.own[section]}
        checked = section not in self.unchecked
        if not isinstance(raw, Mapping):
            example = ", ".join(f"{key}:" for key in list(items)[:2])
            self.problems.append(f"{path}: must be a mapping of {kind} keys ({example}…), not {shown(raw)}")
            return {}
        names = [name.removesuffix("[]") for name in fields]
        read: dict[str, dict[str, Any]] = {}
        for where, folded, item, texts in self._keyed(path, raw, items if checked else None, kind, names,
                                                      f"{section}: "):
            entry: dict[str, Any] = {}
            for at, name, value in self._texts(where, texts, fields, kind, entry):
                own = getattr(item, name) if checked else None
                what = "actions" if name == "actions" else "choices"
                listed = self._list(at, value, own, what, f"the {kind}", choices=name == "choices")
                if listed is not None and name == "choices" and own is not None:
                    listed = self._distinct_choices(at, listed, own)
                if listed is not None:
                    entry[name] = listed
            read[folded] = entry
        return read

    def _keyed(self, path: str, raw: Mapping, items: Mapping[str, Any] | None, kind: str, names: list[str],
               listing: str = ""):
        """(where, folded key, the plan's item, its texts) for each key of a translated section that the plan has
        (`items` None: the plan's are unknown, every key is taken); a key it lacks, or texts that are no mapping,
        are problems."""
        for key, texts in raw.items():
            where = f"{path}.{key}"
            folded = fold(str(key))
            item = items.get(folded) if items is not None else None
            if items is not None and item is None:
                close = difflib.get_close_matches(folded, list(items), n=1)
                hint = f"; did you mean {close[0]}?" if close else f" ({listing}{', '.join(items)})"
                self.problems.append(f"{where}: the plan has no {kind} {shown(str(key))}{hint}")
                continue
            if texts is None:
                continue
            if not isinstance(texts, Mapping):
                self.problems.append(f"{where}: must be a mapping of texts ({', '.join(names)}), not {shown(texts)}")
                continue
            yield where, folded, item, texts

    def _texts(self, where: str, texts: Mapping, fields: tuple[str, ...], kind: str, entry: dict[str, Any]):
        """(path, name, value) for each list field (`name[]` in `fields`) among an item's texts; each single text
        is read into `entry`; an unknown name is a problem."""
        names = [name.removesuffix("[]") for name in fields]
        for name, value in texts.items():
            at = f"{where}.{name}"
            if value is None:
                continue
            if name not in names:
                self._not_a_text(at, str(name), names, f"the texts of a {kind}")
            elif f"{name}[]" in fields:
                yield at, name, value
            else:
                text = self._one(at, value)
                if text is not None:
                    entry[name] = text

    def _statements(self, path: str, raw: Any) -> dict[str, Any] | None:
        """`translations.<code>.statements`: {kinds: {holding: {name, template}}, scct: {types: {victim: {name,
        line}}, strategies: {denial: {name, line}}, donts: […]}}, against the plan's own section."""
        own = self.own.get("statements")
        checked = "statements" not in self.unchecked and own is not None
        if checked and not own.given:
            self.problems.append(f"{path}: the plan has no statements section to translate (its built-in texts "
                                 "are shown in every language)")
            return None
        if not isinstance(raw, Mapping):
            self.problems.append(f"{path}: must be a mapping of texts (kinds:, scct:), not {shown(raw)}")
            return None
        read: dict[str, Any] = {}
        for name, value in raw.items():
            where = f"{path}.{name}"
            if value is None:
                continue
            if name == "kinds":
                items = {k.key: k for k in own.kinds} if checked else None
                read[name] = self._entries(where, value, items, "statement kind", ("name", "template[]"))
            elif name == "scct":
                if not isinstance(value, Mapping):
                    self.problems.append(f"{where}: must be a mapping of texts (types:, strategies:, donts:), "
                                         f"not {shown(value)}")
                    continue
                scct: dict[str, Any] = {}
                for part, texts in value.items():
                    at = f"{where}.{part}"
                    if texts is None:
                        continue
                    if part in ("types", "strategies"):
                        listed = getattr(own.scct, part) if checked else None
                        items = {item.key: item for item in listed} if listed is not None else None
                        kind = "crisis type" if part == "types" else "strategy"
                        scct[part] = self._entries(at, texts, items, kind, ("name", "line"))
                    elif part == "donts":
                        listed = self._list(at, texts, own.scct.donts if checked else None, "don'ts",
                                            "the plan's scct")
                        if listed is not None:
                            scct[part] = listed
                    else:
                        self._not_a_text(at, str(part), ("types", "strategies", "donts"), "the texts of scct")
                read[name] = scct
            else:
                self._not_a_text(where, str(name), ("kinds", "scct"), "the texts of statements")
        if checked:
            for key, entry in (read.get("kinds") or {}).items():
                for i, part in enumerate(entry.get("template") or ()):
                    if part is not None:
                        self._placeholders(f"{path}.kinds.{key}.template[{i}]", part)
        return read

    def _placeholders(self, path: str, text: str) -> None:
        allowed = self.own.get("placeholders") or ()
        problem = placeholder_problem(text, allowed)
        if problem:
            self.problems.append(f"{path}: {problem}")

    def _entries(self, path: str, raw: Any, items: Mapping[str, Any] | None, kind: str,
                 fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
        """A mapping of keys to their texts (`fields`, lists marked []); `items` None: the plan's are unknown."""
        if not isinstance(raw, Mapping):
            example = ", ".join(f"{key}:" for key in list(items or {})[:2])
            self.problems.append(f"{path}: must be a mapping of {kind} keys ({example}…), not {shown(raw)}")
            return {}
        names = [name.removesuffix("[]") for name in fields]
        read: dict[str, dict[str, Any]] = {}
        for where, folded, item, texts in self._keyed(path, raw, items, kind, names):
            entry: dict[str, Any] = {}
            for at, name, value in self._texts(where, texts, fields, kind, entry):
                own = getattr(item, name) if item is not None else None
                listed = self._list(at, value, own, "parts", f"the {kind}")
                if listed is not None:
                    entry[name] = listed
            read[folded] = entry
        return read

    # ----- one text, one list ---------------------------------------------------------------------------------

    def _one(self, path: str, value: Any, *, choice: bool = False) -> str | None:
        if choice and isinstance(value, bool):
            value = _choice_text(value)  # a bare yes/no in a list of choices means the word
        if not isinstance(value, str):
            self.problems.append(f"{path}: must be a text, not {shown(value)} (quote it)")
            return None
        if not value.strip():
            self.problems.append(f"{path}: is empty (leave it out to show the plan's own text)")
            return None
        return value

    def _list(self, path: str, value: Any, own: tuple[str, ...] | None, what: str, whose: str,
              *, choices: bool = False) -> tuple[str | None, ...] | None:
        """A translated list, one text for each of the plan's, in its order (None: that one falls back);
        `own` None: the plan's list is not known (it has problems), only the texts are checked."""
        if not isinstance(value, list):
            self.problems.append(f"{path}: must be a list of texts, not {shown(value)} (quote any with a colon)")
            return None
        if own is not None and not own:
            self.problems.append(f"{path}: {whose} has no {what} to translate")
            return None
        if own is not None and len(value) != len(own):
            self.problems.append(f"{path}: {_count(len(value), what)}, but {whose} has {len(own)} "
                                 "(one for each, in the same order)")
            return None
        before = len(self.problems)
        items = tuple(None if v is None else self._one(f"{path}[{i}]", v, choice=choices) for i, v in enumerate(value))
        return items if len(self.problems) == before else None

    def _distinct_choices(self, path: str, labels: tuple[str | None, ...], own: tuple[str, ...]):
        """Each choice's label names it alone: none is shown like another choice or its label."""
        before = len(self.problems)
        seen: dict[str, int] = {}
        for i, label in enumerate(labels):
            if label is None:
                continue
            folded = fold(label)
            other = next((c for j, c in enumerate(own) if j != i and fold(c) == folded), None)
            if other is not None:
                self.problems.append(f"{path}[{i}]: {shown(label)} is the plan's choice {shown(other)}, "
                                     f"not {shown(own[i])} (one label for each choice, in the same order)")
            elif folded in seen:
                self.problems.append(f"{path}[{i}]: {shown(label)} is also the label of choice {seen[folded]}; "
                                     "each choice needs its own")
            seen.setdefault(folded, i)
        return labels if len(self.problems) == before else None

    def _private_line(self, path: str, line: str) -> bool:
        if "private_managers_line" in self.unchecked:
            return True
        if self.own["private_managers_line"] is None:
            self.problems.append(f"{path}: the plan sets no private_managers_line to translate (the bot's own "
                                 "line is shown in every language)")
            return False
        if not self.own["private_managers_line"]:
            self.problems.append(f"{path}: the plan's line is empty (the managers are told nothing); "
                                 "there is nothing to translate")
            return False
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(line) if name is not None}
        except ValueError:
            self.problems.append(f"{path}: a lone {{ or }} (placeholders are {{severity}} and {{moment}})")
            return False
        if bad := sorted(used - set(_PLACEHOLDERS)):
            self.problems.append(f"{path}: {', '.join('{' + b + '}' for b in bad)} is not a placeholder "
                                 "(use {severity} and {moment})")
            return False
        return True

    def _not_a_text(self, path: str, name: str, known, what: str) -> None:
        known = list(known)
        close = difflib.get_close_matches(name, known, n=1)
        if close:
            hint = f"; did you mean {close[0]}?"
        else:
            hint = f" ({what}: {', '.join(known)}; keys, aliases and numbers are not translated)"
        self.problems.append(f"{path}: not a translatable text{hint}")


def statement_placeholders(sitrep) -> tuple[str, ...]:
    """The placeholders a statement template may use: the plan's report fields and STATEMENT_PLACEHOLDERS."""
    from bot.domain.plan import STATEMENT_PLACEHOLDERS

    return (*STATEMENT_PLACEHOLDERS, *(f.key for f in sitrep))


def placeholder_problem(text: str, allowed) -> str | None:
    """What is wrong with the {placeholders} of a template's text, or None."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return "a lone { or } (write {{ or }} for a brace)"
    used = [name for _, name, _, _ in parsed if name is not None]
    if bad := [name for name in used if name not in allowed]:
        shown_bad = ", ".join("{" + b + "}" for b in dict.fromkeys(bad))
        return f"{shown_bad} is not a placeholder (use {', '.join('{' + a + '}' for a in allowed)})"
    if any(spec or conversion for _, name, spec, conversion in parsed if name is not None):
        return "a placeholder takes no format (write {origin}, not {origin:>10} or {origin!r})"
    return None


_FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class StatementsReader:
    """Reads the plan's `statements:` section (issue 13) into `Statements`, adding each problem to the reader's.

    Every part is optional: a kind, the backups, the cadence or SCCT left out keeps the built-in default
    (limited to the roles and severities the plan has); a kind given in part keeps the default's other fields."""

    SETTINGS = ("kinds", "backups", "approval_wait", "escalations", "cadence", "scct")

    def __init__(self, reader: PlanReader, roles, severities, sitrep):
        self.reader = reader
        self.problems = reader.problems
        self.roles = roles
        self.severities = {s.key for s in severities}
        self.placeholders = statement_placeholders(sitrep)
        before = {re.split(r"[.\[:]", p, maxsplit=1)[0] for p in reader.problems}
        self.check_roles = "roles" not in before and bool(roles)
        self.check_severities = "severities" not in before and bool(severities)
        self.check_placeholders = "sitrep" not in before

    def read(self, raw: Any):
        from bot.domain.plan import DEFAULT_BACKUPS, DEFAULT_CADENCE, Statements

        if raw is None:
            kinds = tuple(self._default_kind(k) for k in Statements().kinds)
            backups = {r: b for r, b in DEFAULT_BACKUPS.items() if self._has_role(r) and self._has_role(b)}
            cadence = {k: v for k, v in DEFAULT_CADENCE.items() if k in self.severities}
            return Statements(kinds=kinds, backups=backups, cadence=cadence)
        if not isinstance(raw, Mapping):
            self.problems.append(f"statements: must be a mapping of settings ({', '.join(self.SETTINGS)}), "
                                 f"not {shown(raw)}")
            return Statements()
        for name in raw:
            if name not in self.SETTINGS:
                close = difflib.get_close_matches(str(name), self.SETTINGS, n=1)
                hint = f"; did you mean {close[0]}?" if close else f" (known: {', '.join(self.SETTINGS)})"
                self.problems.append(f"statements.{name}: unknown setting{hint}")
        return Statements(
            kinds=self._kinds(raw.get("kinds")),
            backups=self._backups(raw.get("backups")),
            approval_wait=self.reader._duration("statements.approval_wait", raw.get("approval_wait"),
                                                default=Statements().approval_wait),
            escalations=self._escalations(raw.get("escalations")),
            cadence=self._cadence(raw.get("cadence")),
            scct=self._scct(raw.get("scct")),
            given=True,
        )

    # ----- roles -----------------------------------------------------------------------------------------

    def _has_role(self, key: str) -> bool:
        return any(r.key == key for r in self.roles)

    def _role(self, path: str, word: Any) -> str | None:
        """A role key for a role's key, name or alias; None (and a problem) for anything else."""
        if not isinstance(word, str) or not word.strip():
            self.problems.append(f"{path}: {shown(word)} is not a role")
            return None
        wanted = fold(word)
        found = next((r for r in self.roles if wanted in {fold(n) for n in (r.key, r.name, *r.aliases)}), None)
        if found is None and self.check_roles:
            self.problems.append(f"{path}: {shown(word)} is not one of the roles "
                                 f"({', '.join(r.key for r in self.roles)})")
        return found.key if found else (wanted if not self.check_roles else None)

    def _default_kind(self, kind):
        from dataclasses import replace

        approvers = tuple(r for r in kind.approvers if self._has_role(r)) or (
            (self.roles[0].key,) if self.roles else kind.approvers)
        return replace(kind, approvers=approvers)

    # ----- kinds -----------------------------------------------------------------------------------------

    def _kinds(self, raw: Any):
        from dataclasses import replace

        from bot.domain.plan import STATEMENT_KINDS, Statements

        defaults = {k.key: self._default_kind(k) for k in Statements().kinds}
        if raw is None:
            return tuple(defaults.values())
        if not isinstance(raw, Mapping):
            self.problems.append(f"statements.kinds: must be a mapping of kinds ({', '.join(STATEMENT_KINDS)}), "
                                 f"not {shown(raw)}")
            return tuple(defaults.values())
        kinds = dict(defaults)
        for key, given in raw.items():
            path = f"statements.kinds.{key}"
            folded = fold(str(key))
            if folded not in STATEMENT_KINDS:
                close = difflib.get_close_matches(folded, STATEMENT_KINDS, n=1)
                hint = f"; did you mean {close[0]}?" if close else f" (kinds: {', '.join(STATEMENT_KINDS)})"
                self.problems.append(f"{path}: not a kind of statement{hint}")
                continue
            if given is None:
                continue
            if not isinstance(given, Mapping):
                self.problems.append(f"{path}: must be a mapping (name, approvers, template), not {shown(given)}")
                continue
            changes: dict[str, Any] = {}
            for name, value in given.items():
                at = f"{path}.{name}"
                if name == "name":
                    if isinstance(value, str) and value.strip():
                        changes["name"] = value
                    else:
                        self.problems.append(f"{at}: must be a text, not {shown(value)}")
                elif name == "approvers":
                    listed = [value] if isinstance(value, str) else value
                    if not isinstance(listed, list) or not listed:
                        self.problems.append(f"{at}: must be a non-empty list of roles (write e.g. [legal, lead])")
                        continue
                    roles = [self._role(f"{at}[{i}]", v) for i, v in enumerate(listed)]
                    if all(roles):
                        changes["approvers"] = tuple(dict.fromkeys(roles))
                elif name == "template":
                    template = self._template(at, value)
                    if template is not None:
                        changes["template"] = template
                else:
                    close = difflib.get_close_matches(str(name), ["name", "approvers", "template"], n=1)
                    hint = f"; did you mean {close[0]}?" if close else " (known: name, approvers, template)"
                    self.problems.append(f"{at}: unknown field{hint}")
            kinds[folded] = replace(kinds[folded], **changes)
        return tuple(kinds[k] for k in STATEMENT_KINDS)

    def _template(self, path: str, value: Any) -> tuple[str, ...] | None:
        listed = [value] if isinstance(value, str) else value
        if not isinstance(listed, list) or not listed:
            self.problems.append(f"{path}: must be a list of parts (texts, one per paragraph)")
            return None
        before = len(self.problems)
        for i, part in enumerate(listed):
            if not isinstance(part, str) or not part.strip():
                self.problems.append(f"{path}[{i}]: must be a text, not {shown(part)} (quote it)")
            elif self.check_placeholders and (problem := placeholder_problem(part, self.placeholders)):
                self.problems.append(f"{path}[{i}]: {problem}")
        return tuple(listed) if len(self.problems) == before else None

    # ----- backups, escalations, cadence -----------------------------------------------------------------

    def _backups(self, raw: Any) -> dict[str, str]:
        from bot.domain.plan import DEFAULT_BACKUPS

        if raw is None:
            return {r: b for r, b in DEFAULT_BACKUPS.items() if self._has_role(r) and self._has_role(b)}
        if raw is False or raw == {}:
            return {}
        if not isinstance(raw, Mapping):
            self.problems.append(f"statements.backups: must be a mapping of role: backup role "
                                 f"(e.g. {{lead: spokesperson}}), not {shown(raw)}")
            return {}
        backups = {}
        for role, backup in raw.items():
            path = f"statements.backups.{role}"
            key, other = self._role(path, str(role)), self._role(path, backup)
            if key and other:
                if key == other:
                    self.problems.append(f"{path}: a role cannot be its own backup")
                else:
                    backups[key] = other
        return backups

    def _escalations(self, raw: Any):
        from dataclasses import fields

        from bot.domain.plan import Escalations

        if raw is None:
            return Escalations()
        if not isinstance(raw, Mapping):
            self.problems.append(f"statements.escalations: must be a mapping (no_draft, no_approval, "
                                 f"not_published), not {shown(raw)}")
            return Escalations()
        names = [f.name for f in fields(Escalations)]
        values = {}
        for name, value in raw.items():
            path = f"statements.escalations.{name}"
            if name not in names:
                close = difflib.get_close_matches(str(name), names, n=1)
                hint = f"; did you mean {close[0]}?" if close else f" (known: {', '.join(names)})"
                self.problems.append(f"{path}: unknown setting{hint}")
                continue
            fraction = self._fraction(value)
            if fraction is None:
                self.problems.append(f"{path}: {shown(value)} is not a fraction of the golden hour above 0 and "
                                     "at most 1 (write e.g. 1/2 or 0.75)")
                continue
            values[name] = fraction
        found = Escalations(**values)
        order = [getattr(found, n) for n in names]
        if order != sorted(order):
            self.problems.append("statements.escalations: no_draft, no_approval and not_published must come in "
                                 f"that order (got {', '.join(f'{v:g}' for v in order)})")
            return Escalations()
        return found

    @staticmethod
    def _fraction(value: Any) -> float | None:
        if isinstance(value, str) and (match := _FRACTION.match(value)) and int(match.group(2)):
            value = int(match.group(1)) / int(match.group(2))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            return None
        return float(value)

    def _cadence(self, raw: Any):
        from bot.domain.plan import DEFAULT_CADENCE, CadenceRule

        if raw is None:
            return {k: v for k, v in DEFAULT_CADENCE.items() if k in self.severities}
        if not isinstance(raw, Mapping):
            self.problems.append(f"statements.cadence: must be a mapping of severity: interval (e.g. "
                                 f"{{high: 30m, low: none}}), not {shown(raw)}")
            return {}
        cadence: dict[str, CadenceRule | None] = {}
        for severity, rule in raw.items():
            path = f"statements.cadence.{severity}"
            key = fold(str(severity))
            if self.check_severities and key not in self.severities:
                self.problems.append(f"{path}: not one of the severities ({', '.join(sorted(self.severities))})")
                continue
            if rule is None or rule is False or (isinstance(rule, str) and rule.strip().lower() in ("none", "never")):
                cadence[key] = None
            elif isinstance(rule, Mapping):
                unknown = sorted(str(n) for n in rule if n not in ("every", "first", "then"))
                if unknown:
                    self.problems.append(f"{path}.{unknown[0]}: unknown setting (known: every, first, then)")
                    continue
                every = self.reader._duration(f"{path}.every", rule.get("every"))
                first = self.reader._duration(f"{path}.first", rule.get("first"))
                then = self.reader._duration(f"{path}.then", rule.get("then"))
                if every is None:
                    if "every" not in rule:
                        self.problems.append(f"{path}.every: required (write e.g. every: 15m)")
                    continue
                if (first is None) != (then is None):
                    self.problems.append(f"{path}: first and then go together (e.g. every: 15m, first: 1h, "
                                         "then: 30m)")
                    continue
                cadence[key] = CadenceRule(every, first, then)
            else:
                every = self.reader._duration(path, rule)
                if every is not None:
                    cadence[key] = CadenceRule(every)
        return cadence

    # ----- SCCT ------------------------------------------------------------------------------------------

    def _scct(self, raw: Any):
        from dataclasses import replace

        from bot.domain.plan import CRISIS_TYPES, CrisisType, Scct, Statements, Strategy

        default = Statements().scct
        if raw is None:
            return default
        if not isinstance(raw, Mapping):
            self.problems.append(f"statements.scct: must be a mapping (strategies, types, donts), not {shown(raw)}")
            return default
        for name in raw:
            if name not in ("strategies", "types", "donts"):
                self.problems.append(f"statements.scct.{name}: unknown setting (known: strategies, types, donts)")
        strategies = {s.key: s for s in default.strategies}
        given = raw.get("strategies")
        if given is not None and not isinstance(given, Mapping):
            self.problems.append("statements.scct.strategies: must be a mapping of strategy: {name, line}")
            given = None
        for key, texts in (given or {}).items():
            path = f"statements.scct.strategies.{key}"
            if not isinstance(texts, Mapping) or any(n not in ("name", "line") for n in texts):
                self.problems.append(f"{path}: must be a mapping of name and line")
                continue
            folded = fold(str(key))
            base = strategies.get(folded)
            values = {n: texts.get(n) or (getattr(base, n) if base else None) for n in ("name", "line")}
            if bad := [n for n, v in values.items() if not isinstance(v, str) or not v.strip()]:
                self.problems.append(f"{path}: missing {', '.join(bad)}")
                continue
            strategies[folded] = Strategy(folded, **values)
        types = {t.key: t for t in default.types}
        given = raw.get("types")
        if given is not None and not isinstance(given, Mapping):
            self.problems.append(f"statements.scct.types: must be a mapping of crisis types "
                                 f"({', '.join(CRISIS_TYPES)})")
            given = None
        for key, texts in (given or {}).items():
            path = f"statements.scct.types.{key}"
            folded = fold(str(key))
            if folded not in CRISIS_TYPES:
                self.problems.append(f"{path}: not a crisis type ({', '.join(CRISIS_TYPES)})")
                continue
            if not isinstance(texts, Mapping):
                self.problems.append(f"{path}: must be a mapping (name, line, strategies, contradicts)")
                continue
            changes: dict[str, Any] = {}
            for name, value in texts.items():
                at = f"{path}.{name}"
                if name in ("name", "line"):
                    if isinstance(value, str) and value.strip():
                        changes[name] = value
                    else:
                        self.problems.append(f"{at}: must be a text, not {shown(value)}")
                elif name in ("strategies", "contradicts"):
                    listed = [value] if isinstance(value, str) else (value or [])
                    if not isinstance(listed, list):
                        self.problems.append(f"{at}: must be a list of strategies")
                        continue
                    keys = tuple(fold(str(v)) for v in listed)
                    if unknown := [k for k in keys if k not in strategies]:
                        self.problems.append(f"{at}: {', '.join(unknown)}: not among the strategies "
                                             f"({', '.join(strategies)})")
                        continue
                    changes[name] = keys
                else:
                    self.problems.append(f"{at}: unknown field (known: name, line, strategies, contradicts)")
            types[folded] = replace(types[folded], **changes)
        for t in types.values():
            if both := sorted(set(t.strategies) & set(t.contradicts)):
                self.problems.append(f"statements.scct.types.{t.key}: {', '.join(both)} both fits and contradicts it")
        donts = default.donts
        if "donts" in raw:
            value = raw.get("donts") or []
            if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
                self.problems.append("statements.scct.donts: must be a list of texts (quote any with a colon)")
            else:
                donts = tuple(value)
        return Scct(tuple(types[k] for k in CRISIS_TYPES), tuple(strategies.values()), donts)


def _choice_text(value: Any) -> str:
    # YAML reads a bare yes/no as booleans; a plan means the words.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)
