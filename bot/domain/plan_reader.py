"""Reads a plan mapping (as loaded from YAML) into a `Plan`, collecting every problem before raising.

Each problem names its path in the YAML (`reminders.sitrep_missing_minutes`, `phases[2].aliases`) and says
what belongs there, so a team fixes its plan file in one go. A new plan setting is a field of `Plan` (the
top-level keys allowed are exactly its fields) read here with the same helpers: `_whole` for a number,
`_duration` for a time such as `7d`, `_text` for a text (the plain values: bot/domain/plan_values.py).

`translations` (language -> texts by key) are read last, against the plan's own sections: a key the plan
lacks, a list of another length than the plan's, a text that is not one, a field that is not a text or a
language code that is not two lowercase letters are problems like any other. A section that has problems of
its own is not compared (its problems come first; the translation is checked again once it is fixed):
bot/domain/plan_translations.py. The `statements` section has its own reader, bot/domain/plan_statements.py.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import fields as dataclass_fields
from datetime import timedelta
from typing import Any, Mapping

from bot.domain.plan_sources import read_sources
from bot.domain.plan_statements import StatementsReader
from bot.domain.plan_translations import TranslationReader
from bot.domain.plan_values import LANGUAGE_CODE, choice_text, parse_duration, plural, shown, statement_placeholders
from bot.domain.words import fold


# Phases the bot itself relies on, by key, and why.
REQUIRED_PHASES = {
    "response": "Response phase (key: response; the golden hour is measured on it)",
    "rethink": "Rethink phase (key: rethink; the lessons of a crisis are recorded at it)",
}


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
            self.problems.append(f"{path}: must be at least {plural(least, unit) if unit else least} "
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
        return choice_text(value)

    def _language(self) -> str:
        value = self.data.get("language")
        if value is None or value == "":
            return "en"
        if not isinstance(value, str) or not LANGUAGE_CODE.match(value):
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
                    values[name] = tuple(choice_text(v) for v in value)
                elif types[name] == "bool":
                    if not isinstance(value, bool):
                        self.problems.append(f"{path}.{name}: {shown(value)} is not true or false")
                        continue
                    values[name] = value
                elif isinstance(value, (Mapping, list)):
                    self.problems.append(f"{path}.{name}: must be a text, not {shown(value)} "
                                         "(quote it if it has a colon)")
                else:
                    values[name] = key if name == "key" else choice_text(value)
            if not missing and all(name in values for name in required):
                yield kind(**values)


def _in_file(kind) -> list[str]:
    """The settings of a plan section a plan file may give: its fields but those marked NOT_IN_FILE."""
    return [f.name for f in dataclass_fields(kind) if f.metadata.get("in_file", True)]
