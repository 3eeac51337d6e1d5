"""Reads a plan's `statements:` section (issue 13): kinds, approvers, backups, escalations, cadence, SCCT; see
bot/domain/plan_reader.py, which calls it once the roles, severities and report fields are read."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any, Mapping

from bot.domain.plan_values import placeholder_problem, shown, statement_placeholders
from bot.domain.words import fold

if TYPE_CHECKING:
    from bot.domain.plan_reader import PlanReader

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

        from bot.domain.plan import CRISIS_TYPES, Scct, Statements, Strategy

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
